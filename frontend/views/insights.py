"""Insights reports for curators: on a console page, and as HTML or PDF to take along."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from frontend.pdf import html_to_pdf
from frontend.views.common import clean_param, current_language, localised
from frontend.views.console import curators_only
from stories.domain import coverage, insights, summaries
from stories.models import Collection, Drive, Theme

EXPORTS = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}


def _chosen(request: HttpRequest) -> insights.Scope | None:
    kind = clean_param(request.GET.get("scope", ""), 20)
    slug = clean_param(request.GET.get("slug", ""), 80)
    if not kind or not slug:
        return None
    try:
        return insights.scope(kind, slug, current_language())
    except insights.UnknownScope as error:
        raise Http404("No such drive, theme or collection.") from error


def _context(request: HttpRequest, report: insights.Report) -> dict[str, object]:
    return {
        "report": report,
        "summary": summaries.summarise(report, current_language()),
        "story_base": request.build_absolute_uri("/stories/"),
        "small": coverage.SMALL_COUNT,
    }


@localised
@curators_only
def insights_page(request: HttpRequest) -> HttpResponse:
    """Choose a drive, theme or collection; see its report, with export links."""
    chosen = _chosen(request)
    context: dict[str, object] = {
        "drives": Drive.objects.order_by("title").only("slug", "title"),
        "themes": Theme.objects.order_by("position", "slug").only("slug", "labels"),
        "collections": Collection.objects.order_by("title").only("slug", "title"),
        "chosen": chosen,
    }
    if chosen is not None:
        context |= _context(request, insights.report(chosen))
    return render(request, "frontend/console/insights.html", context)


@localised
@curators_only
def insights_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The report as a standalone HTML page or a PDF, downloaded."""
    chosen = _chosen(request)
    if chosen is None or fmt not in EXPORTS:
        raise Http404("Choose a drive, theme or collection.")
    html = render_to_string(
        "frontend/insights/report.html", _context(request, insights.report(chosen)), request
    )
    body: str | bytes = html_to_pdf(html) if fmt == "pdf" else html
    response = HttpResponse(body, content_type=EXPORTS[fmt])
    name = f"tarina-insights-{chosen.kind}-{chosen.slug}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
