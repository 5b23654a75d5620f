"""The span type every detector returns, and overlap resolution between detectors."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class SpanType(StrEnum):
    """Kinds of personal data. The values are stable: they are stored and compared."""

    PERSON = "person"
    KNOWN_IDENTIFIER = "known_identifier"
    EMAIL = "email"
    PHONE = "phone"
    NATIONAL_ID = "national_id"
    IBAN = "iban"
    ADDRESS = "address"
    POSTCODE = "postcode"
    COORDINATES = "coordinates"
    URL = "url"
    HANDLE = "handle"


# Which detector wins an overlap. Checksum-validated and strongly delimited detectors go
# first: a valid IBAN or HETU is never a phone number, and "Annankatu 5" is an address even
# though it starts with a first name.
PRIORITY: dict[SpanType, int] = {
    SpanType.EMAIL: 100,
    SpanType.URL: 95,
    SpanType.IBAN: 90,
    SpanType.NATIONAL_ID: 85,
    SpanType.COORDINATES: 80,
    SpanType.KNOWN_IDENTIFIER: 75,
    SpanType.PHONE: 70,
    SpanType.ADDRESS: 60,
    SpanType.POSTCODE: 55,
    SpanType.HANDLE: 50,
    SpanType.PERSON: 40,
}


@dataclass(frozen=True, slots=True)
class PersonalDataSpan:
    """One piece of personal data found in a text.

    ``text[start:end] == span.text`` always holds for the text it was found in.
    ``source`` names the detector or validator (e.g. ``"stdnum.fi.hetu"``, ``"gazetteer"``);
    ``key`` is a normalised form (a person's base name, uninflected) that redaction uses to
    give the same placeholder to every mention of the same thing.
    """

    type: SpanType
    start: int
    end: int
    text: str
    confidence: float
    source: str
    key: str | None = None

    def overlaps(self, other: PersonalDataSpan) -> bool:
        """Whether the two spans share at least one character."""
        return self.start < other.end and other.start < self.end


def resolve_overlaps(spans: Iterable[PersonalDataSpan]) -> list[PersonalDataSpan]:
    """Non-overlapping spans in text order: greedily keep the best by priority, confidence,
    then length, dropping anything that overlaps a span already kept."""
    ranked = sorted(
        spans,
        key=lambda s: (-PRIORITY[s.type], -s.confidence, -(s.end - s.start), s.start),
    )
    kept: list[PersonalDataSpan] = []
    for span in ranked:
        if span.end <= span.start:
            continue
        if not any(span.overlaps(k) for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: s.start)
