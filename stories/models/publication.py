from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.files.storage import Storage, storages
from django.db import models
from django.db.models.fields.files import FieldFile

from stories.models.drive import Drive
from stories.models.story import Story
from stories.models.themes import Theme


def _public_storage() -> Storage:
    return storages["public"]


def public_media_path(publication: PublishedStory, filename: str) -> str:
    """Unguessable names: a public file's URL says nothing about the story or reporter."""
    return f"stories/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()[:6]}"


class PublishedStory(models.Model):
    """The anonymised public version of a story: the only thing public surfaces read.

    It holds copies, never references to the private content, so a public serializer
    cannot reach an original by accident. Withdrawal deletes the row and its files.
    """

    story = models.OneToOneField(Story, on_delete=models.CASCADE, related_name="publication")
    # The story's public id, copied like everything else here: public surfaces name a
    # story by it and never by its row id (which counts stories).
    public_id = models.CharField(max_length=16, unique=True)
    drive = models.ForeignKey(Drive, on_delete=models.PROTECT, related_name="publications")
    kind = models.CharField(max_length=10)
    language = models.CharField(max_length=8, blank=True)
    title = models.CharField(max_length=200, blank=True)
    text = models.TextField(blank=True)
    place = models.CharField(max_length=100, blank=True)
    themes = models.ManyToManyField(Theme, related_name="publications", blank=True)
    audio = models.FileField(
        storage=_public_storage, upload_to=public_media_path, blank=True, max_length=255
    )
    image = models.FileField(
        storage=_public_storage, upload_to=public_media_path, blank=True, max_length=255
    )
    # Only for a video whose consent allows the reporter's image and voice.
    video = models.FileField(
        storage=_public_storage, upload_to=public_media_path, blank=True, max_length=255
    )
    duration = models.FloatField(null=True, blank=True)
    # The published transcript, timed on the published audio, hidden words as markers:
    # [{"start", "end", "text", "speaker"?, "words": [{"start", "end", "word", "hidden"?}]}]
    segments = models.JSONField(default=list, blank=True)
    # The machine translation with its personal details hidden, or {} when there is none:
    # {"language", "text", "segments": [{"start", "end", "text"}], "corrected": bool}
    translation = models.JSONField(default=dict, blank=True)
    # Copied from the consent in force when built: exports honour the research scope.
    research_allowed = models.BooleanField(default=False)
    voice_disguised = models.BooleanField(default=False)
    faces_blurred = models.PositiveIntegerField(default=0)
    # Which redactions and consent produced this version (rebuilt when either changes).
    fingerprint = models.CharField(max_length=64, blank=True)
    # PostgreSQL only (filled per language config); stays NULL on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)
    published_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name_plural = "published stories"
        indexes = [models.Index(fields=["language", "-published_at"])]

    def __str__(self) -> str:
        return self.title or f"published story {self.story_id}"

    def media_files(self) -> list[FieldFile]:
        """The public files this copy points at (audio, image, video), those it has."""
        return [f for f in (self.audio, self.image, self.video) if f]


class Collection(models.Model):
    """A curated, publishable set of stories, e.g. "Being heard at the youth centre"."""

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    themes = models.ManyToManyField(Theme, related_name="collections", blank=True)
    stories = models.ManyToManyField(
        Story, through="CollectionStory", related_name="collections", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class CollectionStory(models.Model):
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="entries")
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="collection_entries")
    position = models.PositiveIntegerField(default=0)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["collection", "position", "added_at"]
        constraints = [
            models.UniqueConstraint(fields=["collection", "story"], name="collection_story_once")
        ]

    def __str__(self) -> str:
        return f"story {self.story_id} in collection {self.collection_id}"
