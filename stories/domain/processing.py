"""Sending a story (back) through the media pipeline."""

from __future__ import annotations

from django.db import transaction

from stories.domain import dispatch, lifecycle
from stories.domain.roles import AnyUser
from stories.enums import StoryStatus
from stories.models import Story


def enqueue(story: Story) -> None:
    """Queue the story's processing once the current transaction commits.

    Robust: if the broker is away the story is still stored, and the sweeper
    enqueues it later.
    """
    dispatch.send_on_commit(dispatch.PROCESS_STORY, story.pk)


def retry(story: Story, *, actor: AnyUser | None) -> Story:
    """A curator sends a failed story through the pipeline again.

    Only failed stories: the lifecycle would also let a draft become submitted, but that is
    the reporter's decision, not a retry (``InvalidTransition``, answered 409).
    """
    if story.status != StoryStatus.FAILED:
        raise lifecycle.InvalidTransition(story.pk, story.status, StoryStatus.SUBMITTED)
    with transaction.atomic():
        lifecycle.transition(
            story, StoryStatus.SUBMITTED, actor=actor, processing_attempts=0, processing_step=""
        )
        enqueue(story)
    return story
