"""Theme suggestions for a story: lexicon scores, optionally blended with a learned model.

``tag(text, language, taxonomy)`` returns, for every theme, a score in [0, 1], whether it is
suggested, and the sentences and words that led to it, with character offsets into ``text``
(and audio timestamps when transcript segments are given).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any, Protocol

from .language import UNDETERMINED, detect_language
from .learning import ThemeModel
from .lexicon import Match, compile_lexicon
from .scoring import (
    LENGTH_NORM_WORDS,
    Hit,
    TimedText,
    Unit,
    lexicon_hits,
    normalise_language,
    theme_scores,
)
from .semantic import FALLBACK as MEANING_FALLBACK
from .semantic import THRESHOLD as MEANING_THRESHOLD
from .semantic import WEIGHT as MEANING_WEIGHT
from .semantic import WEIGHT_WITHOUT_WORDS as MEANING_WEIGHT_WITHOUT_WORDS
from .semantic import MeaningScores, NearestExample, SemanticModel
from .taxonomy import Taxonomy, load_default


class SegmentLike(Protocol):
    """A transcript segment: seconds from the start of the recording and its text."""

    start: float
    end: float
    text: str


@dataclass(frozen=True)
class MatchedTerm:
    """A signal word or phrase as found in the text: ``text == source[start:end]``."""

    text: str
    start: int
    end: int
    signal: str
    kind: str
    weight: float


@dataclass(frozen=True)
class Evidence:
    """A sentence (or a part of one within a transcript segment) that supports a theme.

    ``text == source[start:end]``; ``segment_start``/``segment_end`` are the audio times of
    the transcript segment it lies in, when segments were given.
    """

    text: str
    start: int
    end: int
    weight: float
    terms: tuple[MatchedTerm, ...]
    segment_start: float | None = None
    segment_end: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form (stored with a story's machine tags)."""
        return asdict(self)


@dataclass(frozen=True)
class ThemeSuggestion:
    """One theme's verdict for a story."""

    theme: str
    label: str
    score: float
    suggested: bool
    lexicon_score: float
    model_score: float | None = None
    evidence: tuple[Evidence, ...] = ()
    meaning_score: float | None = None
    # When the meaning of the story, not its words, decided: the closest curated story
    # with this theme.
    example: NearestExample | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form."""
        return asdict(self)


@dataclass(frozen=True)
class TaggingResult:
    """All themes for one story, highest score first."""

    language: str
    language_probability: float | None
    supported: bool
    taxonomy_version: int
    suggestions: tuple[ThemeSuggestion, ...]
    reason: str | None = None
    model_decisions: int | None = None

    @property
    def suggested(self) -> list[str]:
        """Slugs of the suggested themes, highest score first."""
        return [s.theme for s in self.suggestions if s.suggested]

    def get(self, slug: str) -> ThemeSuggestion:
        """The suggestion for ``slug``; raises ``KeyError`` for an unknown theme."""
        for s in self.suggestions:
            if s.theme == slug:
                return s
        raise KeyError(slug)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form (what the API stores and the CLI prints)."""
        return asdict(self)


# When no theme's words reach the threshold, the trained model shares the words' part of
# the blend (False) or still comes last with its full weight (True). For a model that reads
# the meaning too, both gave the same numbers in cross-validation and on the development
# set (docs/themes.md); the shipped rule stays.
MODEL_LAST_WITHOUT_WORDS = False
# Keep the words' best theme beside a top theme the meaning chose (see
# _words_theme_beside). Tried at 1 and 2: 1 changed no tuning story in cross-validation
# and none of the development set, 2 cost 0.003 in cross-validation; off until more
# labelled stories say otherwise.
KEEP_WORDS_THEME = 0


@lru_cache(maxsize=1)
def _default_taxonomy() -> Taxonomy:
    return load_default()


