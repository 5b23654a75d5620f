"""The pipeline's bookkeeping on a story: claiming it, recording progress, failing, finishing.

Tasks call these; they hold no Celery code so they can be tested on their own.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import kombu.exceptions
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError
from django.db.models import F
from django.db.models.functions import Now
from django.utils import timezone

from media_pipeline.media import MediaRejected
from stories.domain import diskspace, lifecycle
from stories.enums import StoryStatus
from stories.models import Story

logger = logging.getLogger(__name__)

WORKER = "worker"
TOO_SLOW = "Processing took too long. The recording may be too long; a curator can retry it."
UNEXPECTED = "Something went wrong while processing this story. A curator can retry it."
GAVE_UP = "Processing kept stopping before it finished. A curator can retry it."
# Errors that Celery retries with backoff rather than failing the story: the database or
# the broker briefly away (kombu's error when queueing the next step finds no broker).
TRANSIENT_ERRORS = (
    OperationalError,
    InterfaceError,
    ConnectionError,
    TimeoutError,
    kombu.exceptions.OperationalError,
    # A full disk: space comes back (the reconciler, an operator), the story waits.
    diskspace.StorageFull,
)


def claim(story_id: int) -> Story | None:
    """Take a submitted story into processing; None when there is nothing to do.

    A story already in ``processing`` is taken as is: that is a redelivered task
    whose first worker died, and every step is idempotent.
    """
    story = Story.objects.filter(pk=story_id).first()
    if story is None:
        return None
    if story.status in (StoryStatus.SUBMITTED, StoryStatus.FAILED):
        try:
            lifecycle.transition(
                story,
                StoryStatus.PROCESSING,
                actor_label=WORKER,
                processing_step="queued",
                processing_percent=0,
                processing_attempts=F("processing_attempts") + 1,
            )
        except lifecycle.InvalidTransition:
            return None
        story.refresh_from_db()
        return story
    if story.status == StoryStatus.PROCESSING:
        return story
    logger.info("story %s is %s; nothing to process", story_id, story.status)
    return None


@contextmanager
def step(story: Story, name: str, percent_done: int) -> Iterator[None]:
    """Record that ``story`` is in step ``name`` and, on success, how long it took."""
    Story.objects.filter(pk=story.pk, status=StoryStatus.PROCESSING).update(
        processing_step=name, updated_at=Now()
    )
    started = time.monotonic()
    yield
    story.processing_timings = {
        **story.processing_timings,
        name: round(time.monotonic() - started, 3),
    }
    Story.objects.filter(pk=story.pk, status=StoryStatus.PROCESSING).update(
        processing_percent=percent_done,
        processing_timings=story.processing_timings,
        updated_at=Now(),
    )


@contextmanager
def failing_on_error(story: Story) -> Iterator[None]:
    """Turn an error in a pipeline step into a failed story with a reason a person can read.

    Transient errors (database or broker briefly away) propagate so the task retries.
    The rest of the ``with`` block is skipped after a failure.
    """
    try:
        yield
    except TRANSIENT_ERRORS:
        raise
    except MediaRejected as rejected:
        logger.info("story %s rejected: %s (%s)", story.pk, rejected.reason, rejected.code)
        fail(story, rejected.reason)
    except SoftTimeLimitExceeded:
        logger.warning("story %s hit the soft time limit", story.pk)
        fail(story, TOO_SLOW)
    except Exception as error:
        if diskspace.is_full(error):
            logger.warning("story %s: storage full; the step will be retried", story.pk)
            raise diskspace.StorageFull() from error
        logger.exception("story %s failed unexpectedly", story.pk)
        fail(story, UNEXPECTED)


def give_up_if_retried_too_often(story_id: int, limit: int = 3) -> bool:
    """Count a sweeper re-enqueue; after ``limit`` of them, fail the story instead."""
    Story.objects.filter(pk=story_id).update(processing_attempts=F("processing_attempts") + 1)
    story = Story.objects.filter(pk=story_id).first()
    if story is None or story.processing_attempts <= limit:
        return False
    fail(story, GAVE_UP)
    return True


def fail(story: Story, reason: str) -> None:
    """Stop processing ``story`` with a reason a person can read; a curator can retry it."""
    story.refresh_from_db(fields=["status"])
    try:
        lifecycle.transition(story, StoryStatus.FAILED, actor_label=WORKER, reason=reason)
    except lifecycle.InvalidTransition:
        logger.info("story %s left processing before it could be failed", story.pk)


def finish(story: Story) -> None:
    """Hand a processed story to the curators."""
    story.refresh_from_db(fields=["status"])
    try:
        lifecycle.transition(
            story,
            StoryStatus.NEEDS_REVIEW,
            actor_label=WORKER,
            processing_step="done",
            processing_percent=100,
        )
    except lifecycle.InvalidTransition:
        # Withdrawn meanwhile, or finished by a redelivered twin: nothing to do.
        logger.info("story %s is %s; not moving it to review", story.pk, story.status)


def stuck_story_ids(status: StoryStatus, older_than: timedelta) -> list[int]:
    """Stories in ``status`` with no change recorded for ``older_than``."""
    deadline = timezone.now() - older_than
    return list(
        Story.objects.filter(status=status, updated_at__lt=deadline).values_list("pk", flat=True)
    )
