"""Publishing a story: building its anonymised public copy, as far as consent allows.

Only ``PublishedStory`` rows and files in the ``public`` storage reach public surfaces;
originals never do. What goes into them:

- text (title, written text, transcript) with every hidden span replaced by a placeholder,
  only with consent to publish the text;
- audio with the redacted words toned out, only with consent to publish the voice, disguised
  when the curator chose so at approval;
- a photo or a video's poster frame, only with consent to publish the picture, with its
  metadata stripped and faces and personal text blurred (the face shown only with consent
  to it), exactly as a curator looked at it (``pictures``);
- a video's own pictures only with consent to the face and the voice.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from functools import partial

from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Now
from django.utils import timezone

from stories.domain import (
    audit,
    captions,
    clips,
    consent_state,
    dispatch,
    embeddings,
    file_journal,
    lifecycle,
    pictures,
    redactions,
    release_check,
    search,
    transcripts,
    translation,
)
from stories.domain import publication_media as media
from stories.domain.roles import AnyUser
from stories.enums import AuditAction, StoryKind, StoryStatus, ThemeTagState
from stories.models import ConsentRecord, PublishedStory, Story, Theme

PUBLISHABLE_STATUSES = frozenset({StoryStatus.APPROVED, StoryStatus.PUBLISHED})
# ``Story.processing_step`` while a public copy is waiting to be built, and while it is built.
PUBLISH_QUEUED = "publish_queued"
PUBLISHING = "publishing"
PENDING_STEPS = (PUBLISH_QUEUED, PUBLISHING)
SPOKEN_KINDS = (StoryKind.AUDIO, StoryKind.VIDEO)


class NotPublishable(Exception):
    """The story is not approved, or its consent allows nothing to be published."""


def why_not_publishable(story: Story) -> str | None:
    """A reason a person can read when ``story`` cannot be published; None when it can."""
    if story.status not in PUBLISHABLE_STATUSES:
        return f"Only approved stories can be published; this one is {story.get_status_display()}."
    record = consent_state.current(story)
    if record is None or not (record.publish_text or record.publish_audio or record.publish_image):
        return "The reporter's consent does not allow publishing any part of this story."
    if story.status == StoryStatus.APPROVED:
        # Going public for the first time is the curator's act: they must have seen the
        # picture. A published story's rebuild leaves an unseen picture out instead.
        return pictures.not_seen_reason(story, record)
    return None


def enqueue(story: Story) -> None:
    """Build and publish the story in a worker once the transaction commits.

    The story is marked as waiting for its build, so that the sweeper can queue it again
    if the worker building it dies (or the broker loses the task).
    """
    Story.objects.filter(pk=story.pk).update(
        processing_step=PUBLISH_QUEUED, processing_attempts=0, updated_at=Now()
    )
    dispatch.send_on_commit(dispatch.PUBLISH_STORY, story.pk, queue=queue_for(story))


def queue_for(story: Story) -> str | None:
    """Stories with sound are built where the speech model lives: the release check
    listens to their anonymised audio again. Others take the task's usual route."""
    return dispatch.TRANSCRIBE_QUEUE if story.kind in SPOKEN_KINDS else None


def begin(story: Story) -> None:
    """Record that a worker has started building the story's public copy."""
    Story.objects.filter(pk=story.pk).update(processing_step=PUBLISHING, updated_at=Now())


def settle(story: Story) -> None:
    """Clear the waiting mark of a story that turned out to have nothing to publish."""
    Story.objects.filter(pk=story.pk, processing_step__in=PENDING_STEPS).update(processing_step="")


def stalled_ids(older_than: timedelta) -> list[int]:
    """Stories whose build was queued or started ``older_than`` ago and never finished."""
    deadline = timezone.now() - older_than
    return list(
        Story.objects.filter(
            status__in=PUBLISHABLE_STATUSES,
            processing_step__in=PENDING_STEPS,
            updated_at__lt=deadline,
        ).values_list("pk", flat=True)
    )


def count_retry(story_id: int, limit: int = 3) -> bool:
    """Count one more attempt at a stalled build; past ``limit``, clear its mark and say no.

    A story given up on stays approved, so a curator can publish it again.
    """
    Story.objects.filter(pk=story_id).update(
        processing_attempts=F("processing_attempts") + 1, updated_at=Now()
    )
    attempts = Story.objects.filter(pk=story_id).values_list("processing_attempts", flat=True)
    if (attempts.first() or 0) <= limit:
        return True
    settle(Story(pk=story_id))
    return False


