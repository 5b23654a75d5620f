"""Transcripts as curators see them: the machine's version plus their corrections."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Max

from stories.domain import audit, dispatch
from stories.domain.roles import AnyUser
from stories.enums import AuditAction
from stories.models import Story, Transcript, TranscriptRevision

_REVISION_ATTEMPTS = 3


def primary(story: Story) -> Transcript | None:
    """The transcript of the story's first recording (stories carry one recording)."""
    return story.transcripts.order_by("created_at", "pk").first()


def current_text(transcript: Transcript) -> str:
    """The newest curator revision, else what the machine heard."""
    latest = transcript.revisions.order_by("-number").first()
    return latest.text if latest else transcript.text


def revise(transcript: Transcript, text: str, *, actor: AnyUser | None) -> TranscriptRevision:
    """Store a corrected transcript as a new numbered revision; the machine text stays.

    Two curators saving at once both get their revision, numbered one after the other.
    A worker then aligns the corrected words with the recording (``audio_redactions``).
    """
    for _ in range(_REVISION_ATTEMPTS):
        number = (transcript.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
        try:
            with transaction.atomic():
                revision = TranscriptRevision.objects.create(
                    transcript=transcript,
                    number=number,
                    text=text,
                    author=actor if actor is not None and actor.is_authenticated else None,
                )
                audit.record(
                    AuditAction.TRANSCRIPT_EDITED,
                    transcript.story,
                    actor=actor,
                    transcript=transcript.pk,
                    revision=number,
                )
                # Where the corrected words are said: aligned where the model lives.
                dispatch.send_on_commit(dispatch.ALIGN_TRANSCRIPT, revision.pk)
                return revision
        except IntegrityError:
            continue  # someone else took this number; take the next
    raise RuntimeError("could not number the transcript revision")
