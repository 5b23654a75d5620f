"""The curator console: review queue, story review, collections and a dashboard.

Pages are rendered here; the actions on them call the curators' REST API from
``static/frontend/console.js`` with the session cookie and the CSRF token.
"""

from __future__ import annotations

import functools
import json
import mimetypes
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.utils.translation import gettext

from frontend.templatetags.frontend import word
from frontend.views.common import clean_param, current_language, localised
from frontend.views.reporter import SCOPE_HELP
from stories import rules
from stories.auth import client_address, is_blocked
from stories.domain import (
    captions,
    consent_state,
    coverage,
    pictures,
    publication,
    redactions,
    review,
    theme_learning,
    transcripts,
    translation,
)
from stories.domain import themes as theme_tags
from stories.enums import AssetRole, ConsentScope, StoryKind, StoryStatus
from stories.models import (
    Collection,
    MediaAsset,
    Redaction,
    ReleaseCheck,
    Story,
    StoryTheme,
    Theme,
)
from stories.storage import serve_private


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


# The queue's sort orders, by age.
SORTS = ("oldest", "newest")


@localised
@curators_only
def queue(request: HttpRequest) -> HttpResponse:
    """Stories by status (waiting for review first), filtered, searched and sorted by age."""
    keys = ("drive", "theme", "language", "q", "status", "sort")
    params = {key: clean_param(request.GET.get(key, ""), 80) for key in keys}
    status = params["status"] if params["status"] in review.QUEUE_STATUSES else "needs_review"
    sort = params["sort"] if params["sort"] in SORTS else "oldest"
    params.update(status=status, sort=sort)
    stories = review.queue(
        status=status,
        drive=params["drive"] or None,
        theme=params["theme"] or None,
        language=params["language"] or None,
        search=params["q"] or None,
        newest_first=sort == "newest",
    )
    counts = coverage.per_status()
    kept = {key: value for key, value in params.items() if value and key != "status"}
    context = {
        "stories": stories[:200],
        "params": params,
        # One link per status, keeping the other filters.
        "status_links": [
            (value, counts.get(value, 0), "?" + urlencode({"status": value, **kept}))
            for value in review.QUEUE_STATUSES
        ],
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
    """One story with everything a curator decides on: what the reporter allowed, the media
    beside what would be published, the synced transcript, personal data and themes."""
    story = get_object_or_404(Story.objects.select_related("drive"), pk=story_id)
    transcript = transcripts.primary(story)
    transcript_text = transcripts.current_text(transcript) if transcript else ""
    spans = list(story.redactions.order_by("field", "start"))
    by_field: dict[str, list[Redaction]] = defaultdict(list)
    for span in spans:
        by_field[span.field].append(span)
    words = (
        review.transcript_words(transcript, transcript_text, by_field["transcript"])
        if transcript
        else []
    )
    tags = StoryTheme.objects.filter(story=story).select_related("theme")
    media = normalised_asset(story)
    picture = pictures.state(story)
    record = consent_state.current(story)
    themes = list(Theme.objects.all())
    allowed = set(record.scopes) if record else set()
    spoken = story.kind in (StoryKind.AUDIO, StoryKind.VIDEO)
    context = {
        "picture": picture,
        "picture_boxes": json.dumps(picture.boxes) if picture else "[]",
        "story": story,
        "transcript": transcript,
        "transcript_text": transcript_text,
        "words": words,
        "title_pieces": highlight(story.title, by_field["title"]),
        "text_pieces": highlight(story.text, by_field["text"]),
        "transcript_pieces": highlight(transcript_text, by_field["transcript"]),
        "redactions": spans,
        "redaction_types": redactions.SPAN_TYPES,
        "release_check": ReleaseCheck.objects.filter(story=story).first(),
        "chips": theme_tags.chips(tags),
        "themes": themes,
        # The preview names themes, not slugs.
        "theme_names": json.dumps({t.slug: t.label(current_language()) for t in themes}),
        "media": media,
        "media_is_video": bool(media and media.mime_type.startswith("video/")),
        "original_is_still": is_still(picture.original if picture else None),
        "original_is_video": bool(
            picture and picture.original and picture.original.mime_type.startswith("video/")
        ),
        "consent": consent_rows(allowed),
        "consent_record": record,
        # Only what fits the story's kind and consent: no voice choice without a voice
        # that may be published, no muting without a recording.
        "offers_voice_choice": spoken and ConsentScope.PUBLISH_AUDIO in allowed,
        "offers_muting": spoken and transcript is not None,
        "collections": Collection.objects.filter(published_at__isnull=True).order_by("title"),
        "can_decide": story.status == StoryStatus.NEEDS_REVIEW,
        "can_collect": story.status in (StoryStatus.APPROVED, StoryStatus.PUBLISHED),
        "next_story": review.next_in_queue(story),
        **translation_context(story),
    }
    return render(request, "frontend/console/story.html", context)


def consent_rows(allowed: set[str]) -> list[dict[str, Any]]:
    """Every consent scope in the curator's language, and whether the reporter allowed it."""
    return [
        {"name": scope.value, "title": gettext(SCOPE_HELP[scope][0]), "allowed": scope in allowed}
        for scope in ConsentScope
    ]


def translation_context(story: Story) -> dict[str, Any]:
    """The story's machine translation for ``_translation.html``, one caption a line."""
    found = translation.of(story)
    return {
        "translation": found,
        "translation_text": "\n".join(translation.current_lines(found)) if found else "",
    }


@curators_only
def story_translation(request: HttpRequest, story_id: int) -> HttpResponseBase:
    """Save a curator's correction of the machine translation (POST); a published story is
    rebuilt so that its public copy shows it."""
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    story = get_object_or_404(Story, pk=story_id)
    try:
        translation.correct(story, request.POST.get("text", "")[:20_000], actor=request.user)
    except translation.NoTranslation as missing:
        return HttpResponse(str(missing), status=404, content_type="text/plain; charset=utf-8")
    if story.status == StoryStatus.PUBLISHED:
        publication.enqueue(story)
    return redirect("frontend:console-story", story_id=story.pk)


def is_still(asset: MediaAsset | None) -> bool:
    """Whether the browser can show ``asset`` as a picture (originals of photo stories)."""
    return bool(asset and asset.mime_type in ("image/jpeg", "image/png", "image/webp"))


@curators_only
def story_media(request: HttpRequest, story_id: int) -> HttpResponseBase:
    """The story's normalised recording, for the curator's player; never cached by anyone.

    Answers single byte ranges so that the browser's player can seek.
    """
    story = get_object_or_404(Story, pk=story_id)
    asset = normalised_asset(story)
    if asset is None or not asset.file.name:
        raise Http404("This story has no recording.")
    content_type = asset.mime_type or mimetypes.guess_type(asset.file.name)[0] or "audio/wav"
    return serve_private(asset.file, content_type, request.headers.get("Range", ""))


@curators_only
def story_captions(request: HttpRequest, story_id: int) -> HttpResponse:
    """The machine transcript's segments as WebVTT captions for the curator's player."""
    story = get_object_or_404(Story, pk=story_id)
    return HttpResponse(captions.for_story(story), content_type="text/vtt; charset=utf-8")


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


@localised
@curators_only
def dashboard(request: HttpRequest) -> HttpResponse:
    """Who is being heard, in bar charts and a drive-by-language table (stories.domain.coverage)."""
    statuses = coverage.per_status()
    columns, drive_rows = coverage.hearing_table(
        coverage.per_drive_and_language(), coverage.expected_languages()
    )
    # Every figure suppressed alike (coverage.chart, hearing_table): none gives away another.
    context = {
        "theme_bars": coverage.chart(coverage.per_theme(current_language())),
        "language_bars": coverage.chart(coverage.per_language()),
        "week_bars": coverage.chart(coverage.per_week()),
        "status_bars": coverage.chart(
            [(word(value, "status"), statuses.get(value, 0)) for value in StoryStatus]
        ),
        "drive_columns": columns,
        "drive_rows": drive_rows,
        "small": coverage.SMALL_COUNT,
        "learning": theme_learning.learning_progress(current_language()),
    }
    return render(request, "frontend/console/dashboard.html", context)
