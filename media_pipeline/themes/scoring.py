"""Lexicon scores: how strongly a text's signal words point to each theme.

This is the part of tagging that both the tagger (which adds evidence and the model's
blend) and the learned model (which uses the scores as features) need, so it depends on
neither of them.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from .language import UNDETERMINED
from .lexicon import CompiledLexicon, Match, compile_lexicon, match_sentence
from .taxonomy import Taxonomy
from .text import Span, split_sentences, tokenize

# Long transcripts mention everything once or twice; beyond this many words, summed signal
# weight is scaled down by the square root of the excess so only recurring themes stand out.
LENGTH_NORM_WORDS = 150

TimedText = tuple[float, float, str]  # a transcript segment: start, end (seconds), text


@dataclass
class Unit:
    """A sentence (or the part of one inside a transcript segment) and its signal matches."""

    span: Span
    segment: tuple[float, float] | None = None
    matches: list[Match] = field(default_factory=list)


Hit = tuple[Unit, Match]


def normalise_language(language: str) -> str:
    """``"fi-FI"`` and ``"FI_fi"`` -> ``"fi"``: the lexicon is keyed by ISO 639-1 code."""
    return language.lower().split("-")[0].split("_")[0]


def split_units(text: str, segments: Sequence[TimedText] = ()) -> list[Unit]:
    """Sentences; with segments, sentences within each segment, carrying its times.

    Segment texts are located in ``text`` in order; text outside any located segment is
    still tagged, only without timestamps.
    """
    if not segments:
        return [Unit(span) for span in split_sentences(text)]
    units: list[Unit] = []
    cursor = 0
    for seg_start, seg_end, seg_text in segments:
        needle = seg_text.strip()
        pos = text.find(needle, cursor) if needle else -1
        if pos < 0:
            continue
        units.extend(Unit(span) for span in split_sentences(text, cursor, pos))
        units.extend(
            Unit(span, (seg_start, seg_end))
            for span in split_sentences(text, pos, pos + len(needle))
        )
        cursor = pos + len(needle)
    units.extend(Unit(span) for span in split_sentences(text, cursor))
    return units


def lexicon_hits(
    text: str, language: str, lex: CompiledLexicon, segments: Sequence[TimedText] = ()
) -> tuple[dict[str, list[Hit]], int]:
    """The counted signal matches per theme slug, and the number of words in ``text``."""
    units = split_units(text, segments)
    n_words = 0
    for unit in units:
        tokens = tokenize(text, language, unit.span.start, unit.span.end)
        n_words += len(tokens)
        unit.matches = match_sentence(lex, tokens)
    hits: dict[str, list[Hit]] = defaultdict(list)
    for unit in units:
        for match in _non_overlapping(unit.matches):
            hits[match.theme].append((unit, match))
    return hits, n_words


def theme_scores(hits: dict[str, list[Hit]], n_words: int, taxonomy: Taxonomy) -> dict[str, float]:
    """Per theme slug, a score in [0, 1) that saturates as signal weight accumulates."""
    scoring = taxonomy.scoring
    norm = max(1.0, math.sqrt(n_words / LENGTH_NORM_WORDS))
    scores: dict[str, float] = {}
    for theme in taxonomy.themes:
        # Repeats of one signal decay geometrically: a story that says "listen" five times
        # is about empathy, but not five times more than one that says it twice.
        by_signal: dict[str, list[float]] = defaultdict(list)
        for _, m in hits.get(theme.slug, []):
            by_signal[m.signal].append(m.weight)
        total = sum(
            w * scoring.repeat_decay**k
            for weights in by_signal.values()
            for k, w in enumerate(sorted(weights, reverse=True))
        )
        scores[theme.slug] = 1.0 - math.exp(-(total / norm) / scoring.saturation)
    return scores


def lexicon_scores(text: str, language: str, taxonomy: Taxonomy) -> dict[str, float]:
    """Lexicon-only scores per theme slug, rounded as the tagger reports them (4 places).

    All 0.0 for a language the taxonomy has no signal words for.
    """
    language = normalise_language(language)
    lex = compile_lexicon(taxonomy, language)
    if language == UNDETERMINED or lex.is_empty:
        return dict.fromkeys(taxonomy.slugs, 0.0)
    hits, n_words = lexicon_hits(text, language, lex)
    return {slug: round(s, 4) for slug, s in theme_scores(hits, n_words, taxonomy).items()}


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
