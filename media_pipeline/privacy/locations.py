"""Street addresses with house numbers, and postcodes in context.

Decided policy (docs/privacy-detection.md): a street address with a house number is
personal (it points at a home); a city or a street name alone is not, and is left in the
story. Postcodes are flagged when they look like postcodes in context: followed by a place
name ("00100 Helsinki"), carrying a country prefix ("SE-114 55", "D-10115"), or in the
distinctive UK shape ("SW1A 1AA").
"""

from __future__ import annotations

import re

from media_pipeline.privacy.cues import words
from media_pipeline.privacy.gazetteer import PLACE, Gazetteer
from media_pipeline.privacy.spans import PersonalDataSpan, SpanType

_UP = "A-ZÅÄÖÜÆØ"
_LOW = "a-zåäöüßæøéè"
# House number, then optional staircase letter and flat number: "12 B 5", "12a", "5 lgh 1102".
_NUMBER = rf"\d{{1,4}}(?:(?:[a-zA-H]|\s[A-H])(?![{_LOW}]))?(?:\s?[-–]\s?\d{{1,4}})?"  # noqa: RUF001 - typographic characters on purpose
# Finnish: "12 B 5", "40 A 12", "3 as. 4", "7c".
_FI_NUMBER = (
    rf"\d{{1,4}}(?:[a-h](?![{_LOW}])|\s?[-–]\s?\d{{1,4}})?"  # noqa: RUF001 - typographic characters on purpose
    rf"(?:\s[A-H](?![{_LOW}])(?:\s?\d{{1,3}})?)?(?:\s(?:as\.?|asunto)\s?\d{{1,3}})?"
)
_SV_FLAT = r"(?:,?\s(?:lgh|lägenhet)\.?\s?\d{3,4})?"

_FI_STREET = (
    r"(?:katu|kadu[a-zäö]*|tie|tien|tiellä|tiel[a-zäö]+|kuja[a-zäö]*|polku|polu[a-zäö]*|"
    r"kaari|kaare[a-zäö]*|väylä[a-zäö]*|tori|torilla|torin|raitti|raiti[a-zäö]*|"
    r"ranta|rannan|rannalla|puistikko|rinne|rinteen|aukio|mäentie|portti|penger)"
)
_SV_STREET = (
    r"(?:gatan|gata|vägen|väg|gränd|gränden|torget|torg|allén|allé|backe|backen|stigen|"
    r"plan|platsen|leden|stråket|kajen)"
)
_DE_STREET = r"(?:straße|strasse|str\.|weg|platz|allee|gasse|ring|damm|ufer|chaussee|steig|pfad)"
_DE_WORD = r"(?:Straße|Strasse|Str\.|Weg|Platz|Allee|Gasse|Ring|Damm|Ufer|Chaussee)"
_EN_STREET = (
    r"(?:Street|St\.?|Road|Rd\.?|Avenue|Ave\.?|Lane|Drive|Close|Way|Place|Terrace|Crescent|"
    r"Court|Gardens|Square|Grove|Row|Mews|Hill|Walk|Parade|Rise|View)"
)

_ADDRESSES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "regex:fi",
        re.compile(rf"\b[{_UP}][{_LOW}-]*{_FI_STREET}\s{_FI_NUMBER}(?![\d])"),
    ),
    ("regex:sv", re.compile(rf"\b[{_UP}][{_LOW}-]*{_SV_STREET}\s{_NUMBER}{_SV_FLAT}(?![\d])")),
    (
        "regex:de",
        re.compile(
            rf"\b(?:[{_UP}][{_LOW}-]*{_DE_STREET}|[{_UP}][{_LOW}]+(?:er|sche|sches)?\s{_DE_WORD}"
            rf"|(?:Am|An der|Im|In der|Auf der|Auf dem|Unter den|Zum|Zur)\s[{_UP}][{_LOW}]+)"
            rf"\s{_NUMBER}(?![\d])"
        ),
    ),
    (
        "regex:en",
        re.compile(
            rf"\b(?:(?:Flat|Apartment|Apt\.?|Unit)\s\d{{1,4}}[A-Za-z]?,?\s)?\d{{1,4}}[A-Za-z]?,?"
            rf"\s(?:[{_UP}][{_LOW}]+\s){{1,3}}{_EN_STREET}(?![\w])"
        ),
    ),
)

_POSTCODE_PREFIXED = re.compile(
    r"\b(?:FI|SE|S|DE|D|AT|A|CH|DK|NO|EE|PL|NL|BE|FR|ES|IT)-\s?\d{3}\s?\d{1,2}\b"
)
_POSTCODE_5 = re.compile(rf"(?<![\d.,:/-])(?:\d{{5}}|\d{{3}} \d{{2}})(?=,?\s+[{_UP}][{_LOW}])")
_POSTCODE_4 = re.compile(rf"(?<![\d.,:/-])\d{{4}}(?=\s+[{_UP}][{_LOW}])")
_UK_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b")
_NEXT_WORD = re.compile(rf",?\s+([{_UP}][{_LOW}-]+)")
# Capitalised words that follow a number without being a town (nouns in German, units).
_NOT_TOWNS = words(
    "Euro Euroa Eur Kronor Kruunua Kr Menschen Personen Leute Besucher Unterschriften "
    "Einwohner Stunden Minuten Tage Jahre Meter Kilometer Bücher Kinder Stimmen Namen "
    "Asukasta Ihmistä Nimeä Pounds People Visitors"
)


