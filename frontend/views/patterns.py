"""Patterns in what reporters answered about their stories: per question and per area,
for a drive, and beside it for the stories of one theme (stories.domain.questions)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from frontend.views.common import clean_param, current_language, localised
from frontend.views.console import curators_only
from stories.domain import area_map, coverage, questions
from stories.models import Drive, Theme


@localised
@curators_only
def patterns(request: HttpRequest) -> HttpResponse:
    """Distributions of the drive's answers, compared with one theme's stories."""
    drives = Drive.objects.order_by("title").only("slug", "title", "questions", "areas")
    slug = clean_param(request.GET.get("drive", ""), 80)
    drive = get_object_or_404(Drive, slug=slug) if slug else drives.first()
    theme = clean_param(request.GET.get("theme", ""), 40)
    language = current_language()
    context: dict[str, object] = {
        "drives": drives,
        "drive": drive,
        "themes": Theme.objects.order_by("position", "slug"),
        "theme": theme,
        "small": coverage.SMALL_COUNT,
    }
    if drive is not None:
        everyone = questions.distributions(drive, language)
        compared = questions.distributions(drive, language, theme) if theme else None
        context["rows"] = [
            {
                "prompt": d.question.prompt,
                "cells": [
                    (cell, compared[i].cells[j] if compared else None)
                    for j, cell in enumerate(d.cells)
                ],
            }
            for i, d in enumerate(everyone)
        ]
        area_counts = questions.area_counts(drive)
        names = {o.key: o.label for o in questions.areas_of(drive, language)}
        context["shapes"], context["map_height"] = area_map.draw(drive.areas, names, area_counts)
    return render(request, "frontend/console/patterns.html", context)
