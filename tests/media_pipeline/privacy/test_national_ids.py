"""Identity numbers: found by shape, confirmed by checksum, in every language."""

from __future__ import annotations

import pytest

from media_pipeline.privacy.national_ids import detect_national_ids

VALID = [
    ("131052-308T", "FI", "stdnum.fi.hetu"),
    ("020398A1273", "FI", "stdnum.fi.hetu"),
    ("811228-9874", "SE", "stdnum.se.personnummer"),
    ("38502140270", "EE", "stdnum.ee.ik"),
    ("44051401359", "PL", "stdnum.pl.pesel"),
    ("12345678Z", "ES", "stdnum.es.dni"),
    ("X1234567L", "ES", "stdnum.es.nie"),
    ("RSSMRA85T10A562S", "IT", "stdnum.it.codicefiscale"),
    ("01019923467", "NO", "stdnum.no.fodselsnummer"),
    ("86095742719", "DE", "stdnum.de.idnr"),
]


@pytest.mark.parametrize(("number", "region", "source"), VALID)
def test_valid_numbers_are_found_with_their_scheme(number, region, source):
    from stdnum.ee import ik

    if source == "stdnum.ee.ik":  # complete the Estonian example's check digit
        number = number[:-1] + ik.calc_check_digit(number)
    spans = detect_national_ids(f"Number: {number}.", region)
    assert [(s.text, s.source) for s in spans] == [(number, source)]


@pytest.mark.parametrize(("number", "region", "source"), VALID)
def test_a_broken_checksum_is_not_an_identity_number(number, region, source):
    broken = number[:-1] + ("0" if number[-1] != "0" else "1")
    if number[-1].isalpha():
        broken = number[:-1] + ("B" if number[-1] != "B" else "C")
    assert detect_national_ids(f"Case number {broken}.", region) == []


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fi", "Henkilötunnukseni on 131052-308T, asianumero 131052-308B."),
        ("sv", "Mitt personnummer är 811228-9874, diarienummer 811228-9875."),
        ("de", "Meine Steuer-ID ist 86095742719, Aktenzeichen 86095742710."),
        ("en", "My PESEL is 44051401359, the case number 44051401350."),
    ],
)
def test_only_the_valid_one_in_each_language(find, language, text):
    ids = [t for kind, t in find(text, language) if kind == "national_id"]
    assert len(ids) == 1
    assert ids[0] in text.split(",")[0]


def test_weak_checksums_need_a_keyword_or_the_region():
    # A BSN's 11-test passes one number in eleven: alone it is just a number.
    assert detect_national_ids("Order 123456782 shipped.", "GB") == []
    assert [s.source for s in detect_national_ids("My BSN: 123456782.", "GB")] == ["stdnum.nl.bsn"]
    assert detect_national_ids("Ref 211062-5629", "GB") == []
    assert [s.source for s in detect_national_ids("CPR-nummer 211062-5629", "GB")] == [
        "stdnum.dk.cpr"
    ]


def test_dates_amounts_and_case_numbers_are_not_ids(find):
    text = "On 12.03.2024 we paid 1 250 € for case 2024-004512 (Dnr 2024/3318)."
    assert not any(kind == "national_id" for kind, _ in find(text, "en"))
