from __future__ import annotations

import secrets
import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models

from stories.enums import AssetRole, StoryKind, StoryStatus
from stories.models.drive import Drive

# Public ids: 16 characters, lowercase letters and digits with no look-alikes (about 80
# bits), starting with a letter so that one never reads as an old numeric id.
PUBLIC_ID_LETTERS = "abcdefghjkmnpqrstuvwxyz"
PUBLIC_ID_ALPHABET = "23456789" + PUBLIC_ID_LETTERS
PUBLIC_ID_LENGTH = 16


def new_public_id() -> str:
    """A random public id: public URLs must not count stories or date a withdrawal."""
    rest = "".join(secrets.choice(PUBLIC_ID_ALPHABET) for _ in range(PUBLIC_ID_LENGTH - 1))
    return secrets.choice(PUBLIC_ID_LETTERS) + rest


class Story(models.Model):
    """One person's story of a service, in their own words."""

    drive = models.ForeignKey(Drive, on_delete=models.PROTECT, related_name="stories")
    kind = models.CharField(max_length=10, choices=StoryKind.choices)
    title = models.CharField(max_length=200, blank=True)
    text = models.TextField(blank=True)
    language = models.CharField(max_length=8, blank=True, help_text="ISO 639-1 code.")
    # Municipality level at most: never an address or coordinates.
    place = models.CharField(max_length=100, blank=True)
    # The reporter's answers to the drive's questions (stories.domain.questions), private:
    # shown only counted. {"about": {"power": 0.5, ...}, "felt": 67, "area": "kallio"}
    answers = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=16, choices=StoryStatus.choices, default=StoryStatus.DRAFT, db_index=True
    )
    # Why a story failed or was rejected, in words the reporter can read.
    status_reason = models.TextField(blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stories",
    )
    # sha256 of the receipt; the receipt itself is shown to the reporter once and never stored.
    receipt_hash = models.CharField(max_length=64, unique=True)
    # The id public surfaces use (URLs, feeds, exports): random, where the row id counts.
    # Kept across unpublishing and publishing again, so a story's public URL stays put.
    public_id = models.CharField(
        max_length=PUBLIC_ID_LENGTH, unique=True, default=new_public_id, editable=False
    )
    # Pipeline progress, so the UI can show a progress bar.
    processing_step = models.CharField(max_length=32, blank=True)
    processing_percent = models.PositiveSmallIntegerField(default=0)
    processing_timings = models.JSONField(default=dict, blank=True)
    processing_attempts = models.PositiveSmallIntegerField(default=0)
    # Stamped while a pipeline step runs (and every few seconds during it), cleared when it
    # ends: a stamp that has gone stale means the worker died inside the step.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The curator's choice at approval; consent to publish the voice can still rule it out.
    disguise_voice = models.BooleanField(default=False)
    # Regions a curator marked to blur in the published picture, as fractions of its size:
    # [{"x": 0.1, "y": 0.2, "width": 0.3, "height": 0.1}, ...] (stories.domain.pictures).
    picture_boxes = models.JSONField(default=list, blank=True)
    # The fingerprint of the anonymised picture a curator last looked at; a picture is
    # published only when it is still exactly that one.
    picture_seen = models.CharField(max_length=64, blank=True)
    # The last anonymised picture built for review: its fingerprint and what was blurred.
    picture_preview = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "stories"
        indexes = [models.Index(fields=["drive", "status"]), models.Index(fields=["language"])]

    def __str__(self) -> str:
        return self.title or f"{self.get_kind_display()} story {self.pk}"


def story_folder(story_id: int) -> str:
    """The folder of the private storage that holds every file of one story."""
    return f"stories/{story_id}"


def asset_upload_path(asset: MediaAsset, filename: str) -> str:
    """A path that says nothing about the reporter: the upload's own name is dropped."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"{story_folder(asset.story_id)}/{asset.role}/{uuid.uuid4().hex}{suffix}"


class MediaAsset(models.Model):
    """A file belonging to a story: the original upload or something derived from it.

    Files live in the private default storage, which has no URL: originals are never
    reachable publicly. Public derivatives are copied to the ``public`` storage on
    publication.
    """

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="assets")
    role = models.CharField(max_length=12, choices=AssetRole.choices)
    # What this derived file is for ("audio16k", "poster", "thumbnail"); empty for originals.
    variant = models.CharField(max_length=32, blank=True)
    source = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="derived"
    )
    file = models.FileField(upload_to=asset_upload_path, max_length=255)
    mime_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    duration = models.FloatField(null=True, blank=True, help_text="Seconds.")
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["story", "created_at"]
        constraints = [
            # A second run of a pipeline step replaces, never duplicates, its output.
            models.UniqueConstraint(
                fields=["source", "role", "variant"],
                condition=models.Q(source__isnull=False),
                name="media_asset_one_derivative_per_variant",
            )
        ]

    def __str__(self) -> str:
        return f"{self.role} {self.variant} of story {self.story_id}".replace("  ", " ")
