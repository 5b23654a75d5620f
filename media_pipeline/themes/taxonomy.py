"""The theme taxonomy: themes, their labels and descriptions, and the words that signal them.

The shipped default lives in ``taxonomy.json`` next to this module. The Django side keeps an
editable copy as data and hands it in through :meth:`Taxonomy.from_dict`, so nothing here
reads files except :func:`load_default`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_PATH = Path(__file__).with_name("taxonomy.json")
# Theme examples are short vignettes (one to three sentences); longer text is a story.
MAX_EXAMPLE_CHARS = 600
MAX_EXAMPLES_PER_LANGUAGE = 100


class TaxonomyError(ValueError):
    """The taxonomy data is malformed (missing fields, duplicate slugs, bad weights)."""


@dataclass(frozen=True)
class Signal:
    """A word or phrase that signals a theme in one language.

    ``term`` is a lemma (``"kuunnella"``) or a multiword phrase (``"have a say"``). A trailing
    ``*`` makes it a prefix pattern and a leading ``*`` a suffix pattern on word forms.
    """

    term: str
    weight: float = 1.0

    def to_data(self) -> str | dict[str, Any]:
        """JSON form: the bare term when the weight is the default."""
        return self.term if self.weight == 1.0 else {"term": self.term, "weight": self.weight}


@dataclass(frozen=True)
class Theme:
    """One theme of the roadmap, with text and signal words per language code."""

    slug: str
    constellation: str
    labels: Mapping[str, str]
    descriptions: Mapping[str, str]
    signals: Mapping[str, tuple[Signal, ...]]
    source: str = ""
    # Per language, short first-person vignettes of what happens when the theme is at
    # stake, mostly without the theme's own words: labelled examples for the meaning score.
    examples: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def label(self, language: str, fallback: str = "en") -> str:
        """The label in ``language``, else in ``fallback``, else the slug."""
        return self.labels.get(language) or self.labels.get(fallback) or self.slug

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form, the inverse of the theme part of :meth:`Taxonomy.from_dict`."""
        return {
            "slug": self.slug,
            "constellation": self.constellation,
            "source": self.source,
            "labels": dict(self.labels),
            "descriptions": dict(self.descriptions),
            "signals": {lang: [s.to_data() for s in sigs] for lang, sigs in self.signals.items()},
            "examples": {lang: list(texts) for lang, texts in self.examples.items()},
        }


@dataclass(frozen=True)
class Scoring:
    """Knobs of the lexicon scorer; stored with the taxonomy so curators' edits travel with it.

    ``saturation``: summed signal weight at which the score reaches 1 - 1/e (about 0.63).
    ``threshold``: score at or above which a theme is suggested.
    ``repeat_decay``: each repeat of the same signal counts this much of the previous one.
    ``max_gap``: words allowed between the words of a multiword phrase (German separable verbs).
    ``compound_min_length``: shortest signal that may match inside a compound word.
    ``relative_to_top``: a theme is suggested only if its score is at least this fraction
    of the best theme's score, so one stray word does not ride along with a clear topic.
    ``max_suggestions``: at most this many themes are suggested for a story of up to
    150 words, one more per further 150 words; 0 means no limit. Short stories rarely
    speak to more than two themes, and the third is usually a setting word.
    ``weak_single_hit``: a theme other than the best-scoring one is not suggested when its
    only evidence is one occurrence of one single-word signal of at most this weight (0
    turns the rule off). One everyday word is too little for a second topic.
    """

    saturation: float = 1.5
    threshold: float = 0.5
    repeat_decay: float = 0.5
    max_gap: int = 3
    compound_min_length: int = 5
    relative_to_top: float = 0.0
    max_suggestions: int = 0
    weak_single_hit: float = 0.0


