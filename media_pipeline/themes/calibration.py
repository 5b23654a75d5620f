"""Lower the weight of signal words that fire on labelled stories without their theme.

Hand-written signal lists hold everyday words (money, neighbours, staff, the bus) that
often appear in a story about something else and let a second theme ride along. Given
stories with gold themes, :func:`calibrate` counts, for every signal, the stories where it
fired with its theme among the gold ones (``right``) and without (``wrong``), and scales
the signal's weight by its smoothed precision relative to the prior's:

    factor = min(1, ((right + a) / (right + wrong + a + b)) / (a / (a + b)))

With the defaults (a = 2, b = 1) a signal that fired once on a wrong story keeps 0.75 of
its weight, three wrong and none right keep 0.5, and a signal right more often than the
prior expects keeps its weight: calibration only ever lowers weights. Signals that never
fired keep theirs, so the lexicon still covers words the labelled set lacks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from .evaluation import LabelledStory
from .tagger import tag
from .taxonomy import Taxonomy

SignalKey = tuple[str, str, str]  # language, theme slug, signal term
PRIOR_RIGHT = 2.0
PRIOR_WRONG = 1.0
# Keep every signal usable: a curator can still see it in evidence and raise it again.
MIN_WEIGHT = 0.05


def signal_counts(
    stories: Iterable[LabelledStory], taxonomy: Taxonomy
) -> tuple[Counter[SignalKey], Counter[SignalKey]]:
    """Per signal, in how many stories it fired with its theme gold, and without.

    A signal counts once per story, however often it occurs there; words inside a longer
    matched phrase of the same theme do not count (as in scoring).
    """
    right: Counter[SignalKey] = Counter()
    wrong: Counter[SignalKey] = Counter()
    for story in stories:
        result = tag(story.text, story.language, taxonomy)
        for suggestion in result.suggestions:
            fired = {t.signal for e in suggestion.evidence for t in e.terms}
            target = right if suggestion.theme in story.themes else wrong
            for term in fired:
                target[(story.language, suggestion.theme, term)] += 1
    return right, wrong


def reliability_factor(
    right: int, wrong: int, a: float = PRIOR_RIGHT, b: float = PRIOR_WRONG
) -> float:
    """Smoothed precision of a signal relative to the prior's, capped at 1."""
    return min(1.0, ((right + a) / (right + wrong + a + b)) / (a / (a + b)))


def calibrate(
    taxonomy: Taxonomy,
    stories: Iterable[LabelledStory],
    *,
    a: float = PRIOR_RIGHT,
    b: float = PRIOR_WRONG,
) -> Taxonomy:
    """A copy of ``taxonomy`` whose signal weights are scaled by their reliability on
    ``stories`` (see the module docstring). Run it on hand-written weights: applying it
    twice to the same stories lowers the same words twice."""
    right, wrong = signal_counts(stories, taxonomy)
    data = taxonomy.to_dict()
    for theme in data["themes"]:
        for language, signals in theme["signals"].items():
            theme["signals"][language] = [
                _scaled(item, language, theme["slug"], right, wrong, a, b) for item in signals
            ]
    return Taxonomy.from_dict(data)


def _scaled(
    item: str | dict[str, Any],
    language: str,
    slug: str,
    right: Counter[SignalKey],
    wrong: Counter[SignalKey],
    a: float,
    b: float,
) -> str | dict[str, Any]:
    term, weight = (item, 1.0) if isinstance(item, str) else (item["term"], item["weight"])
    key = (language, slug, term)
    factor = reliability_factor(right[key], wrong[key], a, b)
    if factor >= 1.0:
        return item
    return {"term": term, "weight": round(max(MIN_WEIGHT, weight * factor), 3)}
