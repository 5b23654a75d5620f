"""Celery tasks: thin wrappers that call the pipeline's plain functions.

The workflow for one story is a chain across two queues::

    process_story (media)      validate → normalise each original upload
      → transcribe_story (transcribe; audio and video only)
      → finish_story (media)   themes, personal data → needs_review

Publishing runs as ``publish_story`` once a curator publishes: on the transcribe queue for
stories with sound (the release check listens to the anonymised audio with Whisper), on
media otherwise. ``align_transcript`` (transcribe) places a curator's corrected words in
the recording after each save. ``translate_story`` (transcribe) renders a recording that
is not in English in English, after its transcription.

Every task is idempotent, so a redelivery after a lost worker is harmless. Task names
are fixed in ``stories.domain.dispatch`` (the wire names, kept across the move here).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from celery import shared_task
from django.conf import settings

from stories.domain import (
    audio_redactions,
    dispatch,
    embeddings,
    failpoints,
    ingest,
    media_reconciler,
    publication,
    redactions,
    retraining,
    speech,
    themes,
    translation,
    workflow,
)
from stories.domain.channels import deliveries, drafts, imap
from stories.enums import AssetRole, StoryStatus
from stories.models import PublishedStory, Story, TranscriptRevision

logger = logging.getLogger(__name__)

RETRY_OPTIONS: dict[str, Any] = {
    "autoretry_for": workflow.TRANSIENT_ERRORS,
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(name=dispatch.PROCESS_STORY, **RETRY_OPTIONS)
def process_story(story_id: int) -> None:
    """Start (or resume) processing a submitted story: check and normalise its uploads."""
    story = workflow.claim(story_id)
    if story is None:
        return
    with workflow.failing_on_error(story):
        originals = list(story.assets.filter(role=AssetRole.ORIGINAL))
        for index, original in enumerate(originals, start=1):
            with workflow.step(story, "validate", percent_done=10 * index // len(originals)):
                info = ingest.validate(story, original)
            with workflow.step(story, "normalise", percent_done=10 + 30 * index // len(originals)):
                ingest.normalise_original(original, info)
        if ingest.needs_transcription(story):
            transcribe_story.delay(story_id)
        else:
            finish_story.delay(story_id)


@shared_task(name=dispatch.TRANSCRIBE_STORY, **RETRY_OPTIONS)
def transcribe_story(story_id: int) -> None:
    """Transcribe a story's normalised audio (the heavy queue)."""
    story = workflow.claim(story_id)
    if story is None:
        return
    with workflow.failing_on_error(story):
        with workflow.step(story, "transcribe", percent_done=90):
            speech.transcribe_story(story)
        finish_story.delay(story_id)
        # After the story's own next step: curators need not wait for the translation.
        if translation.needed(story):
            translate_story.delay(story_id)


@shared_task(name=dispatch.FINISH_STORY, **RETRY_OPTIONS)
def finish_story(story_id: int) -> None:
    """Run the analysis steps and hand the story to curators."""
    story = workflow.claim(story_id)
    if story is None:
        return
    with workflow.failing_on_error(story):
        with workflow.step(story, "themes", percent_done=95):
            themes.suggest(story)
        with workflow.step(story, "personal_data", percent_done=98):
            redactions.detect(story)
        workflow.finish(story)


@shared_task(name=dispatch.PUBLISH_STORY, **RETRY_OPTIONS)
def publish_story(story_id: int) -> None:
    """Build a story's anonymised public copy and publish it (idempotent)."""
    story = Story.objects.filter(pk=story_id).first()
    if story is None:
        return
    if publication.why_not_publishable(story):
        # Withdrawn, narrowed or sent back since it was queued: nothing to publish.
        publication.settle(story)
        return
    publication.begin(story)
    try:
        with failpoints.at("publish"):
            publication.publish(story)
    except publication.NotPublishable:
        publication.settle(story)


@shared_task(name=dispatch.EMBED_STORY, **RETRY_OPTIONS)
def embed_story(publication_id: int) -> None:
    """Store the meaning vector of a public copy (gone since: nothing to do)."""
    found = PublishedStory.objects.filter(pk=publication_id).first()
    if found is not None:
        embeddings.embed(found)


@shared_task(name=dispatch.TRANSCRIBE_IN_LANGUAGE, **RETRY_OPTIONS)
def transcribe_in_language(story_id: int, language: str) -> None:
    """Transcribe a story again in the language a curator gave (the heavy queue)."""
    story = Story.objects.filter(pk=story_id).first()
    if story is not None:
        speech.transcribe_in_language(story, language)


