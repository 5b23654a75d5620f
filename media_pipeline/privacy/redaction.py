"""Text redaction: each detected span becomes a placeholder, consistent within one text."""

from __future__ import annotations

from collections.abc import Iterable

from media_pipeline.privacy.spans import PersonalDataSpan, SpanType

PLACEHOLDERS: dict[SpanType, str] = {
    SpanType.ADDRESS: "[Place]",
    SpanType.POSTCODE: "[Place]",
    SpanType.COORDINATES: "[Place]",
    SpanType.PHONE: "[Phone]",
    SpanType.EMAIL: "[Email]",
    SpanType.NATIONAL_ID: "[ID number]",
    SpanType.IBAN: "[IBAN]",
    SpanType.URL: "[Link]",
    SpanType.HANDLE: "[Handle]",
}
_PEOPLE = (SpanType.PERSON, SpanType.KNOWN_IDENTIFIER)


class PersonNumbering:
    """Numbers people in order of first mention; a lone first or last name joins the full
    name it belongs to ("Mikael Virtanen" … "Virtaselta" … "Mikael" → one person).

    Pass one instance to several ``redact`` calls to number people across a story's title,
    text and transcript alike."""

    def __init__(self) -> None:
        self.by_key: dict[str, int] = {}
        self.by_part: dict[str, int] = {}

    def number(self, span: PersonalDataSpan) -> int:
        key = (span.key or span.text).casefold()
        if key in self.by_key:
            return self.by_key[key]
        parts = key.split()
        known = [self.by_part[p] for p in parts if p in self.by_part]
        number = known[-1] if known else len(set(self.by_key.values())) + 1
        self.by_key[key] = number
        for part in parts:
            self.by_part.setdefault(part, number)
        return number


def redact(
    text: str, spans: Iterable[PersonalDataSpan], *, numbering: PersonNumbering | None = None
) -> str:
    """``text`` with each span replaced by its placeholder: ``[Person 1]``, ``[Place]``…

    ``spans`` must be non-overlapping and found in this very text (as ``detect`` returns
    them). The same person (same key, or a part of a full name seen earlier) gets the same
    number; the reporter's own identifiers share one number.
    """
    people = numbering or PersonNumbering()
    ordered = sorted(spans, key=lambda s: s.start)
    # Number people in reading order first, so numbering does not depend on the order of
    # replacement below.
    numbers = {id(s): people.number(s) for s in ordered if s.type in _PEOPLE}
    pieces: list[str] = []
    cursor = 0
    for span in ordered:
        if span.start < cursor:
            raise ValueError(f"overlapping spans at {span.start}: resolve them first")
        if text[span.start : span.end] != span.text:
            raise ValueError(f"span {span.text!r} does not match the text at {span.start}")
        pieces.append(text[cursor : span.start])
        if span.type in _PEOPLE:
            pieces.append(f"[Person {numbers[id(span)]}]")
        else:
            pieces.append(PLACEHOLDERS[span.type])
        cursor = span.end
    pieces.append(text[cursor:])
    return "".join(pieces)
