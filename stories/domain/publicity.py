"""What the public may see: published stories and published collections, nothing else.

Every public surface (the feed API, feeds, exports) starts from these querysets. They
read only ``PublishedStory`` and ``Collection`` rows (the anonymised copies); the join to
``Story`` is used for its status alone, never for its private text or media.

``generation()`` names the current state of everything public; ``changed()`` moves it on
whenever something public may have changed (a publication, a withdrawal, a collection,
a theme's words), so a cache keyed by it never serves what was taken down.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Max, Model, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from stories.domain import search
from stories.enums import StoryStatus
from stories.models import Collection, CollectionStory, Drive, PublishedStory, Story, Theme

logger = logging.getLogger(__name__)
GENERATION_KEY = "tarina:public-generation"


class NotPublished(Exception):
    """There is no published story (or collection) by that name.

    Withdrawn, unpublished, never published or unknown: all the same to the public, so that
    an answer never tells which stories were withdrawn, or when.
    """


def published_collections() -> QuerySet[Collection]:
    return Collection.objects.filter(published_at__isnull=False)


def public_themes() -> QuerySet[Theme]:
    """Themes as public surfaces show them: without the tagger's word lists, which are
    several kB of JSON per theme that no public page reads."""
    return Theme.objects.only("id", "slug", "position", "labels")


def published_stories() -> QuerySet[PublishedStory]:
    """Publications of stories that are published now, newest first, ready to serialise."""
    return (
        PublishedStory.objects.filter(story__status=StoryStatus.PUBLISHED)
        # The search vector is about as large as the text and only PostgreSQL reads it.
        .defer("search_vector")
        .select_related("drive")
        .prefetch_related(Prefetch("themes", queryset=public_themes()))
        .order_by("-published_at", "-id")
    )


def feed(
    *,
    theme: str = "",
    drive: str = "",
    language: str = "",
    collection: str = "",
    q: str = "",
    since: datetime.datetime | None = None,
) -> QuerySet[PublishedStory]:
    """Published stories narrowed by the public feed's filters (all optional)."""
    queryset = published_stories()
    if theme:
        queryset = queryset.filter(themes__slug=theme)
    if drive:
        queryset = queryset.filter(drive__slug=drive)
    if language:
        queryset = queryset.filter(language=language)
    if collection:
        queryset = queryset.filter(
            story__collection_entries__collection__slug=collection,
            story__collection_entries__collection__published_at__isnull=False,
        )
    if since is not None:
        queryset = queryset.filter(published_at__gte=since)
    if q:
        queryset = search.search(queryset, q)
    return queryset


def story(public_id: str) -> PublishedStory:
    """The published story with this public id, or ``NotPublished``."""
    publication = published_stories().filter(public_id=public_id).first()
    if publication is None:
        raise NotPublished(public_id)
    attach_collections([publication])
    return publication


def public_id_of(story_id: int) -> str:
    """The public id of a story published now, found by its old numeric public URL (which
    redirects while the story is public), or ``NotPublished``."""
    found = published_stories().filter(story_id=story_id).values_list("public_id", flat=True)
    public_id = found.first()
    if public_id is None:
        raise NotPublished(story_id)
    return public_id


def collection(slug: str) -> Collection:
    """The published collection, or ``NotPublished``."""
    found = (
        published_collections()
        .prefetch_related(Prefetch("themes", queryset=public_themes()))
        .filter(slug=slug)
        .first()
    )
    if found is None:
        raise NotPublished(slug)
    return found


def collection_stories(found: Collection) -> QuerySet[PublishedStory]:
    """The collection's published stories in the curator's order."""
    position = CollectionStory.objects.filter(
        collection=found, story_id=OuterRef("story_id")
    ).values("position")[:1]
    return (
        published_stories()
        .filter(story__collection_entries__collection=found)
        .annotate(position=Subquery(position))
        .order_by("position", "-published_at", "-id")
    )