def publish(story: Story, *, actor: AnyUser | None = None) -> PublishedStory:
    """Build (or rebuild) the public copy and mark the story published. Idempotent."""
    # From the story as it is now, never as the caller last saw it: a stale status would
    # leave a built copy on an approved story, stale words would be published.
    story.refresh_from_db()
    reason = why_not_publishable(story)
    if reason:
        raise NotPublishable(reason)
    try:
        publication = build(story)
    except release_check.StillAudible as refused:
        hold_back(story, refused.reason, actor=actor)
        raise NotPublishable(refused.reason) from refused
    # One transaction: a worker that dies here leaves either no trace or all of it, so a
    # second run neither skips the published event nor records it twice.
    with transaction.atomic():
        if story.status == StoryStatus.APPROVED:
            lifecycle.transition(story, StoryStatus.PUBLISHED, actor=actor, processing_step="")
            audit.record(
                AuditAction.STORY_PUBLISHED, story, actor=actor, publication=publication.pk
            )
        else:
            settle(story)
    return publication


def hold_back(story: Story, reason: str, *, actor: AnyUser | None = None) -> None:
    """The release check refused the audio: say why on the story, and take down an
    earlier public copy too, since what is now redacted may be heard in it."""
    with transaction.atomic():
        if story.status == StoryStatus.PUBLISHED:
            unpublish(story)
            lifecycle.transition(
                story, StoryStatus.APPROVED, actor=actor, reason=reason, processing_step=""
            )
        else:
            Story.objects.filter(pk=story.pk).update(status_reason=reason, processing_step="")
            story.status_reason = reason


def build(story: Story) -> PublishedStory:
    """The story's public copy, rebuilt only when its inputs changed since the last build."""
    record = consent_state.current(story)
    if record is None:
        raise NotPublishable("The story has no consent on record.")
    existing = PublishedStory.objects.filter(story=story).first()
    fingerprint = _fingerprint(story, record)
    if existing and existing.fingerprint == fingerprint:
        return existing
    texts = redactions.anonymise(story) if record.publish_text else {}
    built = media.build(story, record, fingerprint)
    try:
        publication = _record(story, record, existing, fingerprint, texts, built)
    except BaseException:
        # Not committed: the files just written have no owner (see file_journal).
        file_journal.abandon(media.STORAGE, built.names())
        raise
    return publication


def _record(
    story: Story,
    record: ConsentRecord,
    existing: PublishedStory | None,
    fingerprint: str,
    texts: dict[str, str],
    built: media.PublicMedia,
) -> PublishedStory:
    """Commit the public copy of a finished build, unless the story stopped being
    publishable while it was built (``NotPublishable``)."""
    with transaction.atomic():
        # The build took a while: a withdrawal, a curator sending the story back or a
        # narrowed consent (which queues its own build when anything may still be public)
        # that came meanwhile wins, and the files just written go.
        still = Story.objects.select_for_update().filter(
            pk=story.pk, status__in=PUBLISHABLE_STATUSES
        )
        current = consent_state.current(story)
        if still.values_list("pk", flat=True).first() is None or current != record:
            raise NotPublishable("The story stopped being publishable while it was built.")
        publication, _ = PublishedStory.objects.update_or_create(
            story=story,
            defaults={
                "public_id": story.public_id,
                "drive_id": story.drive_id,
                "kind": story.kind,
                "language": story.language,
                "title": texts.get("title", ""),
                "text": _public_text(story, texts),
                "place": story.place if record.publish_text else "",
                "research_allowed": record.research,
                "voice_disguised": built.voice_disguised,
                "faces_blurred": built.faces_blurred,
                "duration": built.duration,
                "segments": _public_segments(story, record, built),
                "translation": translation.public(story, translation.of(story))
                if record.publish_text
                else {},
                "fingerprint": fingerprint,
                "published_at": existing.published_at if existing else timezone.now(),
            },
        )
        kept = set(built.names())
        old_files = [f for f in existing.media_files() if f.name not in kept] if existing else []
        publication.audio = built.audio or ""
        publication.image = built.image or ""
        publication.video = built.video or ""
        publication.save(update_fields=["audio", "image", "video"])
        # Clips are cut from the published audio: other audio (other redactions, or none
        # under a narrower consent) takes them down.
        clips.take_down(story, keep_audio=str(publication.audio.name or ""))
        publication.themes.set(public_themes(story))
        _index(publication)
        embeddings.queue(publication)
        _delete_on_commit([(f.storage, str(f.name)) for f in old_files])
        file_journal.settle(media.STORAGE, built.names())
    return publication


def _public_segments(
    story: Story, record: ConsentRecord, built: media.PublicMedia
) -> list[dict[str, object]]:
    """The transcript timed on the published sound: only with consent to the text, and
    only where sound is published to follow it."""
    transcript = transcripts.primary(story)
    if not (record.publish_text and (built.audio or built.video) and transcript):
        return []
    return captions.public_segments(story, transcript)


def _public_text(story: Story, texts: dict[str, str]) -> str:
    if story.kind in (StoryKind.AUDIO, StoryKind.VIDEO):
        parts = [texts.get("text", ""), texts.get("transcript", "")]
    else:
        parts = [texts.get("text", "")]
    return "\n\n".join(p for p in parts if p)


