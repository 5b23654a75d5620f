"""Who is being heard: counts of stories by theme, language, week, status and drive.

Withdrawn stories are left out of every count but the one by status: they are no longer
anyone's story to count. Small counts are shown as "< 5" so no one can be singled out, and
every other figure is rounded to a base of 5: the page shows the same stories cut several
ways (per language, and per drive and language; per status), so an exact total minus the
cells beside a hidden one would give the hidden one away. Rounded, it cannot.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from stories.enums import StoryStatus, ThemeTagState
from stories.models import Drive, Story, Theme

SMALL_COUNT = 5  # counts below this are shown as "< 5"
UNKNOWN = "?"  # a story without a language, or a week that could not be computed

Rows = list[tuple[str, int]]


def _live() -> QuerySet[Story]:
    return Story.objects.exclude(status=StoryStatus.WITHDRAWN)


def per_theme(language: str) -> Rows:
    """Stories per confirmed theme, in taxonomy order, labelled in ``language`` (else English)."""
    confirmed = Q(tags__state=ThemeTagState.CONFIRMED) & ~Q(
        tags__story__status=StoryStatus.WITHDRAWN
    )
    counted = (
        Theme.objects.annotate(n=Count("tags__story", filter=confirmed, distinct=True))
        # Django leaves Meta.ordering out of aggregating queries, so it is spelled out here.
        .order_by("position", "slug")
        .values_list("slug", "labels", "n")
    )
    return [(labels.get(language) or labels.get("en") or slug, n) for slug, labels, n in counted]


def per_language() -> Rows:
    """Stories per language, most first."""
    counted = _live().values_list("language").annotate(n=Count("id")).order_by("-n")
    return [(language or UNKNOWN, n) for language, n in counted]


def per_week(weeks: int = 12) -> Rows:
    """Stories submitted per week (by the week's Monday) over the last ``weeks`` weeks."""
    since = timezone.now() - datetime.timedelta(weeks=weeks)
    counted = (
        _live()
        .filter(submitted_at__gte=since)
        .annotate(week=TruncWeek("submitted_at"))
        .values_list("week")
        .annotate(n=Count("id"))
        .order_by("week")
    )
    return [(week.strftime("%Y-%m-%d") if week else UNKNOWN, n) for week, n in counted]


def per_status() -> dict[str, int]:
    """Stories per status, withdrawn ones included; a status with none is missing."""
    counted = Story.objects.values_list("status").annotate(n=Count("id"))
    return dict(counted.values_list("status", "n"))


def per_drive_and_language() -> dict[str, dict[str, int]]:
    """``{drive slug: {language: stories}}``."""
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for slug, language, n in _live().values_list("drive__slug", "language").annotate(n=Count("id")):
        counts[slug][language or UNKNOWN] = n
    return dict(counts)


def expected_languages() -> dict[str, list[str]]:
    """``{drive slug: [languages it hopes to hear]}``, as each drive's organisers set it."""
    return {
        slug: [str(code) for code in languages or []]
        for slug, languages in Drive.objects.values_list("slug", "expected_languages")
    }


def rounded(n: int) -> int:
    """``n`` to the nearest multiple of ``SMALL_COUNT`` (halves up); 1 to 4 become 0."""
    return (n + SMALL_COUNT // 2) // SMALL_COUNT * SMALL_COUNT if n >= SMALL_COUNT else 0


def suppressed(n: int) -> str:
    """``n`` as shown to people: 0 as "0", 1 to 4 as "< 5", anything else ``rounded``."""
    if n == 0:
        return "0"
    return f"< {SMALL_COUNT}" if n < SMALL_COUNT else str(rounded(n))


def chart(rows: Rows) -> list[dict[str, Any]]:
    """Rows for a bar chart, suppressed as the table is: label, text shown, and the bar's
    width in percent of the largest (from the rounded figures: a bar is a figure too)."""
    top = max((rounded(n) for _, n in rows), default=0) or 1
    return [
        {"label": label, "n": suppressed(n), "pct": round(100 * rounded(n) / top)}
        for label, n in rows
    ]


def hearing_table(
    counts: dict[str, dict[str, int]], expected: dict[str, list[str]]
) -> tuple[list[str], list[dict[str, Any]]]:
    """Who is and is not being heard: stories per drive and language, small counts
    suppressed, and each language a drive expects but has no story in marked unheard.

    ``counts`` is {drive: {language: n}}; ``expected`` is {drive: [languages]}. Drives
    with neither stories nor expected languages are left out.
    """
    columns = sorted(
        {lang for row in counts.values() for lang in row}
        | {lang for langs in expected.values() for lang in langs}
    )
    rows = []
    for drive in sorted(set(counts) | {d for d, langs in expected.items() if langs}):
        row = counts.get(drive, {})
        wanted = set(expected.get(drive, []))
        cells = [
            {"text": suppressed(row.get(lang, 0)), "unheard": lang in wanted and not row.get(lang)}
            for lang in columns
        ]
        rows.append({"drive": drive, "cells": cells})
    return columns, rows
