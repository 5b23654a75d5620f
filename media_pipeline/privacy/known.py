"""The reporter's own account name and display name, wherever they appear in the text."""

from __future__ import annotations

import re
from collections.abc import Iterable

from media_pipeline.privacy.finnish import finnish_base_forms
from media_pipeline.privacy.spans import PersonalDataSpan, SpanType

REPORTER_KEY = "reporter"
_WORD = re.compile(r"[^\W\d_]+(?:[-'’:][^\W\d_]+)*")  # noqa: RUF001 - typographic characters on purpose
_MIN_PART = 3  # "Li" or "Jo" alone would match far too much


def detect_known(text: str, identifiers: Iterable[str], language: str) -> list[PersonalDataSpan]:
    """Mentions of the reporter's identifiers (case-insensitive, whole words).

    Each identifier is matched whole (with an optional leading "@"); a multi-word display
    name is also matched word by word ("Mikko" from "Mikko Virtanen"), inflected forms
    included in Finnish ("Mikolle"). All spans share one key: they are the same person.
    """
    out: list[PersonalDataSpan] = []
    parts: set[str] = set()
    for identifier in identifiers:
        identifier = identifier.strip()
        if len(identifier) < 2:
            continue
        pattern = re.compile(rf"(?<![\w@])@?{re.escape(identifier)}(?!\w)", re.IGNORECASE)
        for m in pattern.finditer(text):
            out.append(
                PersonalDataSpan(
                    SpanType.KNOWN_IDENTIFIER, *m.span(), m.group(), 0.99, "known", REPORTER_KEY
                )
            )
        words = _WORD.findall(identifier)
        if len(words) > 1:
            parts.update(w.casefold() for w in words if len(w) >= _MIN_PART)
    if parts:
        for m in _WORD.finditer(text):
            word = m.group()
            forms = finnish_base_forms(word) if language == "fi" else [word]
            if any(form.casefold() in parts for form in forms):
                out.append(
                    PersonalDataSpan(
                        SpanType.KNOWN_IDENTIFIER,
                        *m.span(),
                        word,
                        0.9,
                        "known:part",
                        REPORTER_KEY,
                    )
                )
    return out
