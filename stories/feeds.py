"""Subscribable feeds of published stories: per theme and per published collection.

Atom and RSS come from Django's ``feedgenerator`` (which escapes everything it writes);
JSON Feed 1.1 is built by hand. Each feed holds the latest 50 published stories and
answers conditional requests (ETag, Last-Modified) with 304 Not Modified.

Links lead to the web pages people read (a story's, a theme's, a collection's page), not
to the JSON API. Older stories are on further pages (``?page=2``): RFC 5005 paged feeds,
linked with ``first``/``next``/``previous`` (Atom, and RSS through atom:link) and
``next_url`` (JSON Feed). An Atom category carries the theme's slug as ``term`` and its
label as ``label``. The feed's language is its stories' language when they share one, and
is left out when they do not (labels follow the reader's, ``Accept-Language``).
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

from stories.api import public_cache, public_surface
from stories.domain import captions, clips, publicity
from stories.domain import text as plain_text
from stories.languages import reader_language
from stories.models import Clip, PublishedStory, Theme

FEED_SIZE = 50
PAGE_PARAMETER = "page"
MAX_PAGE = 100_000  # far past any feed; keeps the offset a small number
FORMATS = ("atom", "rss", "json")
CONTENT_TYPES = {
    "atom": "application/atom+xml; charset=utf-8",
    "rss": "application/rss+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}


class AtomFeed(feedgenerator.Atom1Feed):
    """Atom with RFC 5005 paging links, and categories with a term and a label."""

    def add_root_elements(self, handler: Any) -> None:
        super().add_root_elements(handler)
        for rel, href in self.feed.get("paging", {}).items():
            handler.addQuickElement("link", "", {"rel": rel, "href": href})

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, {**item, "categories": ()})
        for term, label in item.get("themes", ()):
            handler.addQuickElement("category", "", {"term": term, "label": label})
        for caption in item.get("captions", ()):
            handler.addQuickElement("link", "", {"rel": "related", "type": "text/vtt", **caption})


class RssFeed(feedgenerator.Rss201rev2Feed):
    """RSS 2.0 with RFC 5005 paging links as atom:link (RSS has no paging of its own).

    An RSS item has one enclosure, the audio; its captions are ``atom:link rel="related"``
    elements, which readers that do not know them skip (``xmlns:atom`` is declared)."""

    def add_root_elements(self, handler: Any) -> None:
        super().add_root_elements(handler)
        for rel, href in self.feed.get("paging", {}).items():
            handler.addQuickElement("atom:link", None, {"rel": rel, "href": href})

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item)
        for caption in item.get("captions", ()):
            handler.addQuickElement(
                "atom:link", None, {"rel": "related", "type": "text/vtt", **caption}
            )


GENERATORS: dict[str, type[feedgenerator.SyndicationFeed]] = {"atom": AtomFeed, "rss": RssFeed}
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


@dataclass
class FeedSource:
    """What one feed shows: its words, where it points and its latest stories."""

    title: str
    description: str
    link: str
    # The reader's language, for theme labels; ``content_language`` is the stories'.
    language: str
    stories: list[PublishedStory]
    changed: list[datetime.datetime] = field(default_factory=list)
    page: int = 1
    has_next: bool = False
    # A collection's public clips, on its first page, after its stories.
    clips: list[Clip] = field(default_factory=list)

    @property
    def content_languages(self) -> list[str]:
        """The languages of the stories here, as they say them."""
        return sorted({s.language for s in self.stories if s.language})

    @property
    def content_language(self) -> str | None:
        """The language every story here is in, or None when they differ or say none."""
        said = {s.language for s in self.stories}
        return said.pop() if len(said) == 1 and "" not in said else None

    @property
    def last_modified(self) -> datetime.datetime | None:
        moments = [s.updated_at for s in self.stories] + self.changed
        moments += [c.updated_at for c in self.clips]
        return max(moments) if moments else None

    def etag(self, fmt: str) -> str:
        state = [
            fmt,
            self.language,
            self.page,
            self.has_next,
            self.title,
            self.description,
            [(s.public_id, s.updated_at.isoformat()) for s in self.stories],
            [(c.public_id, c.updated_at.isoformat()) for c in self.clips],
        ]
        return hashlib.sha256(json.dumps(state).encode()).hexdigest()[:32]


def _source(request: HttpRequest, kind: str, slug: str) -> FeedSource:
    """The feed's source, computed once per request (the ETag, Last-Modified and body share it)."""
    cached: FeedSource | None = getattr(request, "_tarina_feed_source", None)
    if cached is not None:
        return cached
    language = reader_language(request)
    page = _page(request)
    removed = publicity.last_removal()
    if kind == "themes":
        theme = Theme.objects.filter(slug=slug).first()
        if theme is None:
            raise Http404("No theme has this slug.")
        source = FeedSource(
            title=f"Tarina: {theme.label(language)}",
            description=theme.description(language),
            link=request.build_absolute_uri(reverse("frontend:theme", args=[theme.slug])),
            language=language,
            stories=[],
        )
        stories = publicity.feed(theme=slug)
    else:
        try:
            collection = publicity.collection(slug)
        except publicity.NotPublished:
            raise Http404("No published collection has this slug.") from None
        source = FeedSource(
            title=f"Tarina: {collection.title}",
            description=collection.description,
            link=request.build_absolute_uri(reverse("frontend:collection", args=[collection.slug])),
            language=language,
            stories=[],
            changed=[collection.updated_at],
        )
        stories = publicity.feed(collection=slug)
        if page == 1:
            source.clips = clips.in_collection(collection)
    # One story more than a page tells whether a next page exists.
    start = (page - 1) * FEED_SIZE
    window = list(stories[start : start + FEED_SIZE + 1])
    if page > 1 and not window:
        raise Http404("This feed has no page this far back.")
    source.stories, source.page, source.has_next = window[:FEED_SIZE], page, len(window) > FEED_SIZE
    if removed is not None:
        source.changed.append(removed)
    request._tarina_feed_source = source  # type: ignore[attr-defined]
    return source