@dataclass(frozen=True)
class Taxonomy:
    """A versioned set of themes; the tagger takes one of these rather than reading files."""

    version: int
    languages: tuple[str, ...]
    themes: tuple[Theme, ...]
    constellations: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    scoring: Scoring = field(default_factory=Scoring)
    # Compiled lexicons per language, filled by the lexicon module: compiling lemmatises
    # every signal, which is too slow to repeat for each story.
    _cache: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def slugs(self) -> tuple[str, ...]:
        """Theme slugs in taxonomy order."""
        return tuple(t.slug for t in self.themes)

    def theme(self, slug: str) -> Theme:
        """The theme with ``slug``; raises ``KeyError`` when there is none."""
        for t in self.themes:
            if t.slug == slug:
                return t
        raise KeyError(slug)

    def with_signal(self, slug: str, language: str, term: str, weight: float = 1.0) -> Taxonomy:
        """A copy with one more signal word for ``slug`` in ``language`` (a curator's edit)."""
        data = self.to_dict()
        for t in data["themes"]:
            if t["slug"] == slug:
                t["signals"].setdefault(language, []).append(
                    Signal(term, weight).to_data(),
                )
                break
        else:
            raise KeyError(slug)
        return Taxonomy.from_dict(data)

    def with_examples(self, slug: str, language: str, texts: list[str]) -> Taxonomy:
        """A copy in which ``slug``'s examples in ``language`` are ``texts`` (a curator's edit;
        an empty list removes that language's examples)."""
        data = self.to_dict()
        for t in data["themes"]:
            if t["slug"] == slug:
                t["examples"][language] = list(texts)
                if not texts:
                    del t["examples"][language]
                break
        else:
            raise KeyError(slug)
        return Taxonomy.from_dict(data)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form accepted by :meth:`from_dict`."""
        return {
            "version": self.version,
            "languages": list(self.languages),
            "scoring": {
                "saturation": self.scoring.saturation,
                "threshold": self.scoring.threshold,
                "repeat_decay": self.scoring.repeat_decay,
                "max_gap": self.scoring.max_gap,
                "compound_min_length": self.scoring.compound_min_length,
                "relative_to_top": self.scoring.relative_to_top,
                "max_suggestions": self.scoring.max_suggestions,
                "weak_single_hit": self.scoring.weak_single_hit,
            },
            "constellations": {k: dict(v) for k, v in self.constellations.items()},
            "themes": [t.to_dict() for t in self.themes],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Taxonomy:
        """Build and validate a taxonomy from plain data (parsed JSON or the Django model's dict).

        Raises :class:`TaxonomyError` on malformed input, so a bad curator edit fails loudly
        instead of silently dropping a theme.
        """
        try:
            themes = tuple(_theme_from_dict(t) for t in data["themes"])
            version = int(data.get("version", 1))
        except (KeyError, TypeError) as exc:
            raise TaxonomyError(f"malformed taxonomy: {exc!r}") from exc
        slugs = [t.slug for t in themes]
        if len(set(slugs)) != len(slugs):
            raise TaxonomyError(f"duplicate theme slugs in {slugs}")
        languages = tuple(
            data.get("languages") or sorted({lang for t in themes for lang in t.signals})
        )
        scoring_data = dict(data.get("scoring") or {})
        try:
            scoring = Scoring(**scoring_data)
        except TypeError as exc:
            raise TaxonomyError(f"unknown scoring option: {exc}") from exc
        if scoring.saturation <= 0 or not 0 < scoring.threshold <= 1:
            raise TaxonomyError("scoring.saturation must be > 0 and threshold in (0, 1]")
        if scoring.max_suggestions < 0:
            raise TaxonomyError("scoring.max_suggestions must be 0 (no limit) or more")
        if scoring.weak_single_hit < 0:
            raise TaxonomyError("scoring.weak_single_hit must be 0 (off) or more")
        constellations = {k: dict(v) for k, v in (data.get("constellations") or {}).items()}
        return cls(
            version=version,
            languages=languages,
            themes=themes,
            constellations=constellations,
            scoring=scoring,
        )


def _signal_from_data(item: str | Mapping[str, Any]) -> Signal:
    if isinstance(item, str):
        term, weight = item, 1.0
    else:
        term, weight = str(item["term"]), float(item.get("weight", 1.0))
    term = " ".join(term.split())
    if not term.strip("*"):
        raise TaxonomyError("empty signal term")
    if not 0 < weight <= 5:
        raise TaxonomyError(f"signal weight out of range (0, 5]: {term!r} {weight}")
    return Signal(term, weight)


def _theme_from_dict(data: Mapping[str, Any]) -> Theme:
    slug = str(data["slug"])
    if not slug or not slug.replace("_", "").replace("-", "").isalnum():
        raise TaxonomyError(f"bad theme slug {slug!r}")
    signals = {
        str(lang): tuple(_signal_from_data(item) for item in items)
        for lang, items in (data.get("signals") or {}).items()
    }
    return Theme(
        slug=slug,
        examples=examples_from_data(data.get("examples")),
        constellation=str(data.get("constellation", "")),
        labels=dict(data.get("labels") or {}),
        descriptions=dict(data.get("descriptions") or {}),
        signals=signals,
        source=str(data.get("source", "")),
    )


def examples_from_data(data: Any) -> dict[str, tuple[str, ...]]:
    """Validate a theme's examples, ``{language: [text, ...]}``, and normalise their spaces.

    Raises :class:`TaxonomyError` for anything else (not a mapping, a text that is not a
    non-empty string or longer than :data:`MAX_EXAMPLE_CHARS`, too many texts).
    """
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise TaxonomyError("examples must map a language code to a list of texts")
    out: dict[str, tuple[str, ...]] = {}
    for lang, texts in data.items():
        if not isinstance(lang, str) or not lang.isalpha():
            raise TaxonomyError(f"bad language code for examples: {lang!r}")
        if not isinstance(texts, list | tuple) or len(texts) > MAX_EXAMPLES_PER_LANGUAGE:
            raise TaxonomyError(
                f"examples in {lang!r} must be a list of at most {MAX_EXAMPLES_PER_LANGUAGE} texts"
            )
        cleaned = []
        for text in texts:
            if not isinstance(text, str) or not text.strip():
                raise TaxonomyError(f"an example in {lang!r} is not a non-empty text")
            flat = " ".join(text.split())
            if len(flat) > MAX_EXAMPLE_CHARS:
                raise TaxonomyError(
                    f"an example in {lang!r} is longer than {MAX_EXAMPLE_CHARS} characters"
                )
            cleaned.append(flat)
        if cleaned:
            out[lang] = tuple(cleaned)
    return out


def from_dict(data: Mapping[str, Any]) -> Taxonomy:
    """Module-level alias of :meth:`Taxonomy.from_dict`."""
    return Taxonomy.from_dict(data)


def load_default() -> Taxonomy:
    """The taxonomy shipped with the package (13 CoSIE roadmap themes, en/fi/sv/de)."""
    with DEFAULT_PATH.open(encoding="utf-8") as f:
        return Taxonomy.from_dict(json.load(f))
