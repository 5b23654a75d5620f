"""Strongly delimited personal data: e-mail addresses, links, handles, coordinates, IBANs."""

from __future__ import annotations

import re

from stdnum import iban as stdnum_iban

from media_pipeline.privacy.spans import PersonalDataSpan, SpanType

_EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,24}\b"
)
_URL = re.compile(
    r"\b(?:https?://|www\.)[^\s<>\"'`]+"
    # Bare links to common sites and country domains with a path: "facebook.com/anna.v".
    r"|\b(?:[a-z0-9-]+\.)+(?:com|org|net|eu|fi|se|de|at|ch|uk|ie|dk|no|ee|nl|io|me)/[^\s<>\"'`]+",
    re.IGNORECASE,
)
_HANDLE = re.compile(r"(?<![\w@./])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?")
_TRAILING = ".,;:!?)]}»”’'\""  # noqa: RUF001 - typographic characters on purpose

# Decimal degrees with at least 4 decimals (~10 m): a rounded "60.17, 24.94" is a city, not
# a doorstep. Optional hemisphere letters before or after each number.
_DEC = r"[-+]?\d{1,3}[.,]\d{4,}"
_DECIMAL_PAIR = re.compile(
    rf"(?<![\w.,])(?:[NS]\s?)?(?P<lat>{_DEC})\s?°?\s?(?P<ns>[NS])?"
    rf"\s?[,;/ ]\s?(?:[EWOI]\s?)?(?P<lon>{_DEC})\s?°?\s?(?P<ew>[EWOI])?(?![\w])"
)
_DMS = r"\d{1,3}\s?°\s?\d{1,2}\s?['′]\s?(?:\d{1,2}(?:[.,]\d+)?\s?(?:\"|″|'')\s?)?"  # noqa: RUF001 - typographic characters on purpose
_DMS_PAIR = re.compile(rf"{_DMS}[NS][,;]?\s*{_DMS}[EWOI]\b")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,30}\b")


def _span(
    kind: SpanType, text: str, start: int, end: int, conf: float, source: str
) -> PersonalDataSpan:
    return PersonalDataSpan(kind, start, end, text[start:end], conf, source)


def detect_emails(text: str) -> list[PersonalDataSpan]:
    """E-mail addresses."""
    return [_span(SpanType.EMAIL, text, *m.span(), 0.99, "regex") for m in _EMAIL.finditer(text)]


def detect_urls(text: str) -> list[PersonalDataSpan]:
    """Links with a scheme, ``www.``, or a bare domain with a path; trailing punctuation
    is left out."""
    out = []
    for m in _URL.finditer(text):
        start, end = m.span()
        while end > start and text[end - 1] in _TRAILING:
            end -= 1
        out.append(_span(SpanType.URL, text, start, end, 0.95, "regex"))
    return out


def detect_handles(text: str) -> list[PersonalDataSpan]:
    """Social media handles such as ``@anna_v`` (not the domain part of an e-mail)."""
    out = []
    for m in _HANDLE.finditer(text):
        if m.group()[1:].isdigit():
            continue  # "@12" is a price or a time, not a handle
        out.append(_span(SpanType.HANDLE, text, *m.span(), 0.9, "regex"))
    return out


def _degrees(value: str) -> float:
    return float(value.replace(",", "."))


def detect_coordinates(text: str) -> list[PersonalDataSpan]:
    """Exact coordinates: decimal-degree pairs (≥ 4 decimals) and DMS pairs."""
    out = []
    for m in _DECIMAL_PAIR.finditer(text):
        lat, lon = _degrees(m.group("lat")), _degrees(m.group("lon"))
        if abs(lat) <= 90 and abs(lon) <= 180:
            out.append(_span(SpanType.COORDINATES, text, *m.span(), 0.9, "regex:decimal"))
    for m in _DMS_PAIR.finditer(text):
        out.append(_span(SpanType.COORDINATES, text, *m.span(), 0.95, "regex:dms"))
    return out


def detect_ibans(text: str) -> list[PersonalDataSpan]:
    """IBANs, spaced or not, confirmed by their mod-97 check digits (stdnum.iban).

    The regex may overrun into a following word, so the longest valid prefix that ends at
    a group boundary is taken.
    """
    out = []
    for m in _IBAN.finditer(text):
        start, candidate = m.start(), m.group()
        for end in range(len(candidate), 14, -1):
            if end < len(candidate) and " " in candidate and candidate[end] != " ":
                continue  # a spaced IBAN ends where a group ends
            piece = candidate[:end]
            if not piece.endswith(" ") and stdnum_iban.is_valid(piece):
                out.append(_span(SpanType.IBAN, text, start, start + end, 0.99, "stdnum.iban"))
                break
    return out
