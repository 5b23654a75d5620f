"""A per-installation theme model learned from curators' decisions.

Curators confirm, reject or add themes per story. :func:`train` fits one logistic
regression per theme over language-neutral features (hashed lemmas, hashed character
n-grams, the lexicon's own scores and, when the stories' meaning vectors are given, the
vector itself), and :class:`ThemeModel` blends its probability with the lexicon score:
the more decisions a theme has, the more the model's word counts.
Models serialise to bytes (numpy ``.npz`` without pickle) so Django can keep them in the
database or a file, and loading one never executes code.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np

from .scoring import lexicon_scores
from .taxonomy import Taxonomy
from .text import tokenize

FORMAT_VERSION = 3
# Version 1 had no per-theme count of confirmed stories; its weight counted every decision.
# Version 2 read no meaning vector (its config has no ``meaning_scale``: 0).
READABLE_FORMATS = (1, 2, 3)
Action = Literal["confirm", "reject", "add"]


@dataclass(frozen=True)
class Decision:
    """A curator's verdict on one theme for one story."""

    story_id: str
    theme: str
    action: Action


@dataclass(frozen=True)
class TrainingExample:
    """A story with the themes known to apply (``positive``) and not to apply (``negative``)."""

    text: str
    language: str
    positive: frozenset[str]
    negative: frozenset[str]
    # The story's meaning vector (``media_pipeline.meaning``), when the model reads it.
    vector: np.ndarray | None = None


@dataclass(frozen=True)
class FeatureConfig:
    """How text becomes a feature vector; stored in the model so prediction matches training."""

    # Hashed lemma and character n-gram columns; 0 leaves that kind of feature out.
    word_features: int = 2**18
    char_features: int = 2**18
    char_ngrams: tuple[int, int] = (3, 5)
    lexicon_scale: float = 3.0
    # The meaning vector's columns (centred on the training stories' mean) are multiplied
    # by this; 0 leaves the vector out (every model saved before format 3).
    meaning_scale: float = 0.0


# What a model reads when every decided story comes with its meaning vector: its words and
# characters as before, the lexicon's scores at a third of their weight, and the centred
# vector ten times over (chosen by 5-fold cross-validation over the 240 tuning stories and
# the implicit development set, docs/themes.md). A model leaning on the lexicon's scores
# learned that a theme needs its words and pulled down stories told only by what happened.
WITH_MEANING = FeatureConfig(lexicon_scale=1.0, meaning_scale=10.0)
# Without vectors (suggestions by meaning off): the words-only model of format 2.
WORDS_ONLY = FeatureConfig()


def examples_from_decisions(
    stories: Mapping[str, tuple[str, str]],
    decisions: Iterable[Decision],
    *,
    all_themes: Sequence[str] | None = None,
    vectors: Mapping[str, np.ndarray] | None = None,
) -> list[TrainingExample]:
    """Group decisions by story into training examples.

    ``stories`` maps story id to ``(text, language)``. Confirm and add make a theme
    positive, reject makes it negative. With ``all_themes``, a story that has any decision
    counts as fully reviewed: themes the curator left alone are negative too. A later
    decision on the same story and theme overrides an earlier one. ``vectors`` maps story
    id to its meaning vector, for a model that reads it.
    """
    latest: dict[str, dict[str, Action]] = {}
    for d in decisions:
        latest.setdefault(d.story_id, {})[d.theme] = d.action
    examples = []
    for story_id, actions in latest.items():
        if story_id not in stories:
            continue
        text, language = stories[story_id]
        positive = frozenset(t for t, a in actions.items() if a in ("confirm", "add"))
        negative = {t for t, a in actions.items() if a == "reject"}
        if all_themes is not None:
            negative |= set(all_themes) - positive
        vector = vectors.get(story_id) if vectors is not None else None
        examples.append(TrainingExample(text, language, positive, frozenset(negative), vector))
    return examples


