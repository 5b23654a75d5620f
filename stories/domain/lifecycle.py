"""The story status lifecycle: every status change goes through ``transition``.

    draft → submitted → processing → needs_review → approved → published
    plus rejected, failed (with a reason a person can read) and withdrawn.

A change is a compare-and-swap: an UPDATE conditioned on the status the caller
saw. Two curators, or a curator and a worker, racing on the same story cannot
both win; the loser gets ``InvalidTransition`` and the API answers 409.

This is the one gate, and it is not called by views: the named actions call it, each
doing all of its work (``submission.submit``; ``workflow`` and ``processing.retry`` to
process; ``review.approve`` / ``reject`` / ``reopen``; ``publication.publish`` /
``unpublish``; ``consent.withdraw``, which erases). The gate also holds the one
invariant a public copy needs: a story is published exactly while its public copy
exists, so no move may enter ``published`` without one or leave it with one left behind.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from stories.domain import audit, publicity
from stories.domain.roles import AnyUser
from stories.enums import AuditAction
from stories.enums import StoryStatus as S
from stories.models import PublishedStory, Story

TRANSITIONS: dict[S, frozenset[S]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.SUBMITTED: frozenset({S.PROCESSING, S.FAILED, S.WITHDRAWN}),
    # processing → processing: the sweeper re-enqueues a story whose worker died.
    S.PROCESSING: frozenset({S.PROCESSING, S.NEEDS_REVIEW, S.FAILED, S.WITHDRAWN}),
    S.NEEDS_REVIEW: frozenset({S.APPROVED, S.REJECTED, S.PROCESSING, S.WITHDRAWN}),
    S.APPROVED: frozenset({S.PUBLISHED, S.NEEDS_REVIEW, S.REJECTED, S.WITHDRAWN}),
    # Leaving published (unpublish, back to review, reject) takes the public copy down.
    S.PUBLISHED: frozenset({S.APPROVED, S.NEEDS_REVIEW, S.REJECTED, S.WITHDRAWN}),
    S.REJECTED: frozenset({S.NEEDS_REVIEW, S.WITHDRAWN}),
    # A curator retries a failed story by sending it back through the pipeline.
    S.FAILED: frozenset({S.SUBMITTED, S.PROCESSING, S.WITHDRAWN}),
    S.WITHDRAWN: frozenset(),
}

# Statuses in which a story may appear on a public surface.
PUBLIC_STATUSES = frozenset({S.PUBLISHED})


class InvalidTransition(Exception):
    """A status change the lifecycle does not allow, or one lost to a concurrent change."""

    def __init__(self, story_id: int, current: str, target: str, message: str = "") -> None:
        self.story_id = story_id
        self.current = current
        self.target = target
        super().__init__(
            message
            or f"A story that is {S(current).label.lower()} cannot become "
            f"{S(target).label.lower()}."
        )


class PublicCopyOutOfStep(InvalidTransition):
    """A move that would put the published status out of step with the public copy:
    publishing without a built copy, or leaving published with the copy still up."""

    def __init__(self, story_id: int, current: str, target: str) -> None:
        message = (
            "A story is published only by building its public copy: publish it."
            if S(target) in PUBLIC_STATUSES
            else "The public copy must be taken down before the story leaves published."
        )
        super().__init__(story_id, current, target, message)


def can_transition(current: str, target: str) -> bool:
    """True when the lifecycle allows moving from ``current`` to ``target``."""
    return S(target) in TRANSITIONS[S(current)]


def transition(
    story: Story,
    target: S,
    *,
    actor: AnyUser | None = None,
    actor_label: str = "",
    reason: str = "",
    **fields: Any,
) -> Story:
    """Move ``story`` to ``target`` if, and only if, it is still in the status we saw.

    ``fields`` are further columns to set in the same UPDATE. Raises
    ``InvalidTransition`` when the move is not allowed or the story changed meanwhile.
    On success ``story`` is updated in place and the change is audited.
    """
    seen = S(story.status)
    if not can_transition(seen, target):
        raise InvalidTransition(story.pk, seen, target)
    _check_public_copy(story, seen, target)
    now = timezone.now()
    changes: dict[str, Any] = {
        "status": target,
        "status_reason": reason,
        "status_changed_at": now,
        "updated_at": now,
        **fields,
    }
    with transaction.atomic():
        updated = Story.objects.filter(pk=story.pk, status=seen).update(**changes)
        if not updated:
            current = Story.objects.filter(pk=story.pk).values_list("status", flat=True).first()
            raise InvalidTransition(story.pk, current or seen, target)
        for name, value in changes.items():
            setattr(story, name, value)
        if seen in PUBLIC_STATUSES or target in PUBLIC_STATUSES:
            publicity.changed()
        audit.record(
            AuditAction.STORY_TRANSITIONED,
            story,
            actor=actor,
            actor_label=actor_label,
            **{"from": seen.value, "to": target.value, "reason": reason},
        )
    return story


def _check_public_copy(story: Story, seen: S, target: S) -> None:
    """Published exactly while a public copy exists: the actions build or remove it first."""
    if (seen in PUBLIC_STATUSES) == (target in PUBLIC_STATUSES):
        return
    has_copy = PublishedStory.objects.filter(story_id=story.pk).exists()
    if has_copy != (target in PUBLIC_STATUSES):
        raise PublicCopyOutOfStep(story.pk, seen, target)