def _page(request: HttpRequest) -> int:
    """``?page=`` (1 when absent); anything but a whole number from 1 is a 404: no such page."""
    raw = request.GET.get(PAGE_PARAMETER, "1")
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise Http404("No such page of this feed.")
    return int(raw)


def _page_url(request: HttpRequest, page: int) -> str:
    """This feed's URL at ``page`` (the first page has no parameter)."""
    query = request.GET.copy()
    query.pop(PAGE_PARAMETER, None)
    if page > 1:
        query[PAGE_PARAMETER] = str(page)
    encoded = query.urlencode()
    return request.build_absolute_uri(request.path + (f"?{encoded}" if encoded else ""))


def _paging(request: HttpRequest, source: FeedSource) -> dict[str, str]:
    """RFC 5005 paging links of ``source``'s page: first, and next/previous where they exist."""
    links = {"first": _page_url(request, 1)}
    if source.has_next:
        links["next"] = _page_url(request, source.page + 1)
    if source.page > 1:
        links["previous"] = _page_url(request, source.page - 1)
    return links


def _etag(request: HttpRequest, kind: str, slug: str, fmt: str) -> str:
    return _source(request, kind, slug).etag(fmt)


def _last_modified(
    request: HttpRequest, kind: str, slug: str, fmt: str
) -> datetime.datetime | None:
    return _source(request, kind, slug).last_modified


# --- One story as a feed item ------------------------------------------------------


def _story_url(request: HttpRequest, publication: PublishedStory) -> str:
    """The story's web page (what a feed reader opens), not its JSON."""
    return request.build_absolute_uri(reverse("frontend:story", args=[publication.public_id]))


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


# --- One clip as a feed item ---------------------------------------------------------

CLIP_TYPE = "audio/wav"


def _clip_url(request: HttpRequest, clip: Clip) -> str:
    """The clip's web page (its player, quote and embed code)."""
    return request.build_absolute_uri(reverse("frontend:clip", args=[clip.public_id]))


def _clip_audio_url(request: HttpRequest, clip: Clip) -> str:
    return request.build_absolute_uri(reverse("frontend:clip-audio", args=[clip.public_id]))


def _clip_size(clip: Clip) -> int:
    try:
        return int(clip.audio.size)
    except OSError:
        return 0


def _clip_title(clip: Clip) -> str:
    return clip.title or Truncator(clip.quote).words(10) or "A clip"


