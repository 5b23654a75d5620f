"""Placeholders, consistency, known identifiers and overlap resolution."""

from __future__ import annotations

import pytest

from media_pipeline.privacy import PersonalDataSpan, SpanType, redact, resolve_overlaps


def redacted(gazetteer, text, language, **kwargs):
    from media_pipeline.privacy import detect

    return redact(text, detect(text, language, gazetteer=gazetteer, **kwargs))


def test_same_person_same_number_across_inflections(gazetteer):
    text = (
        "Mikael Virtanen soitti. Annalle kerroin, että Virtaselta puuttuu kortti. "
        "Anna Laine lupasi auttaa, ja Mikaelin äiti kiitti."
    )
    assert redacted(gazetteer, text, "fi") == (
        "[Person 1] soitti. [Person 2] kerroin, että [Person 1] puuttuu kortti. "
        "[Person 2] lupasi auttaa, ja [Person 1] äiti kiitti."
    )


def test_same_name_same_number_in_english(gazetteer):
    text = "Grace Mitchell said it was cold. Tom Baxter agreed, and Grace left."
    assert redacted(gazetteer, text, "en") == (
        "[Person 1] said it was cold. [Person 2] agreed, and [Person 1] left."
    )


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        (
            "fi",
            "Soita 040 123 4567 tai kirjoita a.b@example.fi, tili FI21 1234 5600 0007 85.",
            "Soita [Phone] tai kirjoita [Email], tili [IBAN].",
        ),
        (
            "sv",
            "Personnummer 811228-9874, Storgatan 5, 114 55 Stockholm.",
            "Personnummer [ID number], [Place], [Place] Stockholm.",
        ),
        (
            "de",
            "Folgt @spielplatz_muc oder https://example.de/x bei 48.1374, 11.5755.",
            "Folgt [Handle] oder [Link] bei [Place].",
        ),
    ],
)
def test_placeholders(gazetteer, language, text, expected):
    assert redacted(gazetteer, text, language) == expected


def test_known_identifiers_whole_and_by_part(gazetteer):
    text = "Olen Kaisa Järvinen (@kaisa_j). Kaisalle sanottiin ei. Mikko auttoi."
    out = redacted(gazetteer, text, "fi", known_identifiers=["kaisa_j", "Kaisa Järvinen"])
    assert out == "Olen [Person 1] ([Person 1]). [Person 1] sanottiin ei. [Person 2] auttoi."


def test_account_name_that_is_no_name(gazetteer):
    text = "Posting as dave_r because my officer reads this. dave_r out."
    assert redacted(gazetteer, text, "en", known_identifiers=["dave_r"]) == (
        "Posting as [Person 1] because my officer reads this. [Person 1] out."
    )


def test_overlaps_prefer_checksummed_and_delimited_types(gazetteer):
    from media_pipeline.privacy import detect

    text = "Mail anna@example.fi, IBAN DE89 3704 0044 0532 0130 00, Annankatu 5."
    kinds = [(s.type.value, s.text) for s in detect(text, "fi", gazetteer=gazetteer)]
    assert kinds == [
        ("email", "anna@example.fi"),
        ("iban", "DE89 3704 0044 0532 0130 00"),
        ("address", "Annankatu 5"),
    ]


def test_resolve_overlaps_keeps_priority_then_confidence():
    def span(kind, start, end, conf=0.9):
        return PersonalDataSpan(kind, start, end, "x" * (end - start), conf, "test")

    kept = resolve_overlaps(
        [
            span(SpanType.PHONE, 0, 10),
            span(SpanType.NATIONAL_ID, 2, 12),
            span(SpanType.PERSON, 20, 25, 0.6),
            span(SpanType.PERSON, 22, 30, 0.9),
        ]
    )
    assert [(s.type, s.start, s.end) for s in kept] == [
        (SpanType.NATIONAL_ID, 2, 12),
        (SpanType.PERSON, 22, 30),
    ]


def test_redact_rejects_spans_from_another_text():
    span = PersonalDataSpan(SpanType.EMAIL, 0, 3, "abc", 0.9, "test")
    with pytest.raises(ValueError, match="does not match"):
        redact("xyz", [span])
