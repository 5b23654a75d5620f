from __future__ import annotations

from django.conf import settings
from django.db import models

from stories.enums import ConsentChannel, ConsentScope
from stories.models.drive import ConsentText
from stories.models.story import Story


class ConsentRecord(models.Model):
    """What a reporter agreed to, under which wording, and when it was withdrawn.

    The record outlives withdrawal: it is the proof of what was allowed and when. It holds
    nothing of the story's content, and protects its story's row: a story is withdrawn
    (erased, its row kept as a tombstone), never deleted.
    """

    story = models.ForeignKey(Story, on_delete=models.PROTECT, related_name="consent_records")
    consent_text = models.ForeignKey(
        ConsentText, on_delete=models.PROTECT, related_name="records", null=True, blank=True
    )
    consent_version = models.PositiveIntegerField(null=True, blank=True)
    consent_language = models.CharField(max_length=8, blank=True)
    store = models.BooleanField(default=False)
    publish_text = models.BooleanField(default=False)
    publish_audio = models.BooleanField(default=False)
    # The anonymised picture (faces and personal text blurred; a video only as a still).
    publish_image = models.BooleanField(default=False)
    # The face unblurred, and a video's own pictures; meaningful only with publish_image.
    publish_face = models.BooleanField(default=False)
    research = models.BooleanField(default=False)
    channel = models.CharField(max_length=20, choices=ConsentChannel.choices)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    given_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["story", "-given_at"]
        constraints = [
            # Nothing may be kept, let alone published, without consent to store it.
            models.CheckConstraint(
                condition=models.Q(store=True), name="consent_record_requires_store"
            )
        ]

    def __str__(self) -> str:
        return f"consent for story {self.story_id} ({', '.join(self.scopes) or 'none'})"

    @property
    def scopes(self) -> list[str]:
        """The scopes this record grants, as ConsentScope values."""
        return [scope.value for scope in ConsentScope if getattr(self, scope.value)]

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None
