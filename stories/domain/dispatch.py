"""Sending background tasks by name once the current transaction commits.

The domain names a task instead of importing ``stories.tasks``: the tasks call the
domain, so the domain importing them would make a cycle. Names are the wire names
workers know; they predate the move of the tasks into this app and must stay stable,
or messages already queued under them would be dropped on upgrade.
"""

from __future__ import annotations

from celery import current_app
from django.db import transaction

PROCESS_STORY = "media_pipeline.tasks.process_story"
TRANSCRIBE_STORY = "media_pipeline.tasks.transcribe_story"
FINISH_STORY = "media_pipeline.tasks.finish_story"
PUBLISH_STORY = "media_pipeline.tasks.publish_story"
RETRAIN_THEME_MODEL = "media_pipeline.tasks.retrain_theme_model"
SWEEP_STUCK_STORIES = "media_pipeline.tasks.sweep_stuck_stories"
# Newer tasks keep the same prefix, so the routes and the queues treat them alike.
RECONCILE_MEDIA = "media_pipeline.tasks.reconcile_media"
ALIGN_TRANSCRIPT = "media_pipeline.tasks.align_transcript"
# Channels (beat): drafts past their retention erased, a hosted mailbox read.
ERASE_EXPIRED_CHANNEL_DRAFTS = "media_pipeline.tasks.erase_expired_channel_drafts"
POLL_MAILBOX = "media_pipeline.tasks.poll_mailbox"
TRANSLATE_STORY = "media_pipeline.tasks.translate_story"
EMBED_STORY = "media_pipeline.tasks.embed_story"
# A curator corrected the language: transcribe again in it (routed to `transcribe`).
TRANSCRIBE_IN_LANGUAGE = "media_pipeline.tasks.transcribe_in_language"

# The queue of the hosts with the Whisper model loaded (see docs/pipeline.md).
TRANSCRIBE_QUEUE = "transcribe"


def send_on_commit(
    task_name: str, *args: object, queue: str | None = None, countdown: float | None = None
) -> None:
    """Queue ``task_name(*args)`` once the transaction commits (at once outside one).

    ``queue`` overrides the task's route, for a task that needs the speech model only
    for some stories. ``countdown`` delays it by that many seconds (a debounce).

    Robust: a broker that is away is logged, not raised, so the caller's data stays
    stored and the sweeper queues the work later.
    """

    def send() -> None:
        # A named function, not a partial: Django logs a robust hook's failure by its
        # __qualname__, which a partial lacks.
        current_app.send_task(task_name, args=args, queue=queue or None, countdown=countdown)

    transaction.on_commit(send, robust=True)
