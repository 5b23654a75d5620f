"""Precision, recall and F1 of theme suggestions against a labelled story set."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .learning import ThemeModel
from .semantic import SemanticModel, TextEncoder
from .tagger import tag
from .taxonomy import Taxonomy


@dataclass(frozen=True)
class LabelledStory:
    """A story with its gold themes, as in ``tests/data/themes/stories.jsonl``."""

    id: str
    language: str
    text: str
    themes: frozenset[str]
    split: str


@dataclass(frozen=True)
class Counts:
    """True positives, false positives and false negatives; derived P/R/F1."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def precision(self) -> float:
        """tp / (tp + fp); 0 when nothing was predicted."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        """tp / (tp + fn); 0 when there was nothing to find."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class Report:
    """Counts per theme and per language, with micro and macro averages."""

    per_theme: dict[str, Counts]
    per_language: dict[str, Counts]
    n_stories: int

    @property
    def micro(self) -> Counts:
        """All decisions pooled."""
        total = Counts()
        for c in self.per_theme.values():
            total = total + c
        return total

    @property
    def macro_f1(self) -> float:
        """Unweighted mean of per-theme F1 (themes with gold or predicted labels)."""
        used = [c for c in self.per_theme.values() if c.tp + c.fp + c.fn]
        return sum(c.f1 for c in used) / len(used) if used else 0.0


def load_stories(path: str | Path) -> list[LabelledStory]:
    """Read a JSON-lines labelled set."""
    stories = []
    with Path(path).open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                d = json.loads(line)
                stories.append(
                    LabelledStory(
                        d["id"], d["language"], d["text"], frozenset(d["themes"]), d["split"]
                    )
                )
    return stories


def evaluate(
    stories: Iterable[LabelledStory],
    taxonomy: Taxonomy,
    model: ThemeModel | None = None,
    semantic: SemanticModel | None = None,
    encoder: TextEncoder | None = None,
) -> Report:
    """Tag each story (with its gold language) and compare suggestions with gold themes.

    A ``semantic`` model must not hold the stories evaluated among its examples. With
    ``encoder`` each story's meaning vector is handed to the tagger (a model that reads
    the meaning needs it even without ``semantic``)."""
    per_theme = {slug: Counts() for slug in taxonomy.slugs}
    per_language: dict[str, Counts] = {}
    n = 0
    for story in stories:
        n += 1
        vector = encoder.passages([story.text])[0] if encoder is not None else None
        result = tag(
            story.text,
            story.language,
            taxonomy,
            model=model,
            semantic=semantic,
            meaning_vector=vector,
        )
        predicted = set(result.suggested)
        counts = _compare(predicted, story.themes, taxonomy.slugs)
        for slug, c in counts.items():
            per_theme[slug] = per_theme[slug] + c
            per_language[story.language] = per_language.get(story.language, Counts()) + c
    return Report(per_theme, per_language, n)


def _compare(predicted: set[str], gold: frozenset[str], slugs: Sequence[str]) -> dict[str, Counts]:
    return {
        s: Counts(int(s in predicted and s in gold), int(s in predicted and s not in gold),
                  int(s in gold and s not in predicted))
        for s in slugs
    }  # fmt: skip
