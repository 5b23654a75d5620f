from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Upload(models.Model):
    """A file on its way in through the resumable (tus) upload API.

    The bytes live in the private default storage under ``path`` and have no URL. An
    upload belongs to the signed-in person who created it, or, for light-touch
    reporters, to whoever holds its secret (only its sha256 is kept here). Once a
    story is submitted with it, the file becomes the story's original and the row goes.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    # sha256 of the Upload-Token given to an anonymous creator; empty when owned.
    token_hash = models.CharField(max_length=64, blank=True)
    length = models.PositiveBigIntegerField()
    # Bytes stored and synced to disk; only ever advanced by a conditional UPDATE.
    offset = models.PositiveBigIntegerField(default=0)
    # Decoded Upload-Metadata (e.g. "filename", "filetype"); it goes with the row.
    metadata = models.JSONField(default=dict, blank=True)
    # Name in the private default storage, "uploads/<uuid hex>".
    path = models.CharField(max_length=255)
    # Object storage only: the stored pieces that count, ``[name, size]`` in order; their
    # sizes add up to ``offset``. Advanced with it by one conditional UPDATE; emptied once
    # the pieces are joined (stories/domain/upload_objects.py). Local files leave it empty.
    parts = models.JSONField(default=list, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(offset__lte=models.F("length")),
                name="upload_offset_within_length",
            ),
            # Someone must be able to reach it: an account, or the holder of the token.
            models.CheckConstraint(
                condition=models.Q(owner__isnull=False) | ~models.Q(token_hash=""),
                name="upload_has_owner_or_token",
            ),
        ]

    def __str__(self) -> str:
        return f"upload {self.pk} ({self.offset}/{self.length} bytes)"

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None