def _json_clip(request: HttpRequest, clip: Clip) -> dict[str, Any]:
    url = _clip_url(request, clip)
    item: dict[str, Any] = {
        "id": url,
        "url": url,
        "title": _clip_title(clip),
        "content_text": clip.quote,
        "date_published": clip.created_at.isoformat(),
        "date_modified": clip.updated_at.isoformat(),
        "attachments": [
            {
                "url": _clip_audio_url(request, clip),
                "mime_type": CLIP_TYPE,
                "size_in_bytes": _clip_size(clip),
                "duration_in_seconds": clip.duration,
            }
        ],
    }
    if clip.theme is not None:
        item["tags"] = [clip.theme.slug]
    return item


def _caption_attachments(request: HttpRequest, publication: PublishedStory) -> list[dict[str, Any]]:
    """The story's WebVTT captions as JSON Feed attachments; a translation's title says
    it is machine-made."""
    return [
        {
            "url": request.build_absolute_uri(path),
            "mime_type": "text/vtt",
            "title": f"Captions ({language}, machine translation)"
            if machine
            else f"Captions ({language})",
        }
        for language, path, machine in captions.tracks(publication)
    ]


def _xml_feed(request: HttpRequest, source: FeedSource, fmt: str) -> str:
    # XML 1.0 cannot carry control characters: stored text that has some (old data, a
    # transcript) would make the whole feed fail, so they are dropped here as on input.
    clean = plain_text.clean
    generator = GENERATORS[fmt](
        title=clean(source.title),
        link=source.link,
        description=clean(source.description or source.title),
        language=source.content_language,
        feed_url=request.build_absolute_uri(),
        author_name="Tarina",
        paging=_paging(request, source),
    )
    for publication in source.stories:
        media = _media(request, publication)
        enclosures = (
            [feedgenerator.Enclosure(media["url"], str(media["size"]), media["mime_type"])]
            if media
            else None
        )
        url = _story_url(request, publication)
        themes = [(t.slug, clean(t.label(source.language))) for t in publication.themes.all()]
        generator.add_item(
            title=clean(_title(publication)),
            link=url,
            unique_id=url,
            # Feed readers render this as HTML: the story's own text is escaped first.
            description=linebreaks(clean(publication.text), autoescape=True),
            pubdate=publication.published_at,
            updateddate=publication.updated_at,
            # RSS names a category by its label; Atom by slug and label (``themes``).
            categories=[label for _, label in themes],
            themes=themes,
            enclosures=enclosures,
            captions=[
                {
                    "href": request.build_absolute_uri(path),
                    "hreflang": language,
                    "title": "machine translation" if machine else "captions",
                }
                for language, path, machine in captions.tracks(publication)
            ],
        )
    for clip in source.clips:
        url = _clip_url(request, clip)
        generator.add_item(
            title=clean(_clip_title(clip)),
            link=url,
            unique_id=url,
            description=linebreaks(clean(clip.quote), autoescape=True),
            pubdate=clip.created_at,
            updateddate=clip.updated_at,
            enclosures=[
                feedgenerator.Enclosure(
                    _clip_audio_url(request, clip), str(_clip_size(clip)), CLIP_TYPE
                )
            ],
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
        caption_files = _caption_attachments(request, publication)
        if caption_files:
            item["attachments"] = item.get("attachments", []) + caption_files
        items.append(item)
    items += [_json_clip(request, clip) for clip in source.clips]
    body = {
        "version": JSON_FEED_VERSION,
        "title": source.title,
        "home_page_url": source.link,
        "feed_url": request.build_absolute_uri(),
        "description": source.description,
        "items": items,
    }
    if source.content_language:
        body["language"] = source.content_language
    if source.has_next:
        body["next_url"] = _paging(request, source)["next"]
    text = json.dumps(body, ensure_ascii=False, indent=1)
    # Still valid JSON; and safe even if something ever served it as HTML.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@public_surface.public
@public_cache.cached
@require_safe
@condition(etag_func=_etag, last_modified_func=_last_modified)
def story_feed(request: HttpRequest, kind: str, slug: str, fmt: str) -> HttpResponse:
    """``/feeds/themes/<slug>.<fmt>`` and ``/feeds/collections/<slug>.<fmt>``."""
    source = _source(request, kind, slug)
    body = _json_feed(request, source) if fmt == "json" else _xml_feed(request, source, fmt)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    if source.content_languages:
        # The stories' languages, not the interface's (LocaleMiddleware's default).
        response.headers["Content-Language"] = ", ".join(source.content_languages)
    patch_vary_headers(response, ["Accept-Language"])
    return response