def public_themes(story: Story) -> list[Theme]:
    """Themes a curator confirmed or added; suggestions alone are never published."""
    return list(
        Theme.objects.filter(tags__story=story, tags__state=ThemeTagState.CONFIRMED).distinct()
    )


def _index(publication: PublishedStory) -> None:
    search.index(publication)


def _fingerprint(story: Story, record: ConsentRecord) -> str:
    """What a build depends on: consent, texts, hidden spans, confirmed themes, choices."""
    transcript = transcripts.primary(story)
    picture = pictures.plan(story, record)
    state = {
        "consent": [record.pk, record.scopes],
        "picture": [picture.fingerprint, pictures.is_seen(story, picture)] if picture else None,
        "story": [story.title, story.text, story.place, story.language, story.disguise_voice],
        "transcript": transcripts.current_text(transcript) if transcript else "",
        "translation": _translation_state(story),
        "hidden": list(
            story.redactions.filter(redact=True).values_list("field", "start", "end", "type")
        ),
        "themes": sorted(t.slug for t in public_themes(story)),
    }
    return hashlib.sha256(json.dumps(state, sort_keys=True, default=str).encode()).hexdigest()


def _translation_state(story: Story) -> list[object]:
    """What of the translation a build depends on: its text and the curator's correction."""
    found = translation.of(story)
    return [found.text, found.corrected_text] if found else []


def unpublish(
    story: Story, *, actor: AnyUser | None = None, actor_label: str = "", reason: str = ""
) -> Story:
    """The unpublish action: the public copy and its files go at once; the story is approved
    again, and only ``publish`` (a fresh build from the current decisions) brings it back.

    Only a published story: approving one still in review is ``review.approve``'s job.
    """
    if story.status not in lifecycle.PUBLIC_STATUSES:
        raise lifecycle.InvalidTransition(story.pk, story.status, StoryStatus.APPROVED)
    return move(story, StoryStatus.APPROVED, actor=actor, actor_label=actor_label, reason=reason)


def move(
    story: Story,
    target: StoryStatus,
    *,
    actor: AnyUser | None = None,
    actor_label: str = "",
    reason: str = "",
    **fields: object,
) -> Story:
    """Move ``story`` to ``target``; any public copy is taken down first unless the target
    is public. Not only a published story's: a build that committed its copy just before a
    curator rejected the story (its worker then loses the race to publish) leaves one too.

    One transaction: if the move loses a race the copy stays, as the story stays published.
    """
    with transaction.atomic():
        if target not in lifecycle.PUBLIC_STATUSES:
            remove_copy(story)
        return lifecycle.transition(
            story, target, actor=actor, actor_label=actor_label, reason=reason, **fields
        )


def remove_copy(story: Story) -> bool:
    """Take the public copy down at once: the row and its files, and the story's clips.
    True if there was a copy."""
    clips.take_down(story)
    publication = PublishedStory.objects.filter(story=story).first()
    if publication is None:
        return False
    files = [(f.storage, str(f.name)) for f in publication.media_files()]
    publication.delete()
    _delete_on_commit(files)
    return True


def erase_copy(story: Story) -> bool:
    """On withdrawal: the public copy, and every file in the story's public folder (what
    builds cut off by a dead worker, or an erasure cut off before its files went, left)."""
    removed = remove_copy(story)
    transaction.on_commit(partial(media.delete_folder, story))
    return removed


def _delete_on_commit(files: list[tuple[Storage, str]]) -> None:
    """Files go once the rows pointing at them are gone for good."""

    def delete() -> None:
        for storage, name in files:
            storage.delete(name)

    if files:
        transaction.on_commit(delete)


def preview(story: Story) -> dict[str, object]:
    """What ``publish`` would make public now, without writing anything."""
    reason = why_not_publishable(story) or ""
    record = consent_state.current(story)
    texts = redactions.anonymise(story) if record and record.publish_text else {}
    transcript = transcripts.primary(story)
    audio = bool(
        record
        and record.publish_audio
        and transcript is not None
        and story.kind in (StoryKind.AUDIO, StoryKind.VIDEO)
    )
    picture = pictures.plan(story, record)
    image = ""
    if picture is not None:
        image = "face shown" if picture.show_face else "anonymised"
    # The moving video also needs key frames without text to hide: checked when publishing.
    video = bool(
        record
        and record.publish_audio
        and picture
        and picture.kind == StoryKind.VIDEO
        and picture.show_face
    )
    return {
        "publishable": not reason,
        "reason": reason,
        "title": texts.get("title", ""),
        "text": _public_text(story, texts),
        "audio": audio,
        "redacted_ranges": [list(r) for r in media.redacted_ranges(story, transcript)]
        if audio and transcript
        else [],
        "release_check": release_check.summary(story, _fingerprint(story, record))
        if audio and record
        else None,
        "image": image,
        "picture": picture.fingerprint if picture else "",
        "picture_seen": bool(picture and pictures.is_seen(story, picture)),
        "video": video,
        "themes": [t.slug for t in public_themes(story)],
    }
