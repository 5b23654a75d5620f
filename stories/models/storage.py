from __future__ import annotations

from django.db import models


class StoredFileIntent(models.Model):
    """A file about to be written to a storage, recorded (and committed) before its bytes.

    The row goes in the same transaction as the row that will point at the file, so a
    leftover intent means the write never got its owner: a crash, a full disk, or a
    story withdrawn meanwhile. ``stories.domain.media_reconciler`` removes such files.
    ``story_id`` is a plain number, not a foreign key: the intent must outlive an erased
    story, which is exactly when it matters.
    """

    storage = models.CharField(max_length=32)
    name = models.CharField(max_length=255)
    story_id = models.BigIntegerField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["storage", "name"], name="stored_file_intent_unique")
        ]

    def __str__(self) -> str:
        return f"{self.storage}:{self.name} (story {self.story_id})"


class MediaCheckRun(models.Model):
    """What one run of the media reconciler found and did, for /metrics and operators.

    Written by whichever process ran it (often the worker), read at scrape time by the
    web process, so it lives in the database rather than in one process's memory.
    """

    finished_at = models.DateTimeField(auto_now_add=True, db_index=True)
    repaired = models.BooleanField(default=False)
    files_checked = models.PositiveIntegerField(default=0)
    orphans_found = models.PositiveIntegerField(default=0)
    orphans_deleted = models.PositiveIntegerField(default=0)
    missing_found = models.PositiveIntegerField(default=0)
    missing_repaired = models.PositiveIntegerField(default=0)
    stale_intents = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-finished_at"]

    def __str__(self) -> str:
        return f"media check at {self.finished_at:%Y-%m-%d %H:%M}"
