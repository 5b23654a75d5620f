"""Curators' review: the queue, approving or rejecting a story, and looking at its picture."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet

from media_pipeline.anonymise import RelativeBox
from media_pipeline.speech import alignment
from stories.domain import audio_redactions, audit, consent_state, lifecycle, pictures, publication
from stories.domain.roles import AnyUser
from stories.enums import AuditAction, RedactionField, StoryStatus, ThemeTagState
from stories.models import Redaction, Story, StoryTheme, Transcript

# Decisions a curator may take back; processing → needs_review is the worker's move.
REOPENABLE = frozenset({StoryStatus.APPROVED, StoryStatus.PUBLISHED, StoryStatus.REJECTED})


# The queue's status filter: where a story can be while curators work on it.
QUEUE_STATUSES = (
    StoryStatus.NEEDS_REVIEW,
    StoryStatus.APPROVED,
    StoryStatus.PUBLISHED,
    StoryStatus.REJECTED,
    StoryStatus.FAILED,
)


def queue(
    *,
    status: str = StoryStatus.NEEDS_REVIEW,
    drive: str | None = None,
    theme: str | None = None,
    language: str | None = None,
    search: str | None = None,
    newest_first: bool = False,
) -> QuerySet[Story]:
    """Stories in ``status`` (waiting for review by default), oldest first, with what a
    reviewer needs preloaded.

    ``theme`` keeps stories tagged with it that no curator rejected it on; ``search``
    looks in the title, written text, place and transcript (machine and corrected).
    """
    if status not in QUEUE_STATUSES:
        raise ValueError(f"The queue shows {', '.join(QUEUE_STATUSES)}, not {status!r}.")
    stories = (
        Story.objects.filter(status=status)
        .select_related("drive")
        .prefetch_related(
            Prefetch(
                "transcripts",
                queryset=Transcript.objects.prefetch_related("revisions").order_by("created_at"),
            ),
            Prefetch("theme_tags", queryset=StoryTheme.objects.select_related("theme")),
            Prefetch("redactions", queryset=Redaction.objects.order_by("field", "start")),
        )
    )
    if drive:
        stories = stories.filter(drive__slug=drive)
    if theme:
        tagged = StoryTheme.objects.filter(theme__slug=theme)
        rejected = tagged.filter(state=ThemeTagState.REJECTED)
        stories = stories.filter(pk__in=tagged.values("story_id")).exclude(
            pk__in=rejected.values("story_id")
        )
    if language:
        stories = stories.filter(language=language)
    if search:
        heard = Transcript.objects.filter(
            Q(text__icontains=search) | Q(revisions__text__icontains=search)
        )
        stories = stories.filter(
            Q(title__icontains=search)
            | Q(text__icontains=search)
            | Q(place__icontains=search)
            | Q(pk__in=heard.values("story_id"))
        )
    order = ("-submitted_at", "-pk") if newest_first else ("submitted_at", "pk")
    return stories.order_by(*order)


def next_in_queue(story: Story) -> Story | None:
    """The story waiting for review after ``story`` (oldest first), else the oldest one."""
    waiting = Story.objects.filter(status=StoryStatus.NEEDS_REVIEW).exclude(pk=story.pk)
    oldest = waiting.order_by("submitted_at", "pk")
    if story.submitted_at is None:
        return oldest.first()
    after = oldest.filter(
        Q(submitted_at__gt=story.submitted_at) | Q(submitted_at=story.submitted_at, pk__gt=story.pk)
    )
    return after.first() or oldest.first()


@dataclass(frozen=True)
class TranscriptWord:
    """A word of the transcript the curator sees, where it lies in that text and when it is
    said: corrected words take the time of the machine words they replaced."""

    text: str
    char_start: int
    char_end: int
    start: float
    end: float
    hidden: bool


def transcript_words(
    transcript: Transcript, text: str, hidden: list[Redaction]
) -> list[TranscriptWord]:
    """The words of ``text`` (the current transcript) with times, for the synced transcript.

    ``hidden`` are the transcript's redactions; a word inside a hidden one is marked.
    Empty when the machine heard no timed words.
    """
    machine = audio_redactions.machine_words(transcript)
    if not machine:
        return []
    spans = [(r.start, r.end) for r in hidden if r.redact and r.field == RedactionField.TRANSCRIPT]
    words = []
    for timed in alignment.diff_timings(text, machine):
        if timed.time is None:
            continue
        start, end = timed.token.start, timed.token.end
        words.append(
            TranscriptWord(
                text=text[start:end],
                char_start=start,
                char_end=end,
                start=round(timed.time[0], 3),
                end=round(timed.time[1], 3),
                hidden=any(a < end and start < b for a, b in spans),
            )
        )
    return words


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
