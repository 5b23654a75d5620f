"""Offline language detection with py3langid.

Stories come mostly in the official EU languages, so detection is restricted to them by
default: on short texts the unrestricted model happily answers Breton or Esperanto. A text
the full model is sure is some other language (Somali, Arabic, Russian...) is reported as
such, so the tagger can say it has no lexicon for it instead of mis-tagging it.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any

UNDETERMINED = "und"

# Official EU languages that py3langid knows (it has no Maltese-specific gap; all 24 are there).
EU_LANGUAGES: tuple[str, ...] = (
    "bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr",
    "hu", "it", "lt", "lv", "mt", "nl", "pl", "pt", "ro", "sk", "sl", "sv",
)  # fmt: skip

# The unrestricted model must be at least this sure before a non-EU answer wins.
NON_EU_CONFIDENCE = 0.9
# Fewer letters than this cannot be identified meaningfully.
MIN_LETTERS = 3

_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_lock = threading.Lock()


@lru_cache(maxsize=8)
def _identifier(languages: tuple[str, ...] | None) -> Any:
    # Each restriction gets its own identifier: set_languages mutates the model in place.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    if languages:
        ident.set_languages(list(languages))
    return ident


def detect_language(
    text: str, candidates: tuple[str, ...] | None = EU_LANGUAGES
) -> tuple[str, float]:
    """Detect the language of ``text``; returns ``(ISO 639-1 code, probability)``.

    ``candidates`` restricts the answer (default: official EU languages) unless the
    unrestricted model is very sure of another language; ``None`` allows all ~140 languages
    py3langid knows. Text without enough letters gives ``("und", 0.0)``.
    """
    if len(_LETTER.findall(text)) < MIN_LETTERS:
        return UNDETERMINED, 0.0
    with _lock:  # py3langid identifiers are not documented as thread-safe
        if candidates is None:
            code, prob = _identifier(None).classify(text)
            return str(code), float(prob)
        full_code, full_prob = _identifier(None).classify(text)
        if full_code not in candidates and full_prob >= NON_EU_CONFIDENCE:
            return str(full_code), float(full_prob)
        code, prob = _identifier(tuple(sorted(candidates))).classify(text)
    return str(code), float(prob)
