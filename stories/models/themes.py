from __future__ import annotations

from django.conf import settings
from django.db import models

from stories.enums import ThemeSource, ThemeTagState
from stories.models.story import Story


class TaxonomyVersion(models.Model):
    """A snapshot of the whole theme taxonomy. Every edit makes a new version."""

    version = models.PositiveIntegerField(unique=True)
    data = models.JSONField(help_text="The taxonomy as the tagger reads it.")
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"taxonomy v{self.version}"


class Theme(models.Model):
    """One theme of the CoSIE roadmap, with its words in each language. Editable data."""

    slug = models.SlugField(max_length=40, unique=True)
    constellation = models.CharField(max_length=40)
    position = models.PositiveSmallIntegerField(default=0)
    labels = models.JSONField(default=dict, help_text='{"en": "...", "fi": "..."}')
    descriptions = models.JSONField(default=dict)
    # {"fi": ["kuunnella", {"term": "tulla kuulluksi", "weight": 1.5}], ...}
    signals = models.JSONField(default=dict)
    # {"fi": ["Kirjeessä luki vain ...", ...]}: short vignettes of what happens when the
    # theme is at stake, the meaning score's labelled examples from the first story on.
    examples = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.labels.get("en", self.slug)

    def label(self, language: str) -> str:
        return self.labels.get(language) or self.labels.get("en") or self.slug

    def description(self, language: str) -> str:
        return self.descriptions.get(language) or self.descriptions.get("en") or ""


class StoryTheme(models.Model):
    """A theme attached to a story by a reporter, the machine or a curator."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="theme_tags")
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="tags")
    source = models.CharField(max_length=10, choices=ThemeSource.choices)
    state = models.CharField(
        max_length=10, choices=ThemeTagState.choices, default=ThemeTagState.SUGGESTED
    )
    score = models.FloatField(null=True, blank=True)
    suggested = models.BooleanField(default=False)
    # [{"text", "start", "end", "segment_start", "segment_end", ...}]
    evidence = models.JSONField(default=list, blank=True)
    taxonomy_version = models.PositiveIntegerField(null=True, blank=True)
    model_decisions = models.PositiveIntegerField(
        default=0, help_text="Curator decisions behind the trained model that scored it."
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["story", "theme__position", "source"]
        constraints = [
            models.UniqueConstraint(
                fields=["story", "theme", "source"], name="story_theme_one_per_source"
            )
        ]

    def __str__(self) -> str:
        return f"{self.theme.slug} on story {self.story_id} ({self.source}, {self.state})"


class ThemeModelSnapshot(models.Model):
    """A theme model trained on curators' decisions, as bytes the tagger can load."""

    taxonomy_version = models.PositiveIntegerField()
    data = models.BinaryField()
    decisions = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"theme model of {self.created_at:%Y-%m-%d %H:%M} ({self.decisions} decisions)"


class ThemeRetrainState(models.Model):
    """The one row that debounces and serialises retraining the theme model.

    ``queued_at`` is set by the first curator decision that queues a retrain and cleared
    when that retrain starts, so a burst of decisions queues one retrain; ``started_at``
    is held while a retrain runs, so two never run at once. Both live in the database
    because the web processes and the workers share nothing else for sure.
    """

    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"theme retrain (queued {self.queued_at}, started {self.started_at})"
