"""Subscribable feeds of published stories: per theme and per published collection.

Atom and RSS come from Django's ``feedgenerator`` (which escapes everything it writes);
JSON Feed 1.1 is built by hand. Each feed holds the latest 50 published stories and
answers conditional requests (ETag, Last-Modified) with 304 Not Modified.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import mimetypes
from dataclasses import dataclass, field
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import feedgenerator
from django.utils.cache import patch_vary_headers
from django.utils.html import linebreaks
from django.utils.text import Truncator
from django.views.decorators.http import condition, require_safe

from stories.api import public_cache
from stories.domain import publicity
from stories.domain import text as plain_text
from stories.languages import reader_language
from stories.models import PublishedStory, Theme

FEED_SIZE = 50
FORMATS = ("atom", "rss", "json")
CONTENT_TYPES = {
    "atom": "application/atom+xml; charset=utf-8",
    "rss": "application/rss+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}
GENERATORS: dict[str, type[feedgenerator.SyndicationFeed]] = {
    "atom": feedgenerator.Atom1Feed,
    "rss": feedgenerator.Rss201rev2Feed,
}
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


@dataclass
class FeedSource:
    """What one feed shows: its words, where it points and its latest stories."""

    title: str
    description: str
    link: str
    language: str
    stories: list[PublishedStory]
    changed: list[datetime.datetime] = field(default_factory=list)

    @property
    def last_modified(self) -> datetime.datetime | None:
        moments = [s.updated_at for s in self.stories] + self.changed
        return max(moments) if moments else None

    def etag(self, fmt: str) -> str:
        state = [
            fmt,
            self.language,
            self.title,
            self.description,
            [(s.public_id, s.updated_at.isoformat()) for s in self.stories],
        ]
        return hashlib.sha256(json.dumps(state).encode()).hexdigest()[:32]


def _source(request: HttpRequest, kind: str, slug: str) -> FeedSource:
    """The feed's source, computed once per request (the ETag, Last-Modified and body share it)."""
    cached: FeedSource | None = getattr(request, "_tarina_feed_source", None)
    if cached is not None:
        return cached
    language = reader_language(request)
    removed = publicity.last_removal()
    if kind == "themes":
        theme = Theme.objects.filter(slug=slug).first()
        if theme is None:
            raise Http404("No theme has this slug.")
        stories = publicity.feed(theme=slug)
        source = FeedSource(
            title=f"Tarina: {theme.label(language)}",
            description=theme.description(language),
            link=request.build_absolute_uri(f"{reverse('public-feed')}?theme={theme.slug}"),
            language=language,
            stories=list(stories[:FEED_SIZE]),
        )
    else:
        try:
            collection = publicity.collection(slug)
        except publicity.NotPublished:
            raise Http404("No published collection has this slug.") from None
        source = FeedSource(
            title=f"Tarina: {collection.title}",
            description=collection.description,
            link=request.build_absolute_uri(reverse("public-collection", args=[collection.slug])),
            language=language,
            stories=list(publicity.feed(collection=slug)[:FEED_SIZE]),
            changed=[collection.updated_at],
        )
    if removed is not None:
        source.changed.append(removed)
    request._tarina_feed_source = source  # type: ignore[attr-defined]
    return source


def _etag(request: HttpRequest, kind: str, slug: str, fmt: str) -> str:
    return _source(request, kind, slug).etag(fmt)


def _last_modified(
    request: HttpRequest, kind: str, slug: str, fmt: str
) -> datetime.datetime | None:
    return _source(request, kind, slug).last_modified


# --- One story as a feed item ------------------------------------------------------


def _story_url(request: HttpRequest, publication: PublishedStory) -> str:
    return request.build_absolute_uri(reverse("public-story", args=[publication.public_id]))


def _title(publication: PublishedStory) -> str:
    return publication.title or Truncator(publication.text).words(10) or "A story"


def _media(request: HttpRequest, publication: PublishedStory) -> dict[str, Any] | None:
    """The story's public audio (else image): URL, type and size in bytes."""
    media = publication.audio or publication.image
    if not media:
        return None
    try:
        size = media.size
    except OSError:
        size = 0
    return {
        "url": request.build_absolute_uri(media.url),
        "mime_type": mimetypes.guess_type(media.name or "")[0] or "application/octet-stream",
        "size": size,
        "is_audio": bool(publication.audio),
    }


def _xml_feed(request: HttpRequest, source: FeedSource, fmt: str) -> str:
    # XML 1.0 cannot carry control characters: stored text that has some (old data, a
    # transcript) would make the whole feed fail, so they are dropped here as on input.
    clean = plain_text.clean
    generator = GENERATORS[fmt](
        title=clean(source.title),
        link=source.link,
        description=clean(source.description or source.title),
        language=source.language,
        feed_url=request.build_absolute_uri(),
        author_name="Tarina",
    )
    for publication in source.stories:
        media = _media(request, publication)
        enclosures = (
            [feedgenerator.Enclosure(media["url"], str(media["size"]), media["mime_type"])]
            if media
            else None
        )
        url = _story_url(request, publication)
        generator.add_item(
            title=clean(_title(publication)),
            link=url,
            unique_id=url,
            # Feed readers render this as HTML: the story's own text is escaped first.
            description=linebreaks(clean(publication.text), autoescape=True),
            pubdate=publication.published_at,
            updateddate=publication.updated_at,
            categories=[clean(theme.label(source.language)) for theme in publication.themes.all()],
            enclosures=enclosures,
        )
    return generator.writeString("utf-8")


def _json_feed(request: HttpRequest, source: FeedSource) -> str:
    items = []
    for publication in source.stories:
        item: dict[str, Any] = {
            "id": _story_url(request, publication),
            "url": _story_url(request, publication),
            "title": _title(publication),
            "content_text": publication.text,
            "date_published": publication.published_at.isoformat(),
            "date_modified": publication.updated_at.isoformat(),
            "tags": [theme.label(source.language) for theme in publication.themes.all()],
        }
        if publication.language:
            item["language"] = publication.language
        media = _media(request, publication)
        if media:
            attachment: dict[str, Any] = {
                "url": media["url"],
                "mime_type": media["mime_type"],
                "size_in_bytes": media["size"],
            }
            if media["is_audio"] and publication.duration:
                attachment["duration_in_seconds"] = publication.duration
            item["attachments"] = [attachment]
        items.append(item)
    body = {
        "version": JSON_FEED_VERSION,
        "title": source.title,
        "home_page_url": source.link,
        "feed_url": request.build_absolute_uri(),
        "description": source.description,
        "language": source.language,
        "items": items,
    }
    text = json.dumps(body, ensure_ascii=False, indent=1)
    # Still valid JSON; and safe even if something ever served it as HTML.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@public_cache.cached
@require_safe
@condition(etag_func=_etag, last_modified_func=_last_modified)
def story_feed(request: HttpRequest, kind: str, slug: str, fmt: str) -> HttpResponse:
    """``/feeds/themes/<slug>.<fmt>`` and ``/feeds/collections/<slug>.<fmt>``."""
    source = _source(request, kind, slug)
    body = _json_feed(request, source) if fmt == "json" else _xml_feed(request, source, fmt)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    patch_vary_headers(response, ["Accept-Language"])
    return response
