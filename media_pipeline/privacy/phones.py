"""Phone numbers, international or in the national format of the story's region."""

from __future__ import annotations

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
