"""Phone numbers in national and international formats."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("language", "region", "number"),
    [
        ("fi", None, "040 123 4567"),
        ("fi", "FI", "09 1234 5678"),
        ("sv", None, "070-123 45 67"),
        ("sv", "FI", "044-765 4321"),
        ("de", None, "030 12345678"),
        ("de", "AT", "+43 664 1234567"),
        ("en", None, "07911 123456"),
        ("en", "IE", "087 123 4567"),
        ("en", None, "+358 50 987 6543"),
        ("en", None, "+48 512 345 678"),
    ],
)
def test_phone_numbers(find, language, region, number):
    assert ("phone", number) in find(f"Ring {number} today.", language, region=region)


@pytest.mark.parametrize("language", ["en", "fi", "sv", "de"])
def test_dates_times_and_amounts_are_not_phone_numbers(find, language):
    text = "12.03.2024 klo 14.30, 1 250 euroa, 12 500 kronor, 10000 Euro, line 42, 2024-004512"
    assert not any(kind == "phone" for kind, _ in find(text, language))
