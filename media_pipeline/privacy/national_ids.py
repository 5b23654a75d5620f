"""National identity numbers: regex candidates confirmed by python-stdnum checksums.

A candidate whose checksum (or embedded birth date) fails is not reported as an identity
number; it may still be reported by another detector (a phone number, say) on its own
merits. Danish CPR numbers carry no checksum since 2007 (only a date), and Dutch BSNs use a
weak 11-test, so those need a keyword nearby or the story's region.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from media_pipeline.privacy.spans import PersonalDataSpan, SpanType


@dataclass(frozen=True, slots=True)
class _Scheme:
    module: str  # stdnum module, e.g. "fi.hetu"
    pattern: re.Pattern[str]
    region: str
    needs_context: bool = False  # no real checksum: a keyword or the region must confirm
    confidence: float = 0.95


_ELEVEN = re.compile(r"(?<![\d.,/-])\d{11}(?![\d.,]\d)")
SCHEMES: tuple[_Scheme, ...] = (
    _Scheme("fi.hetu", re.compile(r"\b\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]\b"), "FI"),
    _Scheme(
        "se.personnummer",
        re.compile(r"(?<![\d.,/-])(?:19|20)?\d{6}[-+]?\d{4}(?![\d.,]\d)"),
        "SE",
    ),
    _Scheme("no.fodselsnummer", re.compile(r"(?<![\d.,/-])\d{6} ?\d{5}(?![\d.,]\d)"), "NO"),
    _Scheme("ee.ik", _ELEVEN, "EE"),
    _Scheme("pl.pesel", _ELEVEN, "PL"),
    _Scheme("lt.asmens", _ELEVEN, "LT"),
    _Scheme(
        "de.idnr",
        re.compile(r"(?<![\d.,/-])(?:\d{11}|\d{2} \d{3} \d{3} \d{3})(?![\d.,]\d)"),
        "DE",
    ),
    _Scheme(
        "be.nn",
        re.compile(r"(?<![\d.,/-])\d{2}\.?\d{2}\.?\d{2}-?\d{3}\.?\d{2}(?![\d.,]\d)"),
        "BE",
    ),
    _Scheme("es.dni", re.compile(r"\b\d{8}-?[A-Z]\b"), "ES"),
    _Scheme("es.nie", re.compile(r"\b[XYZ]-?\d{7}-?[A-Z]\b"), "ES"),
    _Scheme(
        "it.codicefiscale",
        re.compile(
            r"\b[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-EHLMPR-T][0-9LMNPQRSTUV]{2}[A-Z]"
            r"[0-9LMNPQRSTUV]{3}[A-Z]\b"
        ),
        "IT",
    ),
    _Scheme(
        "fr.nir",
        re.compile(r"\b[12] ?\d{2} ?\d{2} ?(?:\d{2}|2A|2B) ?\d{3} ?\d{3} ?\d{2}\b"),
        "FR",
    ),
    _Scheme(
        "nl.bsn",
        re.compile(r"(?<![\d.,/-])(?:\d{9}|\d{4}\.\d{2}\.\d{3})(?![\d.,]\d)"),
        "NL",
        needs_context=True,
    ),
    _Scheme(
        "dk.cpr",
        re.compile(r"(?<![\d.,/-])\d{6}-?\d{4}(?![\d.,]\d)"),
        "DK",
        needs_context=True,
    ),
)

_KEYWORDS = re.compile(
    r"\b(?:henkilötunnus|hetu|sotu|personnummer|personnr|fødselsnummer|fødselsnr|isikukood|"
    r"pesel|dni|codice fiscale|bsn|burgerservicenummer|sofinummer|cpr|steuer-?id|"
    r"idnr|identifikationsnummer|identification number|id number|id-nummer|id-nr|"
    r"tunnus|ssn|national insurance|rijksregister)",
    re.IGNORECASE,
)
_CONTEXT_CHARS = 40


@cache
def _validator(module: str) -> Any:
    return importlib.import_module(f"stdnum.{module}")


def _has_keyword(text: str, start: int) -> bool:
    return _KEYWORDS.search(text, max(0, start - _CONTEXT_CHARS), start) is not None


def detect_national_ids(text: str, region: str | None = None) -> list[PersonalDataSpan]:
    """Checksum-valid national identity numbers; ``source`` names the stdnum module.

    The story's region's scheme is tried first, so an ambiguous 11-digit number is
    labelled by the local scheme when several schemes accept it.
    """
    region = (region or "").upper()
    schemes = sorted(SCHEMES, key=lambda s: s.region != region)
    found: dict[tuple[int, int], PersonalDataSpan] = {}
    for scheme in schemes:
        for m in scheme.pattern.finditer(text):
            if m.span() in found:
                continue
            keyword = _has_keyword(text, m.start())
            if scheme.needs_context and not (keyword or scheme.region == region):
                continue
            try:
                valid = _validator(scheme.module).is_valid(m.group())
            except Exception:  # stdnum raises odd errors on odd input
                valid = False
            if valid:
                confidence = 0.99 if keyword else scheme.confidence
                found[m.span()] = PersonalDataSpan(
                    SpanType.NATIONAL_ID,
                    m.start(),
                    m.end(),
                    m.group(),
                    confidence,
                    f"stdnum.{scheme.module}",
                )
    return list(found.values())