def detect_addresses(text: str) -> list[PersonalDataSpan]:
    """Street addresses with a house number, in Finnish, Swedish, German and English forms."""
    out = []
    for source, pattern in _ADDRESSES:
        for m in pattern.finditer(text):
            start, end = m.span()
            while end > start and text[end - 1] in " ,":
                end -= 1
            out.append(PersonalDataSpan(SpanType.ADDRESS, start, end, text[start:end], 0.9, source))
    return out


def _town_after(text: str, end: int, gazetteer: Gazetteer, language: str) -> float:
    """Confidence that the word after ``end`` is a town (0 when it is surely not)."""
    m = _NEXT_WORD.match(text, end)
    if m is None:
        return 0.0
    word = m.group(1)
    base = word.split("-")[0]
    if base in _NOT_TOWNS:
        return 0.0
    if gazetteer.lookup(base) & PLACE:
        return 0.9
    # German capitalises every noun, so only a known town will do; elsewhere a
    # capitalised word after a five-digit number is a town.
    return 0.0 if language == "de" else 0.7


def detect_postcodes(text: str, language: str, gazetteer: Gazetteer) -> list[PersonalDataSpan]:
    """Postcodes with context: a prefix, a following town, or the UK shape."""
    out = []
    for m in _POSTCODE_PREFIXED.finditer(text):
        out.append(PersonalDataSpan(SpanType.POSTCODE, *m.span(), m.group(), 0.9, "regex"))
    for m in _POSTCODE_5.finditer(text):
        if language != "sv" and " " in m.group():
            continue  # "114 55" is Swedish; elsewhere that is a number with a space
        confidence = _town_after(text, m.end(), gazetteer, language)
        if confidence:
            out.append(
                PersonalDataSpan(SpanType.POSTCODE, *m.span(), m.group(), confidence, "regex")
            )
    for m in _POSTCODE_4.finditer(text):
        # Four digits before a word are mostly years ("2024 Helsinki"): only known towns,
        # and not 19xx/20xx.
        if (
            m.group()[:2] not in ("19", "20")
            and gazetteer.lookup(
                _NEXT_WORD.match(text, m.end()).group(1)  # type: ignore[union-attr]
            )
            & PLACE
        ):
            out.append(PersonalDataSpan(SpanType.POSTCODE, *m.span(), m.group(), 0.7, "regex"))
    for m in _UK_POSTCODE.finditer(text):
        out.append(PersonalDataSpan(SpanType.POSTCODE, *m.span(), m.group(), 0.85, "regex:uk"))
    return out


# Street words as speech recognition writes them: split off the street's name ("Stor
# gatan", "Kaivo Kato"), in lower case, or misheard by a vowel ("kato" for "katu").
_SPOKEN_STREET = (
    r"(?:katu|kato|kadu|kaatu|tie|kuja|polku|raitti|kaari|väylä|"
    r"gatan|gata|gaten|vägen|väg|vegen|gränd|gränden|"
    r"straße|strasse|strase|stras|weg|gasse|allee|"
    r"street|road|avenue|lane|crescent|terrace|grove)"
)
_SPOKEN_HOUSE = r"\d{1,4}(?:\s?[a-hA-H](?![\w]))?"
# Words that can stand before a street word without being a street's name ("on the
# road 5", "på gatan 12", "die Straße 3", "tie 4"): the name must not be one of these.
_NOT_STREET_NAMES = words(
    "the a an on in at of to my our this that down up across along from by they you she "
    "will can per each every "
    "på i vid en ett den min vår till från över längs "
    "die der den dem des ein eine einer auf an in im am zur zum von unsere meine "
    "se tämä tuo sen tällä koko iso pieni"
)
_NAME = r"[^\W\d_]{3,}"
_SPLIT_AFTER = re.compile(
    rf"(?<![\w])(?P<name>{_NAME})\s?-?(?P<street>{_SPOKEN_STREET})\s{_SPOKEN_HOUSE}(?![\d])",
    re.IGNORECASE,
)
_SPLIT_BEFORE = re.compile(
    rf"(?<![\w])\d{{1,4}}[a-hA-H]?\s(?P<name>{_NAME}(?:\s{_NAME})?)\s?-?(?P<street>{_SPOKEN_STREET})(?![\w])",
    re.IGNORECASE,
)


def detect_spoken_addresses(text: str) -> list[PersonalDataSpan]:
    """House numbers with a street that speech recognition split, lower-cased or misheard:
    "Stor gatan 12", "14 Kaivo Kato", "kaivokatu 14", "14 baker street".

    The number may come before or after; the street's name must be a word of its own or
    the street word's prefix, and not a function word ("på gatan 12" is no address).
    """
    out = []
    for pattern in (_SPLIT_AFTER, _SPLIT_BEFORE):
        for m in pattern.finditer(text):
            name_words = m.group("name").casefold().split()
            if any(w in _NOT_STREET_NAMES for w in name_words):
                continue
            out.append(
                PersonalDataSpan(SpanType.ADDRESS, *m.span(), m.group(), 0.8, "regex:spoken")
            )
    return out