def tag(
    text: str,
    language: str | None = None,
    taxonomy: Taxonomy | None = None,
    *,
    segments: Sequence[SegmentLike | Mapping[str, Any]] | None = None,
    model: ThemeModel | None = None,
    semantic: SemanticModel | None = None,
    meaning_vector: Any = None,
) -> TaggingResult:
    """Score every theme of ``taxonomy`` for ``text``.

    ``language`` is an ISO 639-1 code; ``None`` detects it. With ``segments`` (transcript
    segments with ``start``, ``end`` and ``text``), evidence carries their timestamps; if
    ``text`` is empty the segments' texts joined by spaces are tagged. ``model`` (from
    :func:`media_pipeline.themes.learning.train`) blends curator-trained predictions into
    the lexicon scores; a model that reads the meaning gets the story's vector.
    ``semantic`` (:class:`~media_pipeline.themes.semantic.SemanticModel`) blends in how
    close the story's meaning is to each theme's descriptions and curated examples;
    ``meaning_vector`` is the story's vector when the caller has it already.
    A language without signal words gives a result with
    ``supported=False``, no suggestions and a ``reason``.
    """
    taxonomy = taxonomy or _default_taxonomy()
    seg_list = [_segment_tuple(s) for s in segments or ()]
    if not text.strip() and seg_list:
        text = " ".join(s[2].strip() for s in seg_list if s[2].strip())
    probability: float | None = None
    if language is None:
        language, probability = detect_language(text)
    language = normalise_language(language)

    lex = compile_lexicon(taxonomy, language)
    if language == UNDETERMINED or lex.is_empty:
        return _unsupported(text, language, probability, taxonomy)

    hits, n_words = lexicon_hits(text, language, lex, seg_list)
    lexicon_scores = theme_scores(hits, n_words, taxonomy)
    weak = _weak_themes(hits, taxonomy.scoring.weak_single_hit)

    vector = meaning_vector
    if vector is None and semantic is not None:
        vector = semantic.embed(text)
    meaning: MeaningScores | None = None
    if semantic is not None:
        meaning = semantic.score(vector)

    model_scores: dict[str, float] = {}
    blend: dict[str, float] = {}
    if model is not None:
        model_scores = model.predict(text, language, lexicon_scores, vector)
        blend = {slug: model.blend_weight(slug) for slug in model_scores}

    threshold = taxonomy.scoring.threshold
    # When no theme's words reach the threshold, the words say little: the meaning weighs
    # more, and the trained model, which reads words too, shares the words' part.
    wordless = meaning is not None and max(lexicon_scores.values(), default=0.0) < threshold
    meaning_weight = MEANING_WEIGHT_WITHOUT_WORDS if wordless else MEANING_WEIGHT
    scores: dict[str, float] = {}
    cuts: dict[str, float] = {}
    for theme in taxonomy.themes:
        score, cut = lexicon_scores[theme.slug], threshold
        # The meaning joins the words first and the trained model comes last, so that
        # the model, which learns this installation's curator decisions, keeps its full
        # weight (p/(p+45)) instead of sharing it with the meaning; unless the words say
        # little, and then the model (its words at least) has less to say too.
        model_score = model_scores.get(theme.slug)
        w = blend[theme.slug] if model is not None and model_score is not None else 0.0
        if (
            wordless
            and not MODEL_LAST_WITHOUT_WORDS
            and model is not None
            and model_score is not None
        ):
            score = (1 - w) * score + w * model_score
            cut = (1 - w) * cut + w * model.threshold(theme.slug)
            w = 0.0
        if meaning is not None:
            score = (1 - meaning_weight) * score + meaning_weight * meaning.scores[theme.slug]
            cut = (1 - meaning_weight) * cut + meaning_weight * MEANING_THRESHOLD
        if model is not None and model_score is not None and w > 0:
            score = (1 - w) * score + w * model_score
            cut = (1 - w) * cut + w * model.threshold(theme.slug)
        scores[theme.slug], cuts[theme.slug] = score, cut
    # The relative cut applies to blended scores too: without it every theme the model
    # is lukewarm about rides along with the story's clear topic, and precision drops.
    relative_cut = taxonomy.scoring.relative_to_top * max(scores.values(), default=0.0)
    passing = [
        slug
        for slug in taxonomy.slugs
        if scores[slug] >= cuts[slug] and scores[slug] >= relative_cut
    ]
    if meaning is not None:
        # One weak word is not enough for a second theme, unless the meaning carries it.
        weak = {slug for slug in weak if meaning.scores[slug] < MEANING_THRESHOLD}
    if passing:
        top = max(passing, key=lambda slug: scores[slug])
        kept = _words_theme_beside(top, passing, lexicon_scores, threshold, meaning)
        passing = [slug for slug in passing if slug == top or slug not in weak or slug in kept]
        passing += [slug for slug in kept if slug not in passing]
    elif meaning is not None and scores:
        # Nothing passed: the best theme still, when the meaning is sure enough of it or
        # the words alone would have suggested it. The meaning may veto a second theme,
        # but it does not leave a story the lexicon recognised without any.
        top = max(taxonomy.slugs, key=lambda slug: scores[slug])
        if meaning.scores[top] >= MEANING_FALLBACK or lexicon_scores[top] >= threshold:
            passing = [top]
    passing.sort(key=lambda slug: -scores[slug])  # stable: ties keep taxonomy order
    if taxonomy.scoring.max_suggestions:
        passing = passing[: taxonomy.scoring.max_suggestions + n_words // LENGTH_NORM_WORDS]
    suggestions = []
    for order, theme in enumerate(taxonomy.themes):
        lex_score = lexicon_scores[theme.slug]
        score = scores[theme.slug]
        suggested = theme.slug in passing
        model_score = model_scores.get(theme.slug)
        example = None
        if meaning is not None and suggested and lex_score < threshold:
            example = meaning.nearest.get(theme.slug)
        suggestions.append(
            (
                -score,
                order,
                ThemeSuggestion(
                    theme=theme.slug,
                    label=theme.label(language),
                    score=round(score, 4),
                    suggested=suggested,
                    lexicon_score=round(lex_score, 4),
                    model_score=None if model_score is None else round(model_score, 4),
                    evidence=tuple(_evidence(text, hits.get(theme.slug, []))),
                    meaning_score=(
                        None if meaning is None else round(meaning.scores[theme.slug], 4)
                    ),
                    example=example,
                ),
            )
        )
    suggestions.sort(key=lambda item: (item[0], item[1]))
    return TaggingResult(
        language=language,
        language_probability=probability,
        supported=True,
        taxonomy_version=taxonomy.version,
        suggestions=tuple(s for _, _, s in suggestions),
        model_decisions=None if model is None else model.n_decisions,
    )


def _words_theme_beside(
    top: str,
    passing: Sequence[str],
    lexicon_scores: Mapping[str, float],
    threshold: float,
    meaning: MeaningScores | None,
) -> set[str]:
    """When the meaning chose the top theme (its own words stay below the threshold), the
    theme the words alone would have suggested is kept beside it, even on one word
    (KEEP_WORDS_THEME: 0 off, 1 when it passes the blended cut, 2 always)."""
    if not KEEP_WORDS_THEME or meaning is None or lexicon_scores[top] >= threshold:
        return set()
    best = max(lexicon_scores, key=lambda slug: lexicon_scores[slug])
    if best == top or lexicon_scores[best] < threshold:
        return set()
    if KEEP_WORDS_THEME == 1 and best not in passing:
        return set()
    return {best}


def _unsupported(
    text: str, language: str, probability: float | None, taxonomy: Taxonomy
) -> TaggingResult:
    if language == UNDETERMINED:
        reason = "could not determine the language of the text"
    else:
        have = ", ".join(taxonomy.languages)
        reason = (
            f"no signal words for language {language!r} in taxonomy version "
            f"{taxonomy.version} (available: {have}); no themes suggested"
        )
    suggestions = tuple(
        ThemeSuggestion(theme=t.slug, label=t.label(language), score=0.0, suggested=False,
                        lexicon_score=0.0)
        for t in taxonomy.themes
    )  # fmt: skip
    return TaggingResult(
        language=language,
        language_probability=probability,
        supported=False,
        taxonomy_version=taxonomy.version,
        suggestions=suggestions,
        reason=reason,
    )


def _segment_tuple(seg: SegmentLike | Mapping[str, Any]) -> TimedText:
    if isinstance(seg, Mapping):
        return float(seg["start"]), float(seg["end"]), str(seg.get("text", ""))
    return float(seg.start), float(seg.end), str(seg.text)


def _weak_themes(hits: Mapping[str, list[Hit]], max_weight: float) -> set[str]:
    """Themes whose only evidence is one occurrence of one single-word signal of at most
    ``max_weight``: enough for a story's main topic, too little for a second one."""
    if max_weight <= 0:
        return set()
    weak = set()
    for theme, theme_hits in hits.items():
        if len(theme_hits) != 1:
            continue
        match = theme_hits[0][1]
        if match.kind != "phrase" and " " not in match.signal and match.weight <= max_weight:
            weak.add(theme)
    return weak


def _evidence(text: str, hits: list[Hit]) -> list[Evidence]:
    """One entry per sentence with matches for a theme, heaviest first."""
    by_unit: dict[int, tuple[Unit, list[Match]]] = {}
    for unit, m in hits:
        by_unit.setdefault(id(unit), (unit, []))[1].append(m)
    out = []
    for unit, ms in by_unit.values():
        ms.sort(key=lambda m: m.start)
        terms = tuple(
            MatchedTerm(text[m.start : m.end], m.start, m.end, m.signal, m.kind, m.weight)
            for m in ms
        )
        out.append(
            Evidence(
                text=text[unit.span.start : unit.span.end],
                start=unit.span.start,
                end=unit.span.end,
                weight=round(sum(m.weight for m in ms), 4),
                terms=terms,
                segment_start=unit.segment[0] if unit.segment else None,
                segment_end=unit.segment[1] if unit.segment else None,
            )
        )
    out.sort(key=lambda e: (-e.weight, e.start))
    return out
