"""Phone numbers, international or in the national format of the story's region."""

from __future__ import annotations

import re
from itertools import pairwise

import phonenumbers

from media_pipeline.privacy.spans import PersonalDataSpan, SpanType

# Default regions to try per language when the story has no region: national formats
# ("040 123 4567") only parse against the right region. Finland-Swedish stories use
# Finnish numbers, German ones may be Austrian or Swiss.
LANGUAGE_REGIONS: dict[str, tuple[str, ...]] = {
    "fi": ("FI",),
    "sv": ("SE", "FI"),
    "de": ("DE", "AT", "CH"),
    "en": ("GB", "IE"),
    "et": ("EE",),
    "da": ("DK",),
    "nb": ("NO",),
    "no": ("NO",),
    "nl": ("NL", "BE"),
    "pl": ("PL",),
    "es": ("ES",),
    "it": ("IT",),
    "fr": ("FR", "BE"),
    "pt": ("PT",),
}


def regions_for(language: str, region: str | None) -> list[str]:
    """Regions whose national formats are accepted, the story's own first."""
    regions = [region.upper()] if region else []
    for candidate in LANGUAGE_REGIONS.get(language, ("GB",)):
        if candidate not in regions:
            regions.append(candidate)
    return regions


def detect_phones(text: str, language: str, region: str | None = None) -> list[PersonalDataSpan]:
    """Valid phone numbers (phonenumbers' VALID leniency: the number must exist in the
    numbering plan, which rules out most dates, amounts and case numbers)."""
    found: dict[tuple[int, int], PersonalDataSpan] = {}
    for default_region in regions_for(language, region):
        matcher = phonenumbers.PhoneNumberMatcher(
            text, default_region, leniency=phonenumbers.Leniency.VALID
        )
        for match in matcher:
            key = (match.start, match.end)
            if key in found:
                continue
            number_region = phonenumbers.region_code_for_number(match.number)
            confidence = 0.9 if match.raw_string.lstrip().startswith(("+", "00")) else 0.8
            found[key] = PersonalDataSpan(
                SpanType.PHONE,
                match.start,
                match.end,
                match.raw_string,
                confidence,
                f"phonenumbers:{number_region or default_region}",
            )
    return list(found.values())


# Words that say a number nearby is a phone number, per language (matched as word
# prefixes, case-insensitively: "soita" covers "soitat", "numero" covers "numeroon").
PHONE_CONTEXT: dict[str, tuple[str, ...]] = {
    "en": (
        "call",
        "phone",
        "number",
        "mobile",
        "cell",
        "ring",
        "text",
        "whatsapp",
        "reach me",
        "dial",
    ),
    "fi": (
        "puhelin",
        "numero",
        "soita",
        "soitt",
        "soitin",
        "kännykk",
        "känny",
        "tekstar",
        "whatsapp",
    ),
    "sv": ("ring", "nummer", "numret", "telefon", "mobil", "samtal", "sms", "whatsapp"),
    "de": ("telefon", "nummer", "handy", "anruf", "ruf", "mobil", "erreich", "whatsapp", "sms"),
}
# Digits with single spaces, hyphens or slashes between them; dots are left out so that
# dates and times ("12.03.2024", "14.30") never form a run.
_DIGIT_RUN = re.compile(r"(?<![\w+])\+?\d(?:[ \-/]?\(?\d\)?)+(?![\w])")
# Case and file numbers start with a year: "2024-004512".
_YEAR_PREFIXED = re.compile(r"(?:19|20)\d\d[-/]")
# National numbers in these regions start with the trunk prefix 0, international ones
# with + or 00: a run that starts otherwise is a ticket, amount or identity number.
_PHONE_START = ("0", "+")
_MIN_DIGITS = 7
_MAX_DIGITS = 15
_LONG_RUN = 9  # this long, a run near a phone word is a phone number, possible or not
_CONTEXT_WORDS_BEFORE = 8
_CONTEXT_WORDS_AFTER = 4
_WORD = re.compile(r"[^\W\d_]+")


def _context_prefixes(language: str) -> tuple[str, ...]:
    """Phone words for ``language``; every language's when it has no list of its own."""
    if language in PHONE_CONTEXT:
        return PHONE_CONTEXT[language]
    return tuple(word for words in PHONE_CONTEXT.values() for word in words)


def phone_context_near(text: str, start: int, end: int, language: str) -> bool:
    """Whether a phone word is within a few words before or after ``text[start:end]``.

    Speech-recognition text has little punctuation, so the window counts words rather
    than stopping at a sentence end.
    """
    before = _WORD.findall(text[:start])[-_CONTEXT_WORDS_BEFORE:]
    after = _WORD.findall(text[end:])[:_CONTEXT_WORDS_AFTER]
    prefixes = _context_prefixes(language)
    words = [w.casefold() for w in (*before, *after)]
    # Two-word cues ("reach me") are matched against neighbouring word pairs.
    pairs = [f"{a} {b}" for a, b in pairwise(words)]
    return any(w.startswith(prefixes) for w in (*words, *pairs))


def _possible(candidate: str, regions: list[str]) -> bool:
    for region in regions:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_possible_number(number):
            return True
    return False


def detect_phones_in_context(
    text: str, language: str, region: str | None = None
) -> list[PersonalDataSpan]:
    """Phone numbers that need a phone word nearby: possible but not valid numbers
    (reserved drama ranges such as 07700 900xxx, misheard digits) and long digit runs,
    starting with 0 or + as phone numbers in the supported regions do.

    Valid numbers are found without context by ``detect_phones``; these are weaker
    evidence, so a nearby "call", "soita", "ring" or "anrufen" is required.
    """
    regions = regions_for(language, region)
    out = []
    for m in _DIGIT_RUN.finditer(text):
        candidate = m.group()
        digits = sum(c.isdigit() for c in candidate)
        if not candidate.startswith(_PHONE_START) or _YEAR_PREFIXED.match(candidate):
            continue
        if not _MIN_DIGITS <= digits <= _MAX_DIGITS:
            continue
        if digits < _LONG_RUN and not _possible(candidate, regions):
            continue
        if phone_context_near(text, m.start(), m.end(), language):
            out.append(
                PersonalDataSpan(
                    SpanType.PHONE, m.start(), m.end(), candidate, 0.7, "digits+context"
                )
            )
    return out