@dataclass
class ThemeModel:
    """Per-theme linear weights over hashed features, plus how far to trust each theme."""

    taxonomy_version: int
    config: FeatureConfig
    themes: tuple[str, ...]  # taxonomy order at training time (lexicon feature columns)
    trained: tuple[str, ...]  # themes with enough decisions to have weights
    features: np.ndarray  # sorted hashed-feature indices seen in training (int64)
    weights: np.ndarray  # len(features) x len(trained)
    intercept: np.ndarray  # len(trained)
    decisions: dict[str, int]  # slug -> labelled examples it was trained on
    thresholds: dict[str, float] = field(default_factory=dict)
    prior_strength: float = 45.0
    max_weight: float = 0.85
    # slug -> stories confirmed to carry the theme; None for a version 1 model, whose
    # weight counted every decision (against a prior of 400).
    positives: dict[str, int] | None = None
    # The training stories' mean meaning vector, subtracted before weighting (None when the
    # model reads no vector). A story without a vector then counts as an average one.
    meaning_mean: np.ndarray | None = None

    @property
    def reads_meaning(self) -> bool:
        """Whether predictions use the story's meaning vector."""
        return self.meaning_mean is not None and self.config.meaning_scale > 0

    @property
    def n_decisions(self) -> int:
        """Total labelled story-theme pairs behind the model."""
        return sum(self.decisions.values())

    def blend_weight(self, slug: str) -> float:
        """Weight of the model against the lexicon for ``slug``: p / (p + prior_strength),
        with p the stories confirmed to carry the theme, capped so the curated lexicon
        always keeps a say.

        Confirmed stories, not all decisions: what a theme's model knows is bounded by its
        examples of the theme, and rejections come cheap (a reviewed story rejects most
        themes), so counting them let a theme with a few confirmations weigh next to
        nothing (20 decisions gave 20 / 420 = 0.05)."""
        counts = self.positives if self.positives is not None else self.decisions
        n = counts.get(slug, 0)
        return min(self.max_weight, n / (n + self.prior_strength)) if n else 0.0

    def threshold(self, slug: str) -> float:
        """Probability at or above which the model alone would suggest ``slug``."""
        return self.thresholds.get(slug, 0.5)

    def predict(
        self,
        text: str,
        language: str,
        lexicon_scores: Mapping[str, float],
        vector: np.ndarray | None = None,
    ) -> dict[str, float]:
        """Probability per trained theme for one story; ``vector`` is its meaning vector
        (ignored by a model that reads none; without it, a model that does reads the story
        as an average one)."""
        vectors = [vector] if self.reads_meaning and vector is not None else None
        x = _features(
            [text], [language], [lexicon_scores], self.themes, self.config,
            vectors, self.meaning_mean,
        )  # fmt: skip
        if len(self.features):
            # Only features seen in training carry weight: find the story's by position.
            pos = np.minimum(np.searchsorted(self.features, x.indices), len(self.features) - 1)
            hit = self.features[pos] == x.indices
            z = x.data[hit] @ self.weights[pos[hit]] + self.intercept
        else:
            z = self.intercept
        probs = 1.0 / (1.0 + np.exp(-z))
        return {slug: float(p) for slug, p in zip(self.trained, probs, strict=True)}

    def to_bytes(self) -> bytes:
        """Serialise (compressed ``.npz``; no pickle)."""
        meta = {
            "format": FORMAT_VERSION,
            "taxonomy_version": self.taxonomy_version,
            "config": {
                "word_features": self.config.word_features,
                "char_features": self.config.char_features,
                "char_ngrams": list(self.config.char_ngrams),
                "lexicon_scale": self.config.lexicon_scale,
                "meaning_scale": self.config.meaning_scale,
            },
            "themes": list(self.themes),
            "trained": list(self.trained),
            "decisions": self.decisions,
            "thresholds": self.thresholds,
            "prior_strength": self.prior_strength,
            "max_weight": self.max_weight,
            "positives": self.positives,
        }
        arrays: dict[str, np.ndarray] = {
            "meta": np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
            "features": self.features.astype(np.int64),
            "weights": self.weights.astype(np.float32),
            "intercept": self.intercept.astype(np.float64),
        }
        if self.meaning_mean is not None:
            arrays["meaning_mean"] = self.meaning_mean.astype(np.float32)
        buf = io.BytesIO()
        np.savez_compressed(buf, **arrays)  # type: ignore[arg-type]
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> ThemeModel:
        """Load a model written by :meth:`to_bytes`; raises ``ValueError`` if unreadable."""
        if not data.startswith(b"PK"):  # .npz is a zip archive
            raise ValueError("not a theme model: no .npz archive")
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as npz:
                meta = json.loads(npz["meta"].tobytes().decode())
                if meta.get("format") not in READABLE_FORMATS:
                    raise ValueError(f"unsupported theme model format {meta.get('format')}")
                features = npz["features"].astype(np.int64)
                weights = npz["weights"].astype(np.float64)
                intercept = npz["intercept"].astype(np.float64)
                mean = npz["meaning_mean"].astype(np.float32) if "meaning_mean" in npz else None
        except (OSError, KeyError, ValueError) as exc:  # JSONDecodeError is a ValueError
            raise ValueError(f"not a theme model: {exc}") from exc
        c = meta["config"]
        return cls(
            taxonomy_version=int(meta["taxonomy_version"]),
            config=FeatureConfig(
                word_features=int(c["word_features"]),
                char_features=int(c["char_features"]),
                char_ngrams=(int(c["char_ngrams"][0]), int(c["char_ngrams"][1])),
                lexicon_scale=float(c["lexicon_scale"]),
                meaning_scale=float(c.get("meaning_scale", 0.0)),
            ),
            themes=tuple(meta["themes"]),
            trained=tuple(meta["trained"]),
            features=features,
            weights=weights,
            intercept=intercept,
            decisions={k: int(v) for k, v in meta["decisions"].items()},
            thresholds={k: float(v) for k, v in meta["thresholds"].items()},
            prior_strength=float(meta["prior_strength"]),
            max_weight=float(meta["max_weight"]),
            positives=(
                {k: int(v) for k, v in meta["positives"].items()}
                if meta.get("positives") is not None
                else None
            ),
            meaning_mean=mean,
        )


