"""Theme suggestions for a story: lexicon scores, optionally blended with a learned model.

``tag(text, language, taxonomy)`` returns, for every theme, a score in [0, 1], whether it is
suggested, and the sentences and words that led to it, with character offsets into ``text``
(and audio timestamps when transcript segments are given).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol

from .language import UNDETERMINED, detect_language
from .lexicon import Match, compile_lexicon, match_sentence
from .taxonomy import Taxonomy, load_default
from .text import Span, split_sentences, tokenize

if TYPE_CHECKING:
    from .learning import ThemeModel

# Long transcripts mention everything once or twice; beyond this many words, summed signal
# weight is scaled down by the square root of the excess so only recurring themes stand out.
LENGTH_NORM_WORDS = 150


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


@dataclass
class _Unit:
    span: Span
    segment: tuple[float, float] | None = None
    matches: list[Match] = field(default_factory=list)


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
) -> TaggingResult:
    """Score every theme of ``taxonomy`` for ``text``.

    ``language`` is an ISO 639-1 code; ``None`` detects it. With ``segments`` (transcript
    segments with ``start``, ``end`` and ``text``), evidence carries their timestamps; if
    ``text`` is empty the segments' texts joined by spaces are tagged. ``model`` (from
    :func:`media_pipeline.themes.learning.train`) blends curator-trained predictions into
    the lexicon scores. A language without signal words gives a result with
    ``supported=False``, no suggestions and a ``reason``.
    """
    taxonomy = taxonomy or _default_taxonomy()
    seg_list = [_segment_tuple(s) for s in segments or ()]
    if not text.strip() and seg_list:
        text = " ".join(s[2].strip() for s in seg_list if s[2].strip())
    probability: float | None = None
    if language is None:
        language, probability = detect_language(text)
    language = language.lower().split("-")[0].split("_")[0]

    lex = compile_lexicon(taxonomy, language)
    if language == UNDETERMINED or lex.is_empty:
        return _unsupported(text, language, probability, taxonomy)

    units = _units(text, seg_list)
    n_words = 0
    for unit in units:
        tokens = tokenize(text, language, unit.span.start, unit.span.end)
        n_words += len(tokens)
        unit.matches = match_sentence(lex, tokens)
    lexicon_scores, evidence = _score(text, units, n_words, taxonomy)
    weak = _weak_themes(units, taxonomy.scoring.weak_single_hit)

    model_scores: dict[str, float] = {}
    blend: dict[str, float] = {}
    if model is not None:
        model_scores = model.predict(text, language, lexicon_scores)
        blend = {slug: model.blend_weight(slug) for slug in model_scores}

    threshold = taxonomy.scoring.threshold
    scores: dict[str, float] = {}
    cuts: dict[str, float] = {}
    for theme in taxonomy.themes:
        score, cut = lexicon_scores[theme.slug], threshold
        model_score = model_scores.get(theme.slug)
        if model is not None and model_score is not None:
            w = blend[theme.slug]
            score = (1 - w) * score + w * model_score
            cut = (1 - w) * threshold + w * model.threshold(theme.slug)
        scores[theme.slug], cuts[theme.slug] = score, cut
    # The relative cut applies to blended scores too: without it every theme the model
    # is lukewarm about rides along with the story's clear topic, and precision drops.
    relative_cut = taxonomy.scoring.relative_to_top * max(scores.values(), default=0.0)
    passing = [
        slug
        for slug in taxonomy.slugs
        if scores[slug] >= cuts[slug] and scores[slug] >= relative_cut
    ]
    if passing:
        top = max(passing, key=lambda slug: scores[slug])
        passing = [slug for slug in passing if slug == top or slug not in weak]
    passing.sort(key=lambda slug: -scores[slug])  # stable: ties keep taxonomy order
    if taxonomy.scoring.max_suggestions:
        passing = passing[: taxonomy.scoring.max_suggestions + n_words // LENGTH_NORM_WORDS]
    suggestions = []
    for order, theme in enumerate(taxonomy.themes):
        lex_score = lexicon_scores[theme.slug]
        score = scores[theme.slug]
        suggested = theme.slug in passing
        model_score = model_scores.get(theme.slug)
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
                    evidence=tuple(evidence.get(theme.slug, ())),
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


def lexicon_scores(text: str, language: str, taxonomy: Taxonomy) -> dict[str, float]:
    """Lexicon-only scores per theme slug (all 0.0 for an unsupported language)."""
    result = tag(text, language, taxonomy)
    return {s.theme: s.lexicon_score for s in result.suggestions}


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


def _segment_tuple(seg: SegmentLike | Mapping[str, Any]) -> tuple[float, float, str]:
    if isinstance(seg, Mapping):
        return float(seg["start"]), float(seg["end"]), str(seg.get("text", ""))
    return float(seg.start), float(seg.end), str(seg.text)


def _units(text: str, segments: list[tuple[float, float, str]]) -> list[_Unit]:
    """Sentences; with segments, sentences within each segment, carrying its times.

    Segment texts are located in ``text`` in order; text outside any located segment is
    still tagged, only without timestamps.
    """
    if not segments:
        return [_Unit(span) for span in split_sentences(text)]
    units: list[_Unit] = []
    cursor = 0
    for seg_start, seg_end, seg_text in segments:
        needle = seg_text.strip()
        pos = text.find(needle, cursor) if needle else -1
        if pos < 0:
            continue
        units.extend(_Unit(span) for span in split_sentences(text, cursor, pos))
        units.extend(
            _Unit(span, (seg_start, seg_end))
            for span in split_sentences(text, pos, pos + len(needle))
        )
        cursor = pos + len(needle)
    units.extend(_Unit(span) for span in split_sentences(text, cursor))
    return units


def _score(
    text: str, units: list[_Unit], n_words: int, taxonomy: Taxonomy
) -> tuple[dict[str, float], dict[str, list[Evidence]]]:
    scoring = taxonomy.scoring
    per_theme: dict[str, list[tuple[_Unit, Match]]] = defaultdict(list)
    for unit in units:
        for match in _non_overlapping(unit.matches):
            per_theme[match.theme].append((unit, match))

    norm = max(1.0, math.sqrt(n_words / LENGTH_NORM_WORDS))
    scores: dict[str, float] = {}
    evidence: dict[str, list[Evidence]] = {}
    for theme in taxonomy.themes:
        hits = per_theme.get(theme.slug, [])
        # Repeats of one signal decay geometrically: a story that says "listen" five times
        # is about empathy, but not five times more than one that says it twice.
        by_signal: dict[str, list[float]] = defaultdict(list)
        for _, m in hits:
            by_signal[m.signal].append(m.weight)
        total = sum(
            w * scoring.repeat_decay**k
            for weights in by_signal.values()
            for k, w in enumerate(sorted(weights, reverse=True))
        )
        scores[theme.slug] = 1.0 - math.exp(-(total / norm) / scoring.saturation)
        evidence[theme.slug] = _evidence(text, hits)
    return scores, evidence


def _weak_themes(units: list[_Unit], max_weight: float) -> set[str]:
    """Themes whose only evidence is one occurrence of one single-word signal of at most
    ``max_weight``: enough for a story's main topic, too little for a second one."""
    if max_weight <= 0:
        return set()
    per_theme: dict[str, list[Match]] = defaultdict(list)
    for unit in units:
        for match in _non_overlapping(unit.matches):
            per_theme[match.theme].append(match)
    return {
        theme
        for theme, hits in per_theme.items()
        if len(hits) == 1
        and hits[0].kind != "phrase"
        and " " not in hits[0].signal
        and hits[0].weight <= max_weight
    }


def _non_overlapping(matches: list[Match]) -> list[Match]:
    """Per theme, drop matches on tokens already covered by a longer or heavier match
    (the word "reach" inside the phrase "hard to reach" counts once)."""
    kept: list[Match] = []
    taken: dict[str, set[int]] = defaultdict(set)
    for m in sorted(matches, key=lambda m: (-len(m.tokens), -m.weight, m.start)):
        if taken[m.theme].intersection(m.tokens):
            continue
        taken[m.theme].update(m.tokens)
        kept.append(m)
    return kept


def _evidence(text: str, hits: list[tuple[_Unit, Match]]) -> list[Evidence]:
    by_unit: dict[int, tuple[_Unit, list[Match]]] = {}
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
