"""Curators' review: the queue, approving or rejecting a story, and looking at its picture."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Prefetch, QuerySet

from media_pipeline.anonymise import RelativeBox
from stories.domain import audit, consent_state, lifecycle, pictures, publication
from stories.domain.roles import AnyUser
from stories.enums import AuditAction, StoryStatus
from stories.models import Redaction, Story, StoryTheme, Transcript

# Decisions a curator may take back; processing → needs_review is the worker's move.
REOPENABLE = frozenset({StoryStatus.APPROVED, StoryStatus.PUBLISHED, StoryStatus.REJECTED})


def queue(
    *, drive: str | None = None, theme: str | None = None, language: str | None = None
) -> QuerySet[Story]:
    """Stories waiting for a curator, oldest first, with what a reviewer needs preloaded."""
    stories = (
        Story.objects.filter(status=StoryStatus.NEEDS_REVIEW)
        .select_related("drive")
        .prefetch_related(
            Prefetch(
                "transcripts",
                queryset=Transcript.objects.prefetch_related("revisions").order_by("created_at"),
            ),
            Prefetch("theme_tags", queryset=StoryTheme.objects.select_related("theme")),
            Prefetch("redactions", queryset=Redaction.objects.order_by("field", "start")),
        )
        .order_by("submitted_at", "pk")
    )
    if drive:
        stories = stories.filter(drive__slug=drive)
    if theme:
        stories = stories.filter(theme_tags__theme__slug=theme).distinct()
    if language:
        stories = stories.filter(language=language)
    return stories


def approve(
    story: Story, *, actor: AnyUser | None, disguise_voice: bool = False, picture: str = ""
) -> Story:
    """Approve a reviewed story for publication, with the curator's choice on the voice.

    ``picture`` is the fingerprint of the anonymised picture the curator looked at; it is
    recorded, and must be the picture publishing would make now (``PictureChanged``).
    Without it the story is approved, but its picture is published only once looked at.
    Approving a published story again (to change a choice) takes its public copy down: it
    goes public again only through ``publish``, built from the new decisions.
    """
    with transaction.atomic():
        if picture:
            pictures.confirm_seen(story, consent_state.current(story), picture)
        return publication.move(
            story, StoryStatus.APPROVED, actor=actor, disguise_voice=disguise_voice
        )


def confirm_picture(story: Story, fingerprint: str, *, actor: AnyUser | None) -> None:
    """A curator looked at the picture with ``fingerprint`` (the one publishing would make).

    A published story whose picture was held back for this look is rebuilt with it.
    """
    with transaction.atomic():
        pictures.confirm_seen(story, consent_state.current(story), fingerprint)
        audit.record(AuditAction.REDACTION_DECIDED, story, actor=actor, picture_seen=fingerprint)
        if story.status == StoryStatus.PUBLISHED:
            publication.enqueue(story)


def mark_picture_regions(story: Story, boxes: list[RelativeBox], *, actor: AnyUser | None) -> None:
    """Store the regions a curator marked to blur. The picture changes, so it needs a fresh
    look; a published story is rebuilt at once, its picture left out until then."""
    with transaction.atomic():
        pictures.set_boxes(story, boxes, actor=actor)
        if story.status == StoryStatus.PUBLISHED:
            publication.enqueue(story)


def reject(story: Story, reason: str, *, actor: AnyUser | None) -> Story:
    """Turn a story down with a reason its reporter reads through their receipt; a
    published story's public copy goes first."""
    if not reason.strip():
        raise ValueError("Say why the story is rejected: the reporter will read it.")
    return publication.move(story, StoryStatus.REJECTED, actor=actor, reason=reason.strip())


def reopen(story: Story, *, actor: AnyUser | None, reason: str = "") -> Story:
    """Send an approved, published or rejected story back to review; a published story's
    public copy goes first. A story in processing reaches review when its worker is done."""
    if story.status not in REOPENABLE:
        raise lifecycle.InvalidTransition(story.pk, story.status, StoryStatus.NEEDS_REVIEW)
    return publication.move(story, StoryStatus.NEEDS_REVIEW, actor=actor, reason=reason.strip())
