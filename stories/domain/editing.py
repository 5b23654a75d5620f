"""Editing a story's own words and details."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from stories.domain import audit, redactions
from stories.domain.roles import AnyUser
from stories.enums import AuditAction, StoryStatus
from stories.models import Story

EDITABLE_FIELDS = frozenset({"title", "text", "language", "place"})
# Personal data was already looked for in these statuses; an edit looks again.
_DETECTED_STATUSES = frozenset(
    {StoryStatus.NEEDS_REVIEW, StoryStatus.APPROVED, StoryStatus.PUBLISHED, StoryStatus.REJECTED}
)


def edit(story: Story, changes: dict[str, Any], *, actor: AnyUser | None) -> Story:
    """Apply ``changes`` (title, text, language, place) and audit which fields changed."""
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        Story.objects.filter(pk=story.pk).update(**changes, updated_at=timezone.now())
        for name, value in changes.items():
            setattr(story, name, value)
        audit.record(AuditAction.STORY_EDITED, story, actor=actor, fields=sorted(changes))
        if story.status in _DETECTED_STATUSES and changes.keys() & {"title", "text", "language"}:
            redactions.detect(story, ["title", "text"])
    return story


def adopt_language(story: Story, code: str | None) -> None:
    """A story told without a language takes the one detected in its speech or text.

    Only a two-letter code is taken ("und" means the detector could not tell), and only
    while the story still has no language: a reporter's or curator's choice stands.
    """
    if story.language or not code or len(code) != 2:
        return
    Story.objects.filter(pk=story.pk, language="").update(language=code)
    story.language = code
