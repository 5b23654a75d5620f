"""E-mail addresses, links, handles, coordinates and IBANs, in every language."""

from __future__ import annotations

import pytest

LANGUAGES = ["en", "fi", "sv", "de"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_email_and_not_its_domain_as_handle(find, language):
    found = find("Write to anna.virtanen@example.fi, please.", language)
    assert ("email", "anna.virtanen@example.fi") in found
    assert not any(kind == "handle" for kind, _ in found)


@pytest.mark.parametrize("language", LANGUAGES)
def test_links_without_trailing_punctuation(find, language):
    found = find("See https://example.org/petition?id=4. Or www.example.fi/a.", language)
    assert ("url", "https://example.org/petition?id=4") in found
    assert ("url", "www.example.fi/a") in found


@pytest.mark.parametrize("language", LANGUAGES)
def test_handles_but_not_prices_or_email_domains(find, language):
    found = find("Follow @save_the_pool today; coffee @2 each; mail x@y.fi", language)
    assert ("handle", "@save_the_pool") in found
    assert not any(text in ("@2", "@y") for _, text in found)


@pytest.mark.parametrize("language", LANGUAGES)
def test_exact_coordinates(find, language):
    assert ("coordinates", "60.1841, 24.9505") in find("Spot: 60.1841, 24.9505 today", language)
    dms = "60°10′19″N 24°56′15″E"  # noqa: RUF001 - typographic characters on purpose
    assert ("coordinates", dms) in find(f"Spot: {dms} today", language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_rounded_coordinates_and_decimals_are_not_places(find, language):
    assert find("The score was 60.17, 24.94 and the price 12.50, 3.99.", language) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_iban_valid_spaced_and_compact(find, language):
    assert ("iban", "FI21 1234 5600 0007 85") in find(
        "Tili FI21 1234 5600 0007 85 kiitos", language
    )
    assert ("iban", "DE89370400440532013000") in find("IBAN DE89370400440532013000.", language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_iban_with_wrong_check_digits_is_not_an_iban(find, language):
    found = find("Tili FI21 1234 5600 0007 88 kiitos", language)
    assert not any(kind == "iban" for kind, _ in found)
