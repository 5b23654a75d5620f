"""``detect``: run every detector over a text and resolve their overlaps."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from media_pipeline.privacy.gazetteer import Gazetteer, load_gazetteer
from media_pipeline.privacy.known import detect_known
from media_pipeline.privacy.locations import detect_addresses, detect_postcodes
from media_pipeline.privacy.names import detect_names
from media_pipeline.privacy.national_ids import detect_national_ids
from media_pipeline.privacy.phones import detect_phones, regions_for
from media_pipeline.privacy.spans import PersonalDataSpan, resolve_overlaps
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
        *detect_phones(text, language, region),
        *detect_addresses(text),
        *detect_postcodes(text, language, gazetteer),
        *detect_known(text, known_identifiers, language),
        *detect_names(text, language, gazetteer),
    ]
    return resolve_overlaps(s for s in candidates if s.confidence >= min_confidence)
