"""The curator console: review queue, story review, collections and a dashboard.

Pages are rendered here; the actions on them call the curators' REST API from
``static/frontend/console.js`` with the session cookie and the CSRF token.
"""

from __future__ import annotations

import datetime
import functools
import mimetypes
import os
import re
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.db.models.functions import TruncWeek
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.decorators import method_decorator

from frontend.templatetags.frontend import word
from frontend.views.common import clean_param, current_language, localised
from stories import rules
from stories.auth import client_address, is_blocked
from stories.domain import review, transcripts
from stories.enums import AssetRole, StoryStatus, ThemeTagState
from stories.models import Collection, Drive, MediaAsset, Redaction, Story, StoryTheme, Theme

SMALL_COUNT = 5  # counts below this are shown as "< 5" so no one can be singled out
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def curators_only(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Signed-in curators and admins; others are sent to log in, or refused (403)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        access = rules.curator_access(request.user)
        if access is rules.CuratorAccess.SIGN_IN:
            return redirect_to_login(request.get_full_path(), "/login/")
        if access is rules.CuratorAccess.REFUSED:
            raise PermissionDenied("Only curators use the console.")
        response = view(request, *args, **kwargs)
        response.setdefault("Cache-Control", "private, no-store")
        return response

    return wrapper


@method_decorator(localised, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "frontend/console/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form: Any) -> HttpResponse:
        """Too many failed sign-ins (stories.auth) are answered 429 with their own message."""
        throttled = is_blocked(self.request.POST.get("username", ""), client_address(self.request))
        response = self.render_to_response(self.get_context_data(form=form, throttled=throttled))
        if throttled:
            response.status_code = 429
        return response

    def get_default_redirect_url(self) -> str:
        return "/console/" if rules.can_curate(self.request.user) else "/"


@localised
@curators_only
def queue(request: HttpRequest) -> HttpResponse:
    keys = ("drive", "theme", "language")
    params = {key: clean_param(request.GET.get(key, ""), 80) for key in keys}
    stories = review.queue(**{k: v or None for k, v in params.items()})
    counts = dict(
        Story.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    context = {
        "stories": stories[:200],
        "params": params,
        "counts": counts,
        "themes": Theme.objects.all(),
    }
    return render(request, "frontend/console/queue.html", context)


def highlight(text: str, spans: list[Redaction]) -> list[tuple[str, Redaction | None]]:
    """``text`` cut into plain pieces and personal-data spans, for highlighting."""
    pieces: list[tuple[str, Redaction | None]] = []
    cursor = 0
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if span.start < cursor or span.end > len(text):
            continue  # overlapping or stale span: listed below, not highlighted
        if span.start > cursor:
            pieces.append((text[cursor : span.start], None))
        pieces.append((text[span.start : span.end], span))
        cursor = span.end
    if cursor < len(text):
        pieces.append((text[cursor:], None))
    return pieces


def normalised_asset(story: Story) -> MediaAsset | None:
    assets = MediaAsset.objects.filter(story=story, role=AssetRole.NORMALISED).order_by(
        "created_at"
    )
    return assets.filter(variant="audio16k").first() or assets.first()


@localised
@curators_only
def story_review(request: HttpRequest, story_id: int) -> HttpResponse:
    story = get_object_or_404(Story.objects.select_related("drive"), pk=story_id)
    transcript = transcripts.primary(story)
    transcript_text = transcripts.current_text(transcript) if transcript else ""
    words: list[dict[str, Any]] = []
    if transcript:
        for segment in transcript.segments or []:
            for word in segment.get("words") or []:
                words.append(
                    {"start": word.get("start", 0), "end": word.get("end", 0), "word": word["word"]}
                )
    spans = list(story.redactions.order_by("field", "start"))
    by_field: dict[str, list[Redaction]] = defaultdict(list)
    for span in spans:
        by_field[span.field].append(span)
    tags = list(
        StoryTheme.objects.filter(story=story)
        .select_related("theme")
        .order_by("theme__position", "source")
    )
    media = normalised_asset(story)
    context = {
        "story": story,
        "transcript": transcript,
        "transcript_text": transcript_text,
        "words": words,
        "title_pieces": highlight(story.title, by_field["title"]),
        "text_pieces": highlight(story.text, by_field["text"]),
        "transcript_pieces": highlight(transcript_text, by_field["transcript"]),
        "redactions": spans,
        "tags": tags,
        "themes": Theme.objects.all(),
        "media": media,
        "media_is_video": bool(media and media.mime_type.startswith("video/")),
        "collections": Collection.objects.filter(published_at__isnull=True).order_by("title"),
        "can_decide": story.status == StoryStatus.NEEDS_REVIEW,
        "can_collect": story.status in (StoryStatus.APPROVED, StoryStatus.PUBLISHED),
    }
    return render(request, "frontend/console/story.html", context)


@curators_only
def story_media(request: HttpRequest, story_id: int) -> HttpResponseBase:
    """The story's normalised recording, for the curator's player; never cached by anyone.

    Answers single byte ranges so that the browser's player can seek.
    """
    story = get_object_or_404(Story, pk=story_id)
    asset = normalised_asset(story)
    if asset is None or not asset.file.name:
        raise Http404("This story has no recording.")
    try:
        path = asset.file.storage.path(asset.file.name)
    except NotImplementedError:
        path = ""
    content_type = asset.mime_type or mimetypes.guess_type(asset.file.name)[0] or "audio/wav"
    response: HttpResponseBase
    if path and os.path.exists(path):
        size = os.path.getsize(path)
        match = RANGE.match(request.headers.get("Range", ""))
        if match and (match.group(1) or match.group(2)):
            first, last = match.group(1), match.group(2)
            if first:
                start, end = int(first), int(last) if last else size - 1
            else:
                start, end = max(size - int(last), 0), size - 1
            end = min(end, size - 1)
            if start > end or start >= size:
                response = HttpResponse(status=416)
                response["Content-Range"] = f"bytes */{size}"
                return _private(response)
            handle = open(path, "rb")  # noqa: SIM115 - closed by the streaming response
            handle.seek(start)
            response = StreamingHttpResponse(
                _read(handle, end - start + 1), status=206, content_type=content_type
            )
            response["Content-Range"] = f"bytes {start}-{end}/{size}"
            response["Content-Length"] = str(end - start + 1)
        else:
            response = FileResponse(open(path, "rb"), content_type=content_type)  # noqa: SIM115
        response["Accept-Ranges"] = "bytes"
    else:  # object storage: stream it through, no ranges
        response = FileResponse(asset.file.open("rb"), content_type=content_type)
    return _private(response)


def vtt_time(seconds: float) -> str:
    """``seconds`` as a WebVTT timestamp, hh:mm:ss.mmm."""
    millis = max(0, round(float(seconds) * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def webvtt(segments: list[dict[str, Any]]) -> str:
    """Captions from a transcript's timed segments. Cue text is escaped as WebVTT asks
    (``&`` and ``<``), and an arrow inside it cannot end the cue's timing line."""
    lines = ["WEBVTT", ""]
    for segment in segments:
        text = " ".join(str(segment.get("text") or "").split())
        start, end = float(segment.get("start") or 0), float(segment.get("end") or 0)
        if not text or end <= start:
            continue
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace("-->", "→")
        lines += [f"{vtt_time(start)} --> {vtt_time(end)}", text, ""]
    return "\n".join(lines)


@curators_only
def story_captions(request: HttpRequest, story_id: int) -> HttpResponse:
    """The machine transcript's segments as WebVTT captions for the curator's player."""
    story = get_object_or_404(Story, pk=story_id)
    transcript = transcripts.primary(story)
    body = webvtt(list(transcript.segments or []) if transcript else [])
    return HttpResponse(body, content_type="text/vtt; charset=utf-8")


def _read(handle: Any, count: int, block: int = 64 * 1024) -> Any:
    try:
        while count > 0:
            chunk = handle.read(min(block, count))
            if not chunk:
                break
            count -= len(chunk)
            yield chunk
    finally:
        handle.close()


def _private(response: HttpResponseBase) -> HttpResponseBase:
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@localised
@curators_only
def collections(request: HttpRequest) -> HttpResponse:
    found = Collection.objects.prefetch_related("entries__story").order_by("-created_at")
    approved = Story.objects.filter(
        status__in=[StoryStatus.APPROVED, StoryStatus.PUBLISHED]
    ).order_by("-status_changed_at")[:200]
    context = {
        "collections": found,
        "approved": approved,
        "themes": Theme.objects.all(),
    }
    return render(request, "frontend/console/collections.html", context)


def bars(rows: list[tuple[str, int]]) -> list[dict[str, Any]]:
    """Rows for a CSS bar chart: label, count and width as a percentage of the largest."""
    top = max((n for _, n in rows), default=0) or 1
    return [{"label": label, "n": n, "pct": round(100 * n / top)} for label, n in rows]


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


def suppressed(n: int) -> str:
    return f"< {SMALL_COUNT}" if 0 < n < SMALL_COUNT else str(n)


@localised
@curators_only
def dashboard(request: HttpRequest) -> HttpResponse:
    live = Story.objects.exclude(status=StoryStatus.WITHDRAWN)
    per_theme = (
        Theme.objects.annotate(
            n=Count(
                "tags__story",
                filter=Q(tags__state=ThemeTagState.CONFIRMED)
                & ~Q(tags__story__status=StoryStatus.WITHDRAWN),
                distinct=True,
            )
        )
        .order_by("position", "slug")
        .values_list("slug", "labels", "n")
    )
    language = current_language()
    theme_rows = [
        (labels.get(language) or labels.get("en") or slug, n) for slug, labels, n in per_theme
    ]
    language_rows = [
        (lang or "?", n)
        for lang, n in live.values_list("language").annotate(n=Count("id")).order_by("-n")
    ]
    since = timezone.now() - datetime.timedelta(weeks=12)
    weekly = (
        live.filter(submitted_at__gte=since)
        .annotate(week=TruncWeek("submitted_at"))
        .values_list("week")
        .annotate(n=Count("id"))
        .order_by("week")
    )
    week_rows = [(week.strftime("%Y-%m-%d") if week else "?", n) for week, n in weekly]
    status_counts = dict(
        Story.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    status_rows = [(word(value, "status"), status_counts.get(value, 0)) for value in StoryStatus]
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for slug, lang, n in live.values_list("drive__slug", "language").annotate(n=Count("id")):
        counts[slug][lang or "?"] = n
    expected = {
        slug: [str(code) for code in languages or []]
        for slug, languages in Drive.objects.values_list("slug", "expected_languages")
    }
    columns, drive_rows = hearing_table(counts, expected)
    context = {
        "theme_bars": bars(theme_rows),
        "language_bars": bars(language_rows),
        "week_bars": bars(week_rows),
        "status_bars": bars(status_rows),
        "drive_columns": columns,
        "drive_rows": drive_rows,
        "small": SMALL_COUNT,
    }
    return render(request, "frontend/console/dashboard.html", context)
