"""What the theme model has learned from curators, per theme, for the console."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from stories.domain import themes
from stories.models import Theme, ThemeModelSnapshot


@dataclass(frozen=True)
class ThemeLearning:
    """What the theme model has learned about one theme, for the console."""

    slug: str
    label: str
    decisions: int  # curator decisions the model was trained on for this theme
    confirmed: int  # of which confirmed the theme
    weight: float  # the model's share of the score against the lexicon (0 = lexicon only)


@dataclass(frozen=True)
class LearningProgress:
    """The newest theme model at a glance; ``retrained_at`` is None before the first."""

    retrained_at: datetime | None
    total_decisions: int
    themes: tuple[ThemeLearning, ...]


def learning_progress(language: str) -> LearningProgress:
    """Per theme, in taxonomy order: decisions the newest model used, and its weight."""
    snapshot = ThemeModelSnapshot.objects.order_by("-created_at").first()
    model = themes.latest_model()
    rows = []
    for theme in Theme.objects.order_by("position", "slug"):
        label = theme.labels.get(language) or theme.labels.get("en") or theme.slug
        positives = (model.positives or {}) if model else {}
        rows.append(
            ThemeLearning(
                slug=theme.slug,
                label=label,
                decisions=model.decisions.get(theme.slug, 0) if model else 0,
                confirmed=positives.get(theme.slug, 0),
                weight=round(model.blend_weight(theme.slug), 2) if model else 0.0,
            )
        )
    return LearningProgress(
        retrained_at=snapshot.created_at if snapshot else None,
        total_decisions=snapshot.decisions if snapshot else 0,
        themes=tuple(rows),
    )