def train(
    examples: Sequence[TrainingExample],
    taxonomy: Taxonomy,
    *,
    config: FeatureConfig | None = None,
    prior_strength: float = 45.0,
    min_per_class: int = 2,
    c: float = 1.0,
) -> ThemeModel:
    """Fit one logistic regression per theme on curator-labelled examples.

    A theme needs at least ``min_per_class`` positive and negative examples; themes with
    fewer stay lexicon-only. Examples in a language the taxonomy has no signals for still
    train the word and character features. With every example's ``vector`` given, the
    model reads the meaning vector too (``config`` defaults to :data:`WITH_MEANING`, else
    :data:`WORDS_ONLY`); a ``config`` with a ``meaning_scale`` but no vectors reads words
    only.
    """
    from sklearn.linear_model import LogisticRegression

    with_vectors = bool(examples) and all(e.vector is not None for e in examples)
    config = config or (WITH_MEANING if with_vectors else WORDS_ONLY)
    themes = taxonomy.slugs
    lex = [lexicon_scores(e.text, e.language, taxonomy) for e in examples]
    vectors: list[np.ndarray] | None = None
    mean = None
    if config.meaning_scale > 0 and with_vectors:
        vectors = [np.asarray(e.vector, dtype=np.float32) for e in examples]
        mean = np.mean(np.vstack(vectors), axis=0).astype(np.float32)
    elif config.meaning_scale > 0:
        config = replace(config, meaning_scale=0.0)  # no vectors: a model of words alone
    x = _features(
        [e.text for e in examples], [e.language for e in examples], lex, themes, config,
        vectors, mean,
    )  # fmt: skip
    # The hashed space is mostly empty; fitting on the columns seen in training only is the
    # same model and an order of magnitude faster for the optimiser.
    features = np.unique(x.indices).astype(np.int64)
    x = x[:, features]
    trained: list[str] = []
    columns: list[np.ndarray] = []
    intercepts: list[float] = []
    decisions: dict[str, int] = {}
    positives: dict[str, int] = {}
    for slug in themes:
        rows = [i for i, e in enumerate(examples) if slug in e.positive or slug in e.negative]
        y = np.array([int(slug in examples[i].positive) for i in rows])
        if y.sum() < min_per_class or (len(y) - y.sum()) < min_per_class:
            continue
        clf = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
        clf.fit(x[rows], y)
        trained.append(slug)
        columns.append(clf.coef_[0])
        intercepts.append(float(clf.intercept_[0]))
        decisions[slug] = len(rows)
        positives[slug] = int(y.sum())
    weights = np.stack(columns, axis=1) if columns else np.zeros((len(features), 0))
    return ThemeModel(
        taxonomy_version=taxonomy.version,
        config=config,
        themes=themes,
        trained=tuple(trained),
        features=features,
        weights=weights,
        intercept=np.array(intercepts),
        decisions=decisions,
        prior_strength=prior_strength,
        positives=positives,
        meaning_mean=mean,
    )


def _lemma_doc(text: str, language: str) -> list[str]:
    # The lemma (last form) when there is one; language-prefixed so that the same string
    # in two languages ("art", "kind") does not share a weight.
    return [f"{language}:{tok.forms[-1]}" for tok in tokenize(text, language)]


def _features(
    texts: Sequence[str],
    languages: Sequence[str],
    lexicon: Sequence[Mapping[str, float]],
    themes: Sequence[str],
    config: FeatureConfig,
    vectors: Sequence[np.ndarray] | None = None,
    meaning_mean: np.ndarray | None = None,
) -> Any:
    """One row per story: hashed lemmas, hashed character n-grams, the lexicon's scores and
    the centred meaning vector, in that order of columns (a block of width 0 when off).
    Without ``vectors`` the meaning columns stay empty: an average story."""
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction.text import HashingVectorizer

    blocks = []
    if config.word_features:
        blocks.append(
            HashingVectorizer(
                analyzer=lambda doc: doc,
                n_features=config.word_features,
                alternate_sign=False,
                norm="l2",
            ).transform([_lemma_doc(t, lang) for t, lang in zip(texts, languages, strict=True)])
        )
    if config.char_features:
        blocks.append(
            HashingVectorizer(
                analyzer="char_wb",
                ngram_range=config.char_ngrams,
                n_features=config.char_features,
                alternate_sign=False,
                norm="l2",
                lowercase=True,
            ).transform(list(texts))
        )
    blocks.append(
        csr_matrix(
            np.array(
                [[scores.get(s, 0.0) * config.lexicon_scale for s in themes] for scores in lexicon]
            ).reshape(len(lexicon), len(themes))
        )
    )
    if config.meaning_scale > 0 and meaning_mean is not None:
        if vectors is None:
            meaning = np.zeros((len(texts), len(meaning_mean)))
        else:
            meaning = (np.vstack(vectors) - meaning_mean) * config.meaning_scale
        blocks.append(csr_matrix(meaning))
    return hstack(blocks, format="csr")
