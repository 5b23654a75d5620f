"""Is a redacted value still in what was heard? The release check's comparison, on text.

Publishing transcribes the anonymised audio again around every redacted stretch; this
module says whether that transcript still holds a redacted value: a word of a name (or of
an address, an e-mail …) or a run of three or more digits of a redacted number. Both
sides are compared after :func:`normalise_spoken`, so "oh seven seven" counts as "077".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from media_pipeline.privacy.spoken import normalise_spoken

# Three digits in a row are enough to start rebuilding a phone or identity number.
MIN_DIGIT_RUN = 3
# Shorter words ("on", "Mr") say nothing about a person on their own.
MIN_WORD_LETTERS = 3
# How much of a name a heard word must share to count as the name inflected
# ("Virtasen" for "Virtanen", "Maijan" for "Maija").
_KEEP_STEM = 3


@dataclass(frozen=True, slots=True)
class Secret:
    """A redacted value: its personal-data type and the text that was hidden."""

    type: str
    text: str


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"[^\W\d_]+", text.casefold()) if len(w) >= MIN_WORD_LETTERS]


def _digit_runs(text: str, language: str) -> list[str]:
    """Runs of digits as heard, groups joined ("07700 910-123" is one run)."""
    spoken = normalise_spoken(text, language).text
    return [re.sub(r"\D", "", m) for m in re.findall(r"\d(?:[\d\s.,\-\u2013/]*\d)?", spoken)]


def _same_word(heard: str, secret: str) -> bool:
    if heard == secret:
        return True
    stem = max(4, len(secret) - _KEEP_STEM)
    return len(heard) >= stem and len(secret) >= stem and heard[:stem] == secret[:stem]


def audible(heard: str, secrets: Sequence[Secret], language: str) -> list[Secret]:
    """The secrets of which ``heard`` still holds a word or a run of ≥ 3 digits."""
    heard_words = _words(heard)
    heard_runs = [r for r in _digit_runs(heard, language) if len(r) >= MIN_DIGIT_RUN]
    found = []
    for secret in secrets:
        digits = "".join(_digit_runs(secret.text, language))
        leaked_digits = len(digits) >= MIN_DIGIT_RUN and any(
            run[i : i + MIN_DIGIT_RUN] in digits
            for run in heard_runs
            for i in range(len(run) - MIN_DIGIT_RUN + 1)
        )
        leaked_word = any(_same_word(h, s) for s in _words(secret.text) for h in heard_words)
        if leaked_digits or leaked_word:
            found.append(secret)
    return found
