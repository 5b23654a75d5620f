"""Delivering a story's private files (originals and working copies) to curators.

Object storage hands out short-lived signed URLs, so the bytes never pass through the web
tier; local storage has no URLs at all, so the file is streamed by a view that has
checked the curator first. Either way nothing on the way may keep a copy.
"""

from __future__ import annotations

import logging

from stories.models import MediaAsset, Story

logger = logging.getLogger(__name__)

# Originals are personal data: no shared cache, proxy or browser history may keep them.
PRIVATE_CACHE_CONTROL = "private, no-store, max-age=0"


def asset_of(story: Story, asset_id: int) -> MediaAsset | None:
    """The story's file with that id, or None (another story's file is not found either)."""
    return story.assets.filter(pk=asset_id).first()


def signed_url(asset: MediaAsset) -> str | None:
    """A short-lived signed URL where the storage gives one (S3), else None.

    The private local storage refuses ``url()`` by design (stories.storage).
    """
    try:
        return str(asset.file.storage.url(asset.file.name))
    except (ValueError, NotImplementedError):
        return None


def log_delivery(asset: MediaAsset, user_id: int | None, how: str) -> None:
    """Who fetched which private file: kept in the logs (story and asset ids, no content)."""
    logger.info(
        "private file %s of story %s delivered to user %s by %s",
        asset.pk,
        asset.story_id,
        user_id,
        how,
        extra={"story_id": asset.story_id},
    )
