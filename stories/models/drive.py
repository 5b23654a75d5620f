from __future__ import annotations

from django.db import models


class Drive(models.Model):
    """A story-gathering campaign, e.g. "Youth co-empowerment, Turku 2026"."""

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # Each prompt maps a language code to its wording: [{"en": "...", "fi": "..."}, ...]
    prompts = models.JSONField(default=list, blank=True)
    expected_languages = models.JSONField(
        default=list, blank=True, help_text='ISO 639-1 codes, e.g. ["fi", "sv"].'
    )
    default_language = models.CharField(max_length=8, default="en")
    allow_light_touch = models.BooleanField(
        default=False, help_text="Accept stories from people without an account."
    )
    is_open = models.BooleanField(default=True)
    blur_all_text = models.BooleanField(
        default=False,
        help_text="Blur all text read in published pictures, not only the personal data in it.",
    )
    # Questions reporters may answer about their story (stories.domain.questions): triads,
    # sliders and choices, each worded {"en": ..., "fi": ...}.
    questions = models.JSONField(default=list, blank=True)
    # The drive's own places, a GeoJSON FeatureCollection whose features carry
    # properties {"key": ..., "name": {"en": ...}}: the area question and the area map.
    areas = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def consent_version(self) -> int | None:
        """The newest consent text version, the one new stories are given under."""
        return self.consent_texts.aggregate(v=models.Max("version"))["v"]


class ConsentText(models.Model):
    """The wording a reporter agrees to: versioned, one row per version and language."""

    drive = models.ForeignKey(Drive, on_delete=models.PROTECT, related_name="consent_texts")
    version = models.PositiveIntegerField()
    language = models.CharField(max_length=8)
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["drive", "-version", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["drive", "version", "language"], name="consent_text_unique_version_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.drive.slug} consent v{self.version} ({self.language})"
