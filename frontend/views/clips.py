"""Clips on the web: the public clip page, its embeddable player, its audio, oEmbed, and
the console's form to make and delete clips (``stories.domain.clips`` does the work).

A clip that was public once and is no longer (its story was withdrawn or unpublished, or
a curator deleted it) answers 410 Gone everywhere; an unknown id answers 404.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import Resolver404, resolve, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_POST, require_safe

from config.middleware import content_security_policy, media_origins
from frontend.views.common import clean_param, localised
from frontend.views.console import curators_only
from stories.domain import clips, publicity
from stories.models import Clip, Story, Theme
from stories.storage import serve_private

# The embedded player's size, in CSS pixels: an audio bar, the title and the quote.
EMBED_WIDTH, EMBED_HEIGHT = 480, 200
MIN_EMBED_WIDTH, MIN_EMBED_HEIGHT = 200, 120
# How long an oEmbed consumer or a cache may keep an answer: a withdrawal is seen soon.
CACHE_SECONDS = 300


def _found(public_id: str) -> Clip:
    """The public clip, or an exception the caller answers (``ClipGone`` → 410)."""
    try:
        return clips.public(public_id)
    except publicity.NotPublished:
        raise Http404("No clip has this id.") from None


def _gone(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/public/clip_gone.html", status=410)


@localised
@require_safe
def clip_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    """The clip's own page: player, quote, title, theme, its story, and how to embed it."""
    try:
        clip = _found(public_id)
    except clips.ClipGone:
        return _gone(request)
    page_url = request.build_absolute_uri(reverse("frontend:clip", args=[clip.public_id]))
    context = {
        "clip": clip,
        "page_url": page_url,
        "oembed_url": request.build_absolute_uri(
            reverse("frontend:oembed") + "?" + urlencode({"url": page_url, "format": "json"})
        ),
        "embed_html": _iframe(request, clip, EMBED_WIDTH, EMBED_HEIGHT),
    }
    return render(request, "frontend/public/clip_detail.html", context)


@localised
@require_safe
@xframe_options_exempt
def clip_embed(request: HttpRequest, public_id: str) -> HttpResponse:
    """The player other sites put in an ``<iframe>``: the only page that may be framed."""
    try:
        clip = _found(public_id)
    except clips.ClipGone:
        response = render(request, "frontend/public/clip_embed_gone.html", status=410)
    else:
        response = render(request, "frontend/public/clip_embed.html", {"clip": clip})
    # Any site may frame it; everything else in the policy stays as on every other page.
    policy = content_security_policy(None, media_origins())
    response["Content-Security-Policy"] = policy.replace(
        "frame-ancestors 'none'", "frame-ancestors *"
    )
    return response


@require_safe
def clip_audio(request: HttpRequest, public_id: str) -> HttpResponseBase:
    """The clip's sound (WAV), with byte ranges so that players can seek."""
    try:
        clip = _found(public_id)
    except clips.ClipGone:
        return HttpResponse(gettext("This clip has been taken down."), status=410)
    response = serve_private(clip.audio, "audio/wav", request.headers.get("Range", ""))
    # Public, but briefly: a withdrawn clip must stop playing from caches soon.
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    return response


