"""What the public may see: published stories and published collections, nothing else.

Every public surface (the feed API, feeds, exports) starts from these querysets. They
read only ``PublishedStory`` and ``Collection`` rows (the anonymised copies); the join to
``Story`` is used for its status alone, never for its private text or media.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Max, OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone

from stories.domain import search
from stories.enums import StoryStatus
from stories.models import Collection, CollectionStory, PublishedStory, Story, Theme


class StoryWithdrawn(Exception):
    """The story was withdrawn by its teller: it is gone for good."""


class NotPublished(Exception):
    """There is no published story (or collection) by that name."""


def published_collections() -> QuerySet[Collection]:
    return Collection.objects.filter(published_at__isnull=False)


def public_themes() -> QuerySet[Theme]:
    """Themes as public surfaces show them: without the tagger's word lists, which are
    several kB of JSON per theme that no public page reads."""
    return Theme.objects.only("id", "slug", "position", "labels").order_by("position", "slug")


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


def story(story_id: int) -> PublishedStory:
    """The published story, or ``StoryWithdrawn`` / ``NotPublished``."""
    publication = published_stories().filter(story_id=story_id).first()
    if publication is not None:
        attach_collections([publication])
        return publication
    if Story.objects.filter(pk=story_id, status=StoryStatus.WITHDRAWN).exists():
        raise StoryWithdrawn(story_id)
    raise NotPublished(story_id)


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
