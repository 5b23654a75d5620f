from __future__ import annotations

from django.db import models

from stories.models.story import MediaAsset, Story


class Transcript(models.Model):
    """What a speech engine heard in one recording, with segment and word timings.

    Word timings are kept because publishing later mutes redacted words in the audio.
    """

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="transcripts")
    asset = models.ForeignKey(MediaAsset, on_delete=models.CASCADE, related_name="transcripts")
    engine = models.CharField(max_length=32)
    model = models.CharField(max_length=64)
    language = models.CharField(max_length=8, blank=True)
    language_probability = models.FloatField(default=0.0)
    duration = models.FloatField(default=0.0, help_text="Seconds of audio.")
    text = models.TextField(blank=True)
    # [{"start", "end", "text", "words": [{"start", "end", "word", "probability"}]}]
    segments = models.JSONField(default=list)
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