@require_safe
def oembed(request: HttpRequest) -> HttpResponse:
    """oEmbed 1.0 (https://oembed.com/) for clip pages: ``?url=…&format=json``, type rich.

    404 for a URL that is no clip of this site, 410 for a clip taken down, 501 for a
    format other than JSON (as the specification asks).
    """
    fmt = clean_param(request.GET.get("format", "json"), 10)
    if fmt != "json":
        return HttpResponse("Only the json format is served.", status=501)
    public_id = _clip_id_of(request, clean_param(request.GET.get("url", ""), 500))
    if public_id is None:
        return JsonResponse({"detail": "The url is not a clip of this site."}, status=404)
    try:
        clip = _found(public_id)
    except clips.ClipGone:
        return JsonResponse({"detail": "This clip has been taken down."}, status=410)
    except Http404:
        return JsonResponse({"detail": "No clip has this id."}, status=404)
    width = _bounded(request.GET.get("maxwidth"), EMBED_WIDTH, MIN_EMBED_WIDTH)
    height = _bounded(request.GET.get("maxheight"), EMBED_HEIGHT, MIN_EMBED_HEIGHT)
    body: dict[str, Any] = {
        "version": "1.0",
        "type": "rich",
        "title": clip.title or gettext("A clip"),
        "provider_name": "Tarina",
        "provider_url": request.build_absolute_uri("/"),
        "cache_age": CACHE_SECONDS,
        "html": _iframe(request, clip, width, height),
        "width": width,
        "height": height,
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _clip_id_of(request: HttpRequest, url: str) -> str | None:
    """The clip public id in ``url`` when it is a clip page (or player) of this site."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.netloc != request.get_host():
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    if match.view_name not in ("frontend:clip", "frontend:clip-embed"):
        return None
    return str(match.kwargs["public_id"])


def _bounded(raw: str | None, preferred: int, least: int) -> int:
    """``maxwidth``/``maxheight``: the preferred size, smaller when the consumer asks."""
    try:
        asked = float(raw) if raw else math.inf
    except ValueError:
        asked = math.inf
    if not math.isfinite(asked):
        return preferred
    return max(least, min(preferred, int(asked)))


def _iframe(request: HttpRequest, clip: Clip, width: int, height: int) -> str:
    """The ``<iframe>`` a site pastes to play the clip."""
    src = request.build_absolute_uri(reverse("frontend:clip-embed", args=[clip.public_id]))
    return str(
        format_html(
            '<iframe src="{}" width="{}" height="{}" title="{}" loading="lazy"></iframe>',
            src,
            width,
            height,
            clip.title or gettext("A clip"),
        )
    )


# --- The console's clip form -----------------------------------------------------------


@localised
@curators_only
@require_POST
def make_clip(request: HttpRequest, story_id: int) -> HttpResponse:
    """Make a clip from the console's form (times typed, or filled in from a selection)."""
    story = get_object_or_404(Story, pk=story_id)
    back = reverse("frontend:console-story", args=[story.pk])
    try:
        start = _seconds(request.POST.get("start", ""))
        end = _seconds(request.POST.get("end", ""))
        slug = clean_param(request.POST.get("theme", ""), 80)
        theme = Theme.objects.filter(slug=slug).first() if slug else None
        if slug and theme is None:
            raise clips.ClipRefused(gettext("There is no such theme."))
        clip = clips.make(
            story,
            start=start,
            end=end,
            title=clean_param(request.POST.get("title", ""), clips.TITLE_LENGTH),
            theme=theme,
            actor=request.user,
        )
    except clips.ClipRefused as refused:
        context = {"reason": str(refused), "back": back, "story": story}
        return render(request, "frontend/console/clip_refused.html", context, status=400)
    return HttpResponseRedirect(f"{back}?clip={clip.public_id}#clips")


@curators_only
@require_POST
def delete_clip(request: HttpRequest, public_id: str) -> HttpResponse:
    """Delete a clip from the console; its public URLs answer 410 from now on."""
    clip = get_object_or_404(Clip, public_id=public_id)
    clips.remove(clip, actor=request.user)
    return HttpResponseRedirect(reverse("frontend:console-story", args=[clip.story_id]) + "#clips")


def _seconds(raw: str) -> float:
    """A time typed as seconds (``12.5``) or minutes and seconds (``1:02.5``)."""
    text = clean_param(raw, 20).strip().replace(",", ".")
    try:
        if ":" in text:
            minutes, seconds = text.split(":", 1)
            value = int(minutes) * 60 + float(seconds)
        else:
            value = float(text)
    except ValueError:
        raise clips.ClipRefused(
            gettext("Give the times in seconds, like 12.5 or 1:02.5.")
        ) from None
    if not math.isfinite(value) or value < 0:
        raise clips.ClipRefused(gettext("Give the times in seconds, like 12.5 or 1:02.5."))
    return value
