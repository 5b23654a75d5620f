"""Celery tasks: thin wrappers that call the pipeline's plain functions.

The workflow for one story is a chain across two queues:
``process_story`` (media queue) → ``transcribe_story`` (transcribe queue, audio and
video only) → ``finish_story`` (media queue). Every task is idempotent, so a
redelivery after a lost worker is harmless.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError

from media_pipeline import workflow
from stories.enums import StoryStatus

logger = logging.getLogger(__name__)

# Errors worth another try: the database or broker was briefly away.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)
RETRY_OPTIONS: dict[str, Any] = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(**RETRY_OPTIONS)
def process_story(story_id: int) -> None:
    """Start (or resume) processing a submitted story."""
    story = workflow.claim(story_id)
    if story is None:
        return
    finish_story.delay(story_id)


@shared_task(**RETRY_OPTIONS)
def finish_story(story_id: int) -> None:
    """Run the analysis steps and hand the story to curators."""
    story = workflow.claim(story_id)
    if story is None:
        return
    try:
        workflow.finish(story)
    except DatabaseError:
        raise
    except Exception:
        logger.exception("finishing story %s failed", story_id)
        workflow.fail(story, "Something went wrong while preparing the story for review.")


@shared_task(**RETRY_OPTIONS)
def sweep_stuck_stories() -> list[int]:
    """Re-enqueue stories whose processing was lost or stalled (run by Celery beat)."""
    stuck = workflow.stuck_story_ids(
        StoryStatus.PROCESSING, timedelta(seconds=settings.TARINA_STUCK_AFTER_SECONDS)
    ) + workflow.stuck_story_ids(
        StoryStatus.SUBMITTED, timedelta(seconds=settings.TARINA_UNQUEUED_AFTER_SECONDS)
    )
    for story_id in stuck:
        logger.warning("story %s made no progress; re-enqueueing it", story_id)
        process_story.delay(story_id)
    return stuck
