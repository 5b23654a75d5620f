"""Signal-word matching: lemmas, inflected and compound forms, and multiword phrases.

A taxonomy's signals for one language are compiled once (each word lemmatised the same way
as story text) and cached on the taxonomy object. Matching works on the tokens of one
sentence at a time, so phrases never span sentences.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import permutations

from .taxonomy import Signal, Taxonomy
from .text import Token, signal_tokens

# Languages that write compounds as one word: a signal may match inside a longer word.
COMPOUNDING_LANGUAGES = frozenset({"fi", "sv", "de", "nl", "da", "no", "nb", "nn", "et", "is"})
# In these a stem plus a short ending the lemmatiser missed is still the same word
# (Swedish "besluten" for "beslutet"); English lemmatisation is reliable enough without it.
_INFLECTION_TOLERANT = COMPOUNDING_LANGUAGES
_MAX_ENDING = 2
_MIN_STEM = 4
# A compound part left over next to the signal must be at least this long ("valta" may
# match "päätösvalta" but not "valtava", "huge").
_MIN_OTHER_PART = 3
# Word order is free enough here that "ernst nehmen" also appears as "nahm ... ernst".
_FREE_ORDER = frozenset({"de", "fi"})
# Endings that inflect a word in the Germanic languages (Swedish "beslut-en", German
# "Formular-e"). Anything else after a signal is a different word ("bidrag" is not
# "bidra" + g). Finnish and Estonian inflect too richly to list, so any short ending goes.
_GERMANIC_ENDINGS = frozenset(
    {"a", "e", "n", "r", "s", "t", "en", "er", "es", "et", "em", "ns", "na", "ar", "or",
     "de", "te", "ts", "rs", "ne"}
)  # fmt: skip
_ENDINGS: dict[str, frozenset[str]] = {
    lang: _GERMANIC_ENDINGS for lang in ("sv", "de", "nl", "da", "no", "nb", "nn", "is")
}
# A compound's meaning sits in its last part ("Nachbarschaftshaus" is a house): a signal
# found only at the front of a longer word counts for this fraction of its weight.
MODIFIER_WEIGHT = 0.5
# German capitalises nouns, so "Wissen" (knowledge) is not "wissen" (to know) and
# "schulen" (to train) is not "Schule": case decides except at the start of a sentence.
_CASED_NOUNS = frozenset({"de"})


@dataclass(frozen=True)
class Match:
    """One occurrence of a signal in the text."""

    theme: str
    signal: str
    weight: float
    start: int
    end: int
    kind: str  # "word", "inflected", "compound", "pattern" or "phrase"
    tokens: tuple[int, ...]  # indices of the matched tokens within their sentence


@dataclass(frozen=True)
class _Entry:
    theme: str
    signal: Signal

    @property
    def is_noun(self) -> bool:
        """Written with a capital (meaningful in German only)."""
        return self.signal.term[:1].isupper()


@dataclass(frozen=True)
class _Phrase:
    entry: _Entry
    words: tuple[frozenset[str], ...]  # accepted forms of each word of the phrase


@dataclass
class CompiledLexicon:
    """The signals of one language, indexed for matching."""

    language: str
    exact: dict[str, list[_Entry]] = field(default_factory=dict)
    partial: list[tuple[str, _Entry]] = field(default_factory=list)  # keys for affix matching
    prefixes: list[tuple[str, _Entry]] = field(default_factory=list)  # "term*"
    suffixes: list[tuple[str, _Entry]] = field(default_factory=list)  # "*term"
    phrases: list[_Phrase] = field(default_factory=list)
    compound_min_length: int = 5
    max_gap: int = 3
    _form_cache: dict[str, list[tuple[_Entry, str]]] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        """True when the taxonomy has no signals for this language."""
        return not (self.exact or self.prefixes or self.suffixes or self.phrases)

    def word_entries(self, form: str, surface: bool = False) -> list[tuple[_Entry, str]]:
        """Signals a single word form matches, with the kind of match.

        ``surface``: the form is the word as written (not a lemma), so a signal followed by
        a short ending counts as inflected; on lemmas that rule only adds false matches.
        """
        cached = self._form_cache.get(f"{surface:d}{form}")
        if cached is not None:
            return cached
        found: list[tuple[_Entry, str]] = [(e, "word") for e in self.exact.get(form, ())]
        for key, entry in self.prefixes:
            if form.startswith(key):
                found.append((entry, "pattern"))
        for key, entry in self.suffixes:
            if form.endswith(key):
                found.append((entry, "pattern"))
        if self.language in _INFLECTION_TOLERANT or self.language in COMPOUNDING_LANGUAGES:
            for key, entry in self.partial:
                kind = self._affix_kind(form, key, surface)
                if kind:
                    found.append((entry, kind))
        if len(self._form_cache) < 100_000:
            self._form_cache[f"{surface:d}{form}"] = found
        return found

    def _affix_kind(self, form: str, key: str, surface: bool) -> str | None:
        extra = len(form) - len(key)
        if extra <= 0:
            return None
        if (
            surface
            and self.language in _INFLECTION_TOLERANT
            and extra <= _MAX_ENDING
            and len(key) >= _MIN_STEM
            and form.startswith(key)
        ):
            endings = _ENDINGS.get(self.language)
            if endings is None or form[len(key) :] in endings:
                return "inflected"
        if (
            self.language in COMPOUNDING_LANGUAGES
            and len(key) >= self.compound_min_length
            and extra >= _MIN_OTHER_PART
        ):
            if form.endswith(key):
                return "compound"
            if form.startswith(key):
                return "modifier"
        return None


def compile_lexicon(taxonomy: Taxonomy, language: str) -> CompiledLexicon:
    """Compile (once per taxonomy object and language) the signals of ``language``."""
    cached = taxonomy._cache.get(f"lexicon:{language}")
    if isinstance(cached, CompiledLexicon):
        return cached
    lex = CompiledLexicon(
        language=language,
        compound_min_length=taxonomy.scoring.compound_min_length,
        max_gap=taxonomy.scoring.max_gap,
    )
    for theme in taxonomy.themes:
        for signal in theme.signals.get(language, ()):
            _add_signal(lex, _Entry(theme.slug, signal), language)
    taxonomy._cache[f"lexicon:{language}"] = lex
    return lex


def _add_signal(lex: CompiledLexicon, entry: _Entry, language: str) -> None:
    term = entry.signal.term.lower()
    if term.endswith("*") and " " not in term:
        lex.prefixes.append((term.rstrip("*"), entry))
        return
    if term.startswith("*") and " " not in term:
        lex.suffixes.append((term.lstrip("*"), entry))
        return
    words = signal_tokens(term)
    if len(words) == 1:
        # Signals are written as lemmas, so they are matched as written: lemmatising them
        # again maps some to other words (Finnish "miksi" -> "mikä" would match every "mitä").
        lex.exact.setdefault(words[0], []).append(entry)
        lex.partial.append((words[0], entry))
    elif words:
        lex.phrases.append(_Phrase(entry, tuple(frozenset({w}) for w in words)))


def match_sentence(lex: CompiledLexicon, tokens: list[Token]) -> list[Match]:
    """All signal matches among the tokens of one sentence."""
    matches: list[Match] = []
    cased = lex.language in _CASED_NOUNS
    for i, tok in enumerate(tokens):
        seen: set[tuple[str, str]] = set()
        capitalised = tok.text[:1].isupper()
        for n, form in enumerate(tok.forms):
            for entry, kind in lex.word_entries(form, surface=n == 0):
                key = (entry.theme, entry.signal.term)
                if key in seen:
                    continue
                if cased and kind != "pattern" and not _case_agrees(entry, capitalised, i):
                    continue
                seen.add(key)
                weight = entry.signal.weight
                if kind == "modifier":
                    kind, weight = "compound", weight * MODIFIER_WEIGHT
                matches.append(
                    Match(entry.theme, entry.signal.term, weight, tok.start, tok.end, kind, (i,))
                )
    for phrase in lex.phrases:
        for idx in _find_phrase(phrase.words, tokens, lex.max_gap, lex.language):
            matches.append(
                Match(
                    phrase.entry.theme,
                    phrase.entry.signal.term,
                    phrase.entry.signal.weight,
                    tokens[min(idx)].start,
                    tokens[max(idx)].end,
                    "phrase",
                    idx,
                )
            )
    return matches


def _case_agrees(entry: _Entry, capitalised: bool, index: int) -> bool:
    """A noun signal needs a capitalised word; other signals a lower-case one, except as
    the first word of a sentence, where anything is capitalised."""
    if entry.is_noun:
        return capitalised
    return not capitalised or index == 0


def _find_phrase(
    words: tuple[frozenset[str], ...], tokens: list[Token], max_gap: int, language: str
) -> list[tuple[int, ...]]:
    """Token index tuples where the phrase occurs, in order with at most ``max_gap`` words
    between its words. In German and Finnish a two-word phrase may also occur reversed
    (German "nahm uns ernst" for "ernst nehmen")."""
    orders = [words]
    if len(words) == 2 and language in _FREE_ORDER:
        orders = list(permutations(words))
    found: list[tuple[int, ...]] = []
    used: set[int] = set()
    for order in orders:
        for i, tok in enumerate(tokens):
            if i in used or not order[0].intersection(tok.forms):
                continue
            idx = [i]
            pos = i
            for word in order[1:]:
                nxt = next(
                    (
                        j
                        for j in range(pos + 1, min(len(tokens), pos + 2 + max_gap))
                        if word.intersection(tokens[j].forms)
                        and not _gap_crosses_clause(tokens, pos, j)
                    ),
                    None,
                )
                if nxt is None:
                    break
                idx.append(nxt)
                pos = nxt
            else:
                if not used.intersection(idx):
                    found.append(tuple(sorted(idx)))
                    used.update(idx)
    return found


def _gap_crosses_clause(tokens: list[Token], i: int, j: int) -> bool:
    """True when words are skipped between tokens ``i`` and ``j`` and a comma, colon or
    the like lies among them: a phrase's words may be apart, but within one clause.
    Adjacent words may straddle a comma (Finnish "kerrottu, miksi")."""
    return j > i + 1 and any(tokens[k].clause_break for k in range(i + 1, j + 1))
