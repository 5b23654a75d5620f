"""The public story browser. It reads only the anonymised copies (``PublishedStory``,
published ``Collection``) through ``stories.domain.publicity``; never a private story."""

from __future__ import annotations

import re
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from frontend.views.common import clean_param, current_language, localised
from stories.api.public_cache import cached
from stories.domain import captions, embeddings, publicity
from stories.models import Drive, PublishedStory, Theme

SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,80}$")
LANGUAGE = re.compile(r"^[a-z]{2}$")
PAGE_SIZE = 20
MEANING = "meaning"


def clean_filters(request: HttpRequest) -> dict[str, str]:
    """The list's filters; anything malformed is dropped rather than failing the page."""
    keys = ("theme", "drive", "language", "q", "mode")
    raw = {key: clean_param(request.GET.get(key, "")) for key in keys}
    return {
        "theme": raw["theme"] if SLUG.match(raw["theme"]) else "",
        "drive": raw["drive"] if SLUG.match(raw["drive"]) else "",
        "language": raw["language"].lower() if LANGUAGE.match(raw["language"].lower()) else "",
        "q": raw["q"][:200],
        # "meaning": the words are matched by meaning, in any language (embeddings).
        "mode": "meaning" if raw["mode"] == MEANING else "",
    }


def feed_links(kind: str, slug: str) -> list[tuple[str, str]]:
    return [
        (label, reverse(f"{kind}-feed-{fmt}", args=[slug]))
        for fmt, label in (("atom", "Atom"), ("rss", "RSS"), ("json", "JSON Feed"))
    ]


def theme_labels(language: str) -> list[tuple[str, str]]:
    return [(t.slug, t.label(language)) for t in Theme.objects.all()]


@cached
@localised
def story_list(request: HttpRequest) -> HttpResponse:
    filters = clean_filters(request)
    language = current_language()
    by_meaning = filters["mode"] == MEANING and bool(filters["q"])
    stories = publicity.feed(
        theme=filters["theme"],
        drive=filters["drive"],
        language=filters["language"],
        q="" if by_meaning else filters["q"],
    )
    if by_meaning:
        # One page, closest in meaning first.
        found = embeddings.search(filters["q"], stories, limit=PAGE_SIZE)
        page = Paginator(found, PAGE_SIZE).page(1)
    else:
        page = Paginator(stories, PAGE_SIZE).get_page(request.GET.get("page"))
    publicity.attach_collections(page.object_list)
    query = {k: v for k, v in filters.items() if v}
    context = {
        "page": page,
        "filters": filters,
        "query": query,
        "themes": theme_labels(language),
        "drives": Drive.objects.filter(publications__isnull=False).distinct().order_by("title"),
        # Distinct in SQL: reading every published story's language took 100,000 rows.
        "languages": sorted(
            set(
                publicity.published_stories()
                .order_by()
                .values_list("language", flat=True)
                .distinct()
            )
            - {""}
        ),
        "language": language,
    }
    return render(request, "frontend/public/story_list.html", context)


@cached
@localised
def story_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    """A published story by its public id; withdrawn and unknown ones are the same 404."""
    try:
        publication = publicity.story(public_id)
    except publicity.NotPublished:
        raise Http404 from None
    return render(
        request,
        "frontend/public/story_detail.html",
        {
            "story": publication,
            "language": current_language(),
            "tracks": caption_tracks(publication),
            "related": embeddings.related(publication),
        },
    )


def caption_tracks(publication: PublishedStory) -> list[dict[str, str]]:
    """The ``<track>``s of a published story's player; a translation's is labelled
    machine-made."""
    return [
        {
            "src": path,
            "srclang": language,
            "label": _("%(language)s (machine translation)") % {"language": language.upper()}
            if machine
            else (language.upper() or _("Transcript")),
        }
        for language, path, machine in captions.tracks(publication)
    ]


def story_captions(request: HttpRequest, public_id: str, language: str = "") -> HttpResponse:
    """WebVTT captions of a published story (``captions.en.vtt`` or ``?lang=en``: of its
    translation). Withdrawn, unknown or caption-less stories are the same 404."""
    try:
        publication = publicity.story(public_id)
    except publicity.NotPublished:
        raise Http404 from None
    language = language or clean_param(request.GET.get("lang", ""))
    if language == publication.language:
        language = ""
    if language and (publication.translation or {}).get("language") != language:
        raise Http404
    if not language and not publication.segments:
        raise Http404
    response = HttpResponse(
        captions.for_publication(publication, language), content_type="text/vtt; charset=utf-8"
    )
    # Other sites' players may load them; a withdrawn story's must not linger in caches.
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "no-cache"
    return response


def story_by_number(request: HttpRequest, story_id: int) -> HttpResponse:
    """An old numeric story URL: moved for good to the public id while the story is public."""
    try:
        public_id = publicity.public_id_of(story_id)
    except publicity.NotPublished:
        raise Http404 from None
    target = reverse("frontend:story", args=[public_id])
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)


@cached
@localised
def collection_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        found = publicity.collection(slug)
    except publicity.NotPublished:
        raise Http404 from None
    stories = publicity.attach_collections(publicity.collection_stories(found))
    context: dict[str, Any] = {
        "collection": found,
        "stories": stories,
        "language": current_language(),
        "feeds": feed_links("collection", found.slug),
        "exports": [
            (fmt.upper(), reverse(f"public-collection-export-{fmt}", args=[found.slug]))
            for fmt in ("csv", "json", "zip")
        ],
    }
    return render(request, "frontend/public/collection_detail.html", context)


@cached
@localised
def collection_list(request: HttpRequest) -> HttpResponse:
    collections = publicity.published_collections().order_by("-published_at")
    return render(
        request, "frontend/public/collection_list.html", {"collections": collections[:200]}
    )


@cached
@localised
def theme_list(request: HttpRequest) -> HttpResponse:
    language = current_language()
    counts = dict(
        publicity.published_stories()
        .order_by()
        .values_list("themes__slug")
        .annotate(n=Count("id", distinct=True))
        .values_list("themes__slug", "n")
    )
    themes = [
        {
            "slug": theme.slug,
            "label": theme.label(language),
            "description": theme.description(language),
            "constellation": theme.constellation,
            "count": counts.get(theme.slug, 0),
        }
        for theme in Theme.objects.all()
    ]
    return render(request, "frontend/public/theme_list.html", {"themes": themes})


@cached
@localised
def theme_detail(request: HttpRequest, slug: str) -> HttpResponse:
    theme = get_object_or_404(Theme, slug=slug)
    language = current_language()
    stories = publicity.feed(theme=theme.slug)
    page = Paginator(stories, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "theme": theme,
        "label": theme.label(language),
        "description": theme.description(language),
        "page": page,
        "feeds": feed_links("theme", theme.slug),
        "language": language,
    }
    return render(request, "frontend/public/theme_detail.html", context)
