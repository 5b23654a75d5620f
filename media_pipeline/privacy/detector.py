"""``detect``: run every detector over a text and resolve their overlaps."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from media_pipeline.privacy.gazetteer import Gazetteer, load_gazetteer
from media_pipeline.privacy.known import detect_known
from media_pipeline.privacy.locations import (
    detect_addresses,
    detect_postcodes,
    detect_spoken_addresses,
)
from media_pipeline.privacy.names import detect_names
from media_pipeline.privacy.national_ids import detect_national_ids
from media_pipeline.privacy.phones import detect_phones, detect_phones_in_context, regions_for
from media_pipeline.privacy.spans import PersonalDataSpan, resolve_overlaps
from media_pipeline.privacy.spoken import SpokenText, normalise_spoken
from media_pipeline.privacy.structured import (
    detect_coordinates,
    detect_emails,
    detect_handles,
    detect_ibans,
    detect_urls,
)


def detect(
    text: str,
    language: str,
    *,
    known_identifiers: Iterable[str] = (),
    region: str | None = None,
    gazetteer: Gazetteer | Path | str | None = None,
    min_confidence: float = 0.5,
) -> list[PersonalDataSpan]:
    """Personal data in ``text``, as non-overlapping spans in text order.

    ``language`` is the story's language code ("en", "fi", "sv", "de"; others get the
    language-independent detectors and English-like name rules). ``region`` (ISO 3166
    alpha-2, e.g. "FI") is the story's country, used for national phone formats and to
    prefer the local identity-number scheme; it defaults from the language.
    Numbers are also looked for with spoken number words read as digits ("nolla neljä
    nolla …", "oh seven seven …") and look-alike letters in digit runs fixed ("07-I-11");
    such spans are reported in the original text's offsets and cover every word spoken.
    ``known_identifiers`` are the reporter's account and display names. ``gazetteer`` is a
    loaded gazetteer or a path to one (default: ``gazetteer_path()``, loaded once per
    process). Raises ``GazetteerMissing`` when no gazetteer has been built.
    """
    language = (language or "en").split("-")[0].lower()
    if not isinstance(gazetteer, Gazetteer):
        gazetteer = load_gazetteer(gazetteer)
    id_region = region or regions_for(language, None)[0]
    candidates: list[PersonalDataSpan] = [
        *detect_emails(text),
        *detect_urls(text),
        *detect_handles(text),
        *detect_coordinates(text),
        *detect_ibans(text),
        *detect_national_ids(text, id_region),
        *_numbers(text, language, region),
        *detect_postcodes(text, language, gazetteer),
        *detect_known(text, known_identifiers, language),
        *detect_names(text, language, gazetteer),
    ]
    return resolve_overlaps(s for s in candidates if s.confidence >= min_confidence)


def _numbers(text: str, language: str, region: str | None) -> list[PersonalDataSpan]:
    """Phone numbers and addresses in the text as written and with spoken numbers as
    digits, all in original offsets.

    Both are searched because a number word next to typed digits ("0161 496 0734 three
    times") would otherwise spoil a valid number; overlap resolution keeps one of each.
    """
    spoken = normalise_spoken(text, language)
    versions = [spoken] if not spoken.changed else [normalise_spoken(text, ""), spoken]
    found: list[PersonalDataSpan] = []
    for version in versions:
        spans = [
            *detect_phones(version.text, language, region),
            *detect_phones_in_context(version.text, language, region),
            *detect_addresses(version.text),
            *detect_spoken_addresses(version.text),
        ]
        found.extend(_to_original(span, version) for span in spans)
    return found


def _to_original(span: PersonalDataSpan, spoken: SpokenText) -> PersonalDataSpan:
    if not spoken.changed:
        return span
    start, end = spoken.to_original(span.start, span.end)
    return replace(span, start=start, end=end, text=spoken.original[start:end])
