from __future__ import annotations

from django.conf import settings
from django.db import models

from stories.models.story import MediaAsset, Story


class Transcript(models.Model):
    """What a speech engine heard in one recording, with segment and word timings.

    Word timings are kept because publishing later mutes redacted words in the audio.
    """

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="transcripts")
    asset = models.ForeignKey(MediaAsset, on_delete=models.CASCADE, related_name="transcripts")
    engine = models.CharField(max_length=32)
    model = models.CharField(max_length=64, help_text="Name of the Whisper weights used.")
    weights_sha256 = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the Whisper weights file used."
    )
    language = models.CharField(max_length=8, blank=True)
    language_probability = models.FloatField(default=0.0)
    # {"chosen", "reason", "detected", "detected_probability", "expected", "probabilities",
    #  "threshold"}: how the language was chosen (media_pipeline.speech.policy).
    language_decision = models.JSONField(default=dict, blank=True)
    duration = models.FloatField(default=0.0, help_text="Seconds of audio.")
    text = models.TextField(blank=True)
    # [{"start", "end", "text", "speaker"?, "words": [{"start", "end", "word", "probability"}]}]
    # "speaker" is "Speaker 1", "Speaker 2", ... where speakers were told apart.
    segments = models.JSONField(default=list)
    # [{"speaker": "Speaker 1", "start", "end"}]: who spoke when (media_pipeline.speech.speakers).
    speaker_turns = models.JSONField(default=list, blank=True)
    seconds = models.FloatField(default=0.0, help_text="Seconds spent transcribing.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["story", "created_at"]
        constraints = [
            # A redelivered task finds the transcript already there instead of adding one.
            models.UniqueConstraint(fields=["asset", "engine"], name="transcript_one_per_engine")
        ]

    def __str__(self) -> str:
        return f"{self.engine} transcript of story {self.story_id} ({self.language})"


class Translation(models.Model):
    """A recording rendered in another language by the speech engine (Whisper's
    ``translate`` task), and the curator's correction of it.

    Private, like the transcript it comes from: publishing copies a version of it with
    every personal detail hidden (``stories.domain.translation``).
    """

    transcript = models.ForeignKey(
        Transcript, on_delete=models.CASCADE, related_name="translations"
    )
    language = models.CharField(max_length=8, default="en")
    engine = models.CharField(max_length=32)
    model = models.CharField(max_length=64)
    text = models.TextField(blank=True)
    # [{"start", "end", "text"}]: segment timings only (no word timings for a translation).
    segments = models.JSONField(default=list)
    # The curator's correction, one line per segment; empty while there is none.
    corrected_text = models.TextField(blank=True)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    corrected_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["transcript", "language"], name="translation_one_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.language} translation of transcript {self.transcript_id}"
