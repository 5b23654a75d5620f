"""A clip: a short anonymised audio excerpt of a published story, with its quote."""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models

from stories.models.story import PUBLIC_ID_LENGTH, Story, new_public_id
from stories.models.themes import Theme


def _public_storage() -> Storage:
    return storages["public"]


class Clip(models.Model):
    """A passage of a published story's public audio, cut by a curator to share.

    Its audio is cut from the story's published (already redacted) file and its quote is
    the anonymised text of that passage. When the story leaves the public the row stays
    as a tombstone (``removed_at`` set, words and file gone), so its URLs answer 410.
    """

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="clips")
    # Public surfaces name a clip by this, never by its row id.
    public_id = models.CharField(
        max_length=PUBLIC_ID_LENGTH, unique=True, default=new_public_id, editable=False
    )
    title = models.CharField(max_length=200, blank=True)
    quote = models.TextField(blank=True)
    theme = models.ForeignKey(
        Theme, on_delete=models.SET_NULL, null=True, blank=True, related_name="clips"
    )
    # Seconds into the story's published audio.
    start = models.FloatField()
    end = models.FloatField()
    audio = models.FileField(storage=_public_storage, blank=True, max_length=255)
    # The published audio file this was cut from: a rebuilt story takes its clips down.
    source_audio = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set when the story was withdrawn or unpublished: the clip is gone for good.
    removed_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title or f"clip {self.public_id}"

    @property
    def duration(self) -> float:
        return round(self.end - self.start, 3)
