"""Collections: curated sets of stories, published together."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from stories.domain import audit, publication
from stories.domain.roles import AnyUser
from stories.enums import AuditAction, StoryStatus
from stories.models import Collection, CollectionStory, Story, Theme

COLLECTABLE_STATUSES = frozenset({StoryStatus.APPROVED, StoryStatus.PUBLISHED})


class NotCollectable(ValueError):
    """Only approved (or already published) stories go into a collection."""


@dataclass
class PublishResult:
    """Stories queued for publication, and those left out with the reason."""

    queued: list[int] = field(default_factory=list)
    skipped: dict[int, str] = field(default_factory=dict)


def create(
    title: str, *, description: str = "", themes: Sequence[Theme] = (), actor: AnyUser | None
) -> Collection:
    """A new, unpublished collection with a unique slug made from its title."""
    with transaction.atomic():
        collection = Collection.objects.create(
            title=title,
            description=description,
            slug=_unique_slug(title),
            created_by=actor if actor is not None and actor.is_authenticated else None,
        )
        collection.themes.set(themes)
        audit.record(AuditAction.COLLECTION_EDITED, collection, actor=actor, created=True)
    return collection


def _unique_slug(title: str) -> str:
    base = slugify(title)[:70] or "collection"
    slug, n = base, 1
    while Collection.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def add_story(collection: Collection, story: Story, *, actor: AnyUser | None) -> CollectionStory:
    """Put an approved story into the collection (again is harmless); publish it if the
    collection is already public."""
    if story.status not in COLLECTABLE_STATUSES:
        raise NotCollectable(
            f"Only approved stories can join a collection; this one is "
            f"{story.get_status_display().lower()}."
        )
    with transaction.atomic():
        last = collection.entries.aggregate(p=Max("position"))["p"]
        entry, created = CollectionStory.objects.get_or_create(
            collection=collection, story=story, defaults={"position": (last or 0) + 1}
        )
        if created:
            audit.record(AuditAction.COLLECTION_EDITED, collection, actor=actor, added=story.pk)
            if collection.published_at and publication.why_not_publishable(story) is None:
                publication.enqueue(story)
    return entry


def remove_story(collection: Collection, story: Story, *, actor: AnyUser | None) -> bool:
    """Take a story out of the collection; it stays published in the feed if it was."""
    removed, _ = CollectionStory.objects.filter(collection=collection, story=story).delete()
    if removed:
        audit.record(AuditAction.COLLECTION_EDITED, collection, actor=actor, removed=story.pk)
    return bool(removed)


def publish(collection: Collection, *, actor: AnyUser | None) -> PublishResult:
    """Make the collection public and queue each publishable story's anonymised copy.

    Stories whose consent allows nothing public are left out, with the reason.
    """
    result = PublishResult()
    with transaction.atomic():
        stories = Story.objects.filter(collection_entries__collection=collection)
        for story in stories.order_by("collection_entries__position"):
            reason = publication.why_not_publishable(story)
            if reason:
                result.skipped[story.pk] = reason
                continue
            publication.enqueue(story)
            result.queued.append(story.pk)
        if collection.published_at is None:
            collection.published_at = timezone.now()
            collection.save(update_fields=["published_at", "updated_at"])
        audit.record(
            AuditAction.COLLECTION_PUBLISHED,
            collection,
            actor=actor,
            queued=result.queued,
            skipped=sorted(result.skipped),
        )
    return result