@shared_task(name=dispatch.ALIGN_TRANSCRIPT, **RETRY_OPTIONS)
def align_transcript(revision_id: int) -> None:
    """Place a corrected transcript's words in the recording (the heavy queue)."""
    revision = TranscriptRevision.objects.select_related("transcript").filter(pk=revision_id)
    found = revision.first()
    if found is not None:
        audio_redactions.align(found)


@shared_task(name=dispatch.TRANSLATE_STORY, **RETRY_OPTIONS)
def translate_story(story_id: int) -> None:
    """Render a story's recording in English (the heavy queue); a story published
    meanwhile is rebuilt so that its public copy carries the translation."""
    story = Story.objects.filter(pk=story_id).first()
    if story is None or story.status == StoryStatus.WITHDRAWN:
        return
    if translation.translate_story(story) is not None and story.status == StoryStatus.PUBLISHED:
        publication.enqueue(story)


@shared_task(name=dispatch.RETRAIN_THEME_MODEL, bind=True, **RETRY_OPTIONS)
def retrain_theme_model(self: Any) -> int | None:
    """Learn from curators' theme decisions (queued a few seconds after a decision, and
    daily by Celery beat); returns decisions used. Waits while another retrain runs."""
    try:
        with retraining.retrain_lock():
            snapshot = themes.retrain(min_decisions=settings.TARINA_THEME_MIN_DECISIONS)
    except retraining.RetrainBusy as exc:
        raise self.retry(exc=exc, countdown=settings.TARINA_THEME_RETRAIN_DELAY_SECONDS) from exc
    return snapshot.decisions if snapshot else None


@shared_task(name=dispatch.SWEEP_STUCK_STORIES, **RETRY_OPTIONS)
def sweep_stuck_stories() -> list[int]:
    """Re-enqueue stories whose processing was lost or stalled (run by Celery beat).

    A story is re-queued when its running step stopped beating (its worker died: within
    minutes), or when it made no progress at all for ``TARINA_STUCK_AFTER_SECONDS`` (a
    task lost between steps), or was never queued.
    """
    dead = workflow.dead_step_ids(timedelta(seconds=settings.TARINA_HEARTBEAT_STALE_SECONDS))
    stuck = workflow.stuck_story_ids(
        StoryStatus.PROCESSING, timedelta(seconds=settings.TARINA_STUCK_AFTER_SECONDS)
    ) + workflow.stuck_story_ids(
        StoryStatus.SUBMITTED, timedelta(seconds=settings.TARINA_UNQUEUED_AFTER_SECONDS)
    )
    stuck = list(dict.fromkeys(dead + stuck))
    requeued = []
    for story_id in stuck:
        if workflow.give_up_if_retried_too_often(story_id):
            continue
        logger.warning("story %s made no progress; re-enqueueing it", story_id)
        process_story.delay(story_id)
        requeued.append(story_id)
    # Publishing that a dead worker (or a lost task) left unfinished.
    stalled = publication.stalled_ids(timedelta(seconds=settings.TARINA_STUCK_AFTER_SECONDS))
    for story_id in stalled:
        if not publication.count_retry(story_id):
            logger.error("story %s could not be published after retries; giving up", story_id)
            continue
        logger.warning("story %s was not published; queueing its build again", story_id)
        story = Story.objects.filter(pk=story_id).first()
        queue = publication.queue_for(story) if story else None
        publish_story.apply_async((story_id,), **({"queue": queue} if queue else {}))
        requeued.append(story_id)
    return requeued


@shared_task(name=dispatch.RECONCILE_MEDIA, **RETRY_OPTIONS)
def reconcile_media() -> dict[str, int]:
    """Delete unowned media files and fix rows whose file is gone (run by Celery beat).

    Beat repairs: nobody reads its report in time, and an orphan may be personal data.
    """
    report = media_reconciler.check(repair=True)
    return {
        "files_checked": report.files_checked,
        "orphans_deleted": report.orphans_deleted,
        "missing_found": len(report.missing),
        "missing_repaired": report.missing_repaired,
    }


@shared_task(name=dispatch.ERASE_EXPIRED_CHANNEL_DRAFTS, **RETRY_OPTIONS)
def erase_expired_channel_drafts() -> int:
    """Erase channel drafts that got no consent within their retention, and forget the
    ids of messages taken long ago (run by beat); returns how many drafts were erased."""
    deliveries.forget_old()
    return drafts.erase_expired()


@shared_task(name=dispatch.POLL_MAILBOX, **RETRY_OPTIONS)
def poll_mailbox() -> int:
    """Read the hosted mailbox ``TARINA_IMAP_URL`` (run by beat when it is set)."""
    if not settings.TARINA_IMAP_URL:
        return 0
    return imap.poll(settings.TARINA_IMAP_URL)
