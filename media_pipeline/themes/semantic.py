"""Themes recognised from what a story is about, not only from the theme's own words.

A story's meaning vector (``media_pipeline.meaning``) is compared with labelled texts:
each theme's descriptions and the taxonomy's examples (short vignettes per theme and
language, there from day one) in every language, and curated stories (a curator confirmed
their themes). Half of a theme's *meaning score* in [0, 1] is a linear probe (a logistic
regression per theme over all those texts' vectors), half the similarity scores (the
theme's closest texts, and the curated stories' nearest-neighbour vote). The tagger
blends it with the lexicon's score. When the meaning score carries a theme the lexicon
alone would not have suggested, the nearest example with that theme is shown as the
evidence, marked as a curated story or a taxonomy example.

The knobs were chosen by 5-fold cross-validation (2 repeats) over the 240 tuning stories
and the implicit development set (``bench/themes_meaning_grid.py --dev``; docs/themes.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt
from sklearn.linear_model import LogisticRegression

from .taxonomy import Taxonomy

# Curated stories: the nearest ones vote, and a neighbour's vote fades with distance (a
# cosine similarity 0.01 lower weighs 1/e as much).
NEIGHBOURS = 10
NEIGHBOUR_TEMPERATURE = 0.01
# The taxonomy's own texts (descriptions and examples, all languages): each theme's
# closeness is the mean similarity of its THEME_TOP closest texts, and a softmax over
# themes with this temperature makes it a share. One near vignette can be chance; three
# near ones of the same theme are not.
THEME_TOP = 3
THEME_TEMPERATURE = 0.01
# The share of the meaning score from the curated stories' vote (the rest from the
# taxonomy's texts); with no curated stories the taxonomy's texts decide alone.
EXAMPLES_SHARE = 0.5
# The meaning score's share of the final score, and its own suggestion threshold: blended
# with the lexicon's 0.5 this makes 0.4.
WEIGHT = 0.5
THRESHOLD = 0.3
# The meaning's share when no theme's words alone reach the lexicon's threshold.
WEIGHT_WITHOUT_WORDS = 0.7
# When no theme passes, the meaning may still name the story's best theme if its meaning
# score is at least this (1 turns it off): a community story about a public service
# speaks to some theme, and a curator confirms or rejects the suggestion.
FALLBACK = 0.3
# A linear probe per theme (logistic regression, one theme against the others) over the
# vectors of every labelled text: descriptions, the taxonomy's examples and curated
# stories. Its probability is this share of the meaning score, the rest the similarity
# scores above. PROBE_C is its inverse regularisation strength; each theme's positives
# weigh as much as its negatives (there are 12 other themes' texts to each one's own).
PROBE_SHARE = 0.5
PROBE_C = 30.0
# Excerpt of a curated example shown as evidence.
EXCERPT_CHARS = 240
# Where an example comes from.
CURATED = "curated"
TAXONOMY = "taxonomy"


class TextEncoder(Protocol):
    """What the model needs of ``media_pipeline.meaning.Encoder``."""

    def passages(self, texts: Sequence[str]) -> npt.NDArray[np.float32]: ...


@dataclass(frozen=True)
class Example:
    """A labelled text and its meaning vector: a curated story (its public, anonymised
    text and the themes a curator gave it) or a taxonomy example (``source`` says which)."""

    key: str
    text: str
    themes: frozenset[str]
    vector: npt.NDArray[np.float32]
    source: str = CURATED


@dataclass(frozen=True)
class NearestExample:
    """The example closest to the story tagged that has a given theme: a curated story or
    a taxonomy example (``source``)."""

    key: str
    excerpt: str
    similarity: float
    source: str = CURATED


@dataclass(frozen=True)
class MeaningScores:
    """Meaning score per theme slug, and per theme its nearest curated example."""

    scores: Mapping[str, float]
    nearest: Mapping[str, NearestExample]


class SemanticModel:
    """Theme descriptions, taxonomy examples and curated stories as vectors, ready to score
    a story."""

    def __init__(
        self,
        taxonomy: Taxonomy,
        description_vectors: Mapping[str, npt.NDArray[np.float32]],
        examples: Sequence[Example] = (),
        encoder: TextEncoder | None = None,
        taxonomy_examples: Sequence[Example] = (),
    ) -> None:
        self.encoder = encoder
        self.taxonomy = taxonomy
        self.slugs = list(taxonomy.slugs)
        self.descriptions = description_vectors
        self.taxonomy_examples = list(taxonomy_examples)
        self.curated = [e for e in examples if e.themes & set(self.slugs)]
        # Curated stories first: they alone vote as neighbours (rows [:len(curated)]).
        self.examples = self.curated + [
            e for e in self.taxonomy_examples if e.themes & set(self.slugs)
        ]
        self._matrix = (
            np.vstack([e.vector for e in self.examples]).astype(np.float32)
            if self.examples
            else None
        )
        self._labels = np.array(
            [[slug in e.themes for slug in self.slugs] for e in self.curated], dtype=np.float32
        ).reshape(len(self.curated), len(self.slugs))
        self._probe = _fit_probe(
            self.slugs,
            [(slug, v) for slug, v in description_vectors.items() if slug in self.slugs],
            self.examples,
        )
        # Per theme, its descriptions' and its taxonomy examples' vectors, one per row.
        self._theme_texts = {
            slug: np.vstack(
                [np.atleast_2d(description_vectors[slug])]
                + [e.vector[None, :] for e in self.taxonomy_examples if slug in e.themes]
            ).astype(np.float32)
            for slug in self.slugs
            if slug in description_vectors
        }

    @classmethod
    def build(
        cls, taxonomy: Taxonomy, encoder: TextEncoder, examples: Sequence[Example] = ()
    ) -> SemanticModel:
        """Embed every theme's descriptions and examples (all languages) with ``encoder``,
        in one batch; ``examples`` are curated stories, with their vectors."""
        texts: list[tuple[str, str, str]] = []  # (slug, key, text); key "" for a description
        for theme in taxonomy.themes:
            texts += [(theme.slug, "", t) for t in theme.descriptions.values() if t.strip()]
            for language, vignettes in sorted(theme.examples.items()):
                texts += [
                    (theme.slug, f"{theme.slug}/{language}/{i + 1}", t)
                    for i, t in enumerate(vignettes)
                ]
        matrix = encoder.passages([t for _, _, t in texts]) if texts else None
        described: dict[str, list[npt.NDArray[np.float32]]] = {}
        rows = []
        for i, (slug, key, text) in enumerate(texts):
            assert matrix is not None
            vector = np.asarray(matrix[i], dtype=np.float32)
            if key:
                rows.append(Example(key, text, frozenset({slug}), vector, TAXONOMY))
            else:
                described.setdefault(slug, []).append(vector)
        vectors = {slug: np.vstack(v) for slug, v in described.items()}
        return cls(taxonomy, vectors, examples, encoder, rows)

    def with_curated(
        self, examples: Sequence[Example], encoder: TextEncoder | None = None
    ) -> SemanticModel:
        """The same descriptions and taxonomy examples (not embedded again) with these
        curated stories, and ``encoder`` (default: this model's) for the stories tagged."""
        return SemanticModel(
            self.taxonomy,
            self.descriptions,
            examples,
            encoder or self.encoder,
            self.taxonomy_examples,
        )

    def embed(self, text: str) -> npt.NDArray[np.float32]:
        """The meaning vector of a story's text (needs the encoder it was built with)."""
        if self.encoder is None:
            raise ValueError("this semantic model has no encoder: pass the story's vector")
        return np.asarray(self.encoder.passages([text])[0], dtype=np.float32)

    def score(self, vector: npt.NDArray[np.float32]) -> MeaningScores:
        """Meaning scores of every theme for a story with this vector."""
        vector = np.asarray(vector, dtype=np.float32)
        described = self._theme_scores(vector)
        voted, nearest = self._example_votes(vector)
        share = EXAMPLES_SHARE if voted is not None else 0.0
        probed = self._probe.predict(vector) if self._probe is not None else None
        probe_share = PROBE_SHARE if probed is not None else 0.0
        scores = {}
        for i, slug in enumerate(self.slugs):
            from_examples = float(voted[i]) if voted is not None else 0.0
            similar = share * from_examples + (1 - share) * described.get(slug, 0.0)
            from_probe = float(probed[i]) if probed is not None else 0.0
            scores[slug] = probe_share * from_probe + (1 - probe_share) * similar
        return MeaningScores(scores, nearest)

    def _theme_scores(self, vector: npt.NDArray[np.float32]) -> dict[str, float]:
        """A softmax over themes of the mean similarity of each theme's closest texts
        (its descriptions and examples)."""
        close = {
            slug: float(np.mean(np.sort(texts @ vector)[-THEME_TOP:]))
            for slug, texts in self._theme_texts.items()
        }
        if not close:
            return {}
        top = max(close.values())
        weights = {s: float(np.exp((v - top) / THEME_TEMPERATURE)) for s, v in close.items()}
        total = sum(weights.values())
        return {slug: w / total for slug, w in weights.items()}

    def _example_votes(
        self, vector: npt.NDArray[np.float32]
    ) -> tuple[npt.NDArray[np.float32] | None, dict[str, NearestExample]]:
        """The curated stories' vote (None without any), and per theme the nearest example,
        curated or from the taxonomy."""
        if self._matrix is None:
            return None, {}
        similarities = self._matrix @ vector
        votes = None
        if self.curated:
            curated = similarities[: len(self.curated)]
            top = np.argsort(-curated, kind="stable")[:NEIGHBOURS]
            weights = np.exp((curated[top] - curated[top[0]]) / NEIGHBOUR_TEMPERATURE)
            votes = ((weights[:, None] * self._labels[top]).sum(axis=0) / weights.sum()).astype(
                np.float32
            )
        order = np.argsort(-similarities, kind="stable")
        nearest: dict[str, NearestExample] = {}
        for row in order:
            example = self.examples[int(row)]
            for slug in example.themes:
                if slug not in nearest:
                    nearest[slug] = NearestExample(
                        example.key,
                        _excerpt(example.text),
                        round(float(similarities[row]), 4),
                        example.source,
                    )
            if len(nearest) == len(self.slugs):
                break
        return votes, nearest


@dataclass(frozen=True)
class Probe:
    """One logistic regression per theme over meaning vectors: ``weights`` (themes x
    dimensions) and ``bias`` (themes); a theme nobody labelled has weights 0 and bias
    -inf-like, so its probability is 0."""

    weights: npt.NDArray[np.float32]
    bias: npt.NDArray[np.float32]

    def predict(self, vector: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """The probability of each theme for a story with this vector."""
        logits = self.weights @ vector + self.bias
        return (1.0 / (1.0 + np.exp(-logits))).astype(np.float32)


def _fit_probe(
    slugs: Sequence[str],
    descriptions: Sequence[tuple[str, npt.NDArray[np.float32]]],
    examples: Sequence[Example],
) -> Probe | None:
    """The probe trained on the descriptions (each theme's rows) and the labelled
    examples; None with no labelled text at all (a bare taxonomy)."""
    rows: list[npt.NDArray[np.float32]] = []
    labels: list[frozenset[str]] = []
    for slug, vectors in descriptions:
        for vector in np.atleast_2d(vectors):
            rows.append(vector)
            labels.append(frozenset({slug}))
    for example in examples:
        rows.append(example.vector)
        labels.append(example.themes)
    if not rows:
        return None
    x = np.vstack(rows).astype(np.float64)
    weights = np.zeros((len(slugs), x.shape[1]), dtype=np.float32)
    bias = np.full(len(slugs), -30.0, dtype=np.float32)
    for i, slug in enumerate(slugs):
        y = np.array([slug in themes for themes in labels])
        if y.all() or not y.any():
            continue  # one class only: nothing to tell apart, the theme scores 0
        fitted = LogisticRegression(C=PROBE_C, class_weight="balanced", max_iter=1000)
        fitted.fit(x, y)
        weights[i] = fitted.coef_[0]
        bias[i] = fitted.intercept_[0]
    return Probe(weights, bias)


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT_CHARS else flat[: EXCERPT_CHARS - 1].rstrip() + "…"
