from __future__ import annotations

from django.conf import settings
from django.db import models

from stories.enums import RedactionField, RedactionSource
from stories.models.story import Story
from stories.models.transcript import Transcript


class TranscriptRevision(models.Model):
    """A curator's correction of a transcript. The machine's version is never overwritten."""

    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    text = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Where the corrected words are said, by forced alignment with the transcript's Whisper
    # weights (a worker fills it in after the save): [{"char_start", "char_end", "start",
    # "end"}]. Empty until aligned; publishing then aligns it itself.
    aligned_words = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["transcript", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["transcript", "number"], name="transcript_revision_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"revision {self.number} of transcript {self.transcript_id}"


class Redaction(models.Model):
    """A span of personal data in one of a story's texts, and whether it is hidden.

    For ``field="audio"`` the span is a stretch of the recording a curator muted by hand:
    ``start`` and ``end`` are milliseconds.

    Detected spans are hidden by default; a curator may lift one they judge safe or add
    spans the detector missed. ``text`` is itself personal data: it lives as long as the
    story's private content and goes with it on withdrawal.
    """

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="redactions")
    field = models.CharField(max_length=12, choices=RedactionField.choices)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.TextField()
    type = models.CharField(max_length=20)
    confidence = models.FloatField(default=1.0)
    source = models.CharField(max_length=10, choices=RedactionSource.choices)
    detector = models.CharField(max_length=40, blank=True, help_text="Which rule found it.")
    # Mentions sharing a key share a placeholder ("[Person 1]" every time).
    key = models.CharField(max_length=200, blank=True)
    redact = models.BooleanField(default=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["story", "field", "start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="redaction_nonempty_span"
            ),
            models.UniqueConstraint(
                fields=["story", "field", "start", "end"], name="redaction_one_per_span"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} in {self.field} of story {self.story_id}"


class ReleaseCheck(models.Model):
    """The last check that a story's anonymised audio no longer says what was redacted.

    Publishing transcribes the redacted stretches of the public audio again and refuses
    when a redacted value can still be heard. ``findings`` say where and of what type,
    never the value itself, so the row can be shown wherever the story's status is.
    """

    story = models.OneToOneField(Story, on_delete=models.CASCADE, related_name="release_check")
    fingerprint = models.CharField(max_length=64, help_text="The build that was checked.")
    passed = models.BooleanField()
    reason = models.TextField(blank=True)
    # [{"start", "end", "types": [...]}] for each stretch where something was still heard.
    findings = models.JSONField(default=list, blank=True)
    stretches = models.PositiveIntegerField(default=0, help_text="Stretches listened to.")
    seconds = models.FloatField(default=0.0, help_text="Seconds the check took.")
    checked_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"release check of story {self.story_id}: {'passed' if self.passed else 'refused'}"