def attach_collections(publications: Iterable[PublishedStory]) -> list[PublishedStory]:
    """Set ``public_collections`` (slugs of published collections) on each: one query."""
    items = list(publications)
    slugs: dict[int, list[str]] = defaultdict(list)
    if items:
        entries = (
            CollectionStory.objects.filter(
                story_id__in=[item.story_id for item in items],
                collection__published_at__isnull=False,
            )
            .order_by("collection__slug")
            .values_list("story_id", "collection__slug")
        )
        for story_id, slug in entries:
            slugs[story_id].append(slug)
    for item in items:
        item.public_collections = slugs[item.story_id]  # type: ignore[attr-defined]
    return items


def last_removal() -> datetime.datetime | None:
    """When a story last left the public (withdrawn or unpublished), as far as we know.

    Removing a story deletes its publication, so a feed's newest ``updated_at`` cannot
    show it: Last-Modified takes this into account so caches never keep a removed story.
    """
    latest = Story.objects.filter(
        status__in=[StoryStatus.WITHDRAWN, StoryStatus.APPROVED],
        status_changed_at__isnull=False,
    ).aggregate(latest=Max("status_changed_at"))["latest"]
    return latest if latest is None or timezone.is_aware(latest) else timezone.make_aware(latest)


# --- The state of the public surfaces, for caches --------------------------------------


# Every change to what the public sees moves the generation on, so a kept answer is never
# shown after its story is withdrawn; the lifetime only bounds how long a page can outlive
# a change made outside the watched paths (a bulk UPDATE, a fix by hand in the database)
# or one whose generation could not be moved on (the shared cache refused the write but
# still answered reads). 30 s made 2,000 story pages over two processes expire before they
# were asked again (docs/performance.md, "Search and story pages").
DEFAULT_ANSWER_SECONDS = 600


def answer_lifetime() -> int:
    """Seconds a public page may be answered from memory (``stories.api.public_cache``);
    0 unless the default cache is shared by every process (Redis: ``TARINA_CACHE_URL``),
    since otherwise a change made in a worker would not reach the web processes.
    ``TARINA_PUBLIC_CACHE_SECONDS`` overrides it (0 turns it off)."""
    configured = getattr(settings, "TARINA_PUBLIC_CACHE_SECONDS", None)
    if configured is not None:
        return int(configured)
    backend = str(settings.CACHES.get("default", {}).get("BACKEND", ""))
    shared = not backend.endswith(("LocMemCache", "DummyCache"))
    return DEFAULT_ANSWER_SECONDS if shared else 0


def generation() -> str:
    """A name for the current state of everything public (kept in the default cache)."""
    current = cache.get(GENERATION_KEY)
    if current is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        current = cache.get(GENERATION_KEY)
    return str(current)


def _move_on() -> None:
    try:
        cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:  # the cache is away: caches keyed by it expire on their own
        logger.warning("could not move the public generation on", exc_info=True)


def changed() -> None:
    """Something public may have changed: move the generation on now and again on commit.

    Now, so no request from here on is answered from an older entry; on commit, because a
    request between the two may have cached what the database showed before the commit.
    Nothing to do when public pages are not kept.
    """
    if answer_lifetime() <= 0:
        return
    _move_on()
    transaction.on_commit(_move_on, robust=True)


def _on_change(sender: type[Model], **kwargs: Any) -> None:
    if kwargs.get("raw"):  # fixtures being loaded
        return
    if sender is Story:
        # A story's status decides whether its publication shows; a new story, or other
        # edits to the private story, never reach a public surface.
        fields = kwargs.get("update_fields")
        if kwargs.get("created") or (fields is not None and "status" not in fields):
            return
    changed()


def _on_m2m_change(sender: type[Model], action: str, **kwargs: Any) -> None:
    if action.startswith("post_"):
        changed()


def watch() -> None:
    """Call ``changed()`` on every save or delete of what public surfaces show.

    Status moves go through ``lifecycle.transition`` (an UPDATE, no signal), which calls
    ``changed()`` itself when a public status is involved.
    """
    for model in (PublishedStory, Collection, CollectionStory, Theme, Drive, Story):
        post_save.connect(_on_change, sender=model, dispatch_uid=f"public-{model.__name__}")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"public-del-{model.__name__}")
    for through in (PublishedStory.themes.through, Collection.themes.through):
        m2m_changed.connect(_on_m2m_change, sender=through, dispatch_uid=f"public-{through}")
