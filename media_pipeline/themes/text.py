"""Sentences, word tokens and their lemma forms, with character offsets into the input text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# Words with inner hyphens or apostrophes stay whole ("tasa-arvo", "QR-koodi", "don't"),
# so that signal terms written that way are tokenised identically.
_WORD = re.compile(r"\w+(?:[-'\u2019]\w+)*", re.UNICODE)
# A sentence ends at . ! ? … (possibly repeated, possibly followed by closing quotes or
# brackets) before whitespace, or at a line break.
_SENTENCE_END = re.compile(r"[.!?…]+[\"'\u201d\u2019»)\]]*(?=\s)|\n+")
_POSSESSIVE = re.compile(r"['\u2019]s$")
_CLAUSE_PUNCTUATION = re.compile(r"[,;:()\[\]\"\u201c\u201d\u201e\u00ab\u00bb\u2013\u2014]|\s-\s")


@dataclass(frozen=True)
class Span:
    """A stretch of the input text: ``text[start:end]``."""

    start: int
    end: int


@dataclass(frozen=True)
class Token:
    """A word of the text with the lower-cased forms it may match under.

    ``forms`` holds the lower-cased surface form first, then simplemma's lemmas.
    ``clause_break`` is true when punctuation that ends a clause (comma, colon, dash,
    bracket, quote) stands between this word and the one before it.
    """

    text: str
    start: int
    end: int
    forms: tuple[str, ...]
    clause_break: bool = False


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Sentence spans of ``text[start:end]``, trimmed of surrounding whitespace."""
    stop = len(text) if end is None else end
    spans: list[Span] = []
    cursor = start
    for m in _SENTENCE_END.finditer(text, start, stop):
        _append_trimmed(text, cursor, m.end(), spans)
        cursor = m.end()
    _append_trimmed(text, cursor, stop, spans)
    return spans


def _append_trimmed(text: str, start: int, end: int, out: list[Span]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(Span(start, end))


@lru_cache(maxsize=200_000)
def word_forms(word: str, language: str) -> tuple[str, ...]:
    """Lower-cased forms under which ``word`` can match a signal: surface and lemmas.

    Results are cached: simplemma is the slow part of tagging and story vocabularies repeat.
    """
    import simplemma

    low = word.lower()
    forms = [low]
    bare = _POSSESSIVE.sub("", low)
    candidates = [word, low] if word != low else [word]
    if bare != low:
        candidates.append(bare)
        forms.append(bare)
    for candidate in candidates:
        try:
            lemma = simplemma.lemmatize(candidate, lang=language)
            # Greedy lemmatisation splits more compounds ("medborgarbudgeten") but turns
            # known words into others ("machen" -> "Macht"), so only unknown words get it.
            if lemma == candidate and not simplemma.is_known(candidate, lang=language):
                lemma = simplemma.lemmatize(candidate, lang=language, greedy=True)
        except ValueError:  # a language simplemma has no data for
            continue
        forms.append(lemma.lower())
    return tuple(dict.fromkeys(forms))


def tokenize(text: str, language: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Word tokens of ``text[start:end]`` with offsets into ``text`` and their forms."""
    stop = len(text) if end is None else end
    tokens: list[Token] = []
    previous_end = start
    for m in _WORD.finditer(text, start, stop):
        between = text[previous_end : m.start()]
        tokens.append(
            Token(
                m.group(),
                m.start(),
                m.end(),
                word_forms(m.group(), language),
                bool(tokens) and bool(_CLAUSE_PUNCTUATION.search(between)),
            )
        )
        previous_end = m.end()
    return tokens


def signal_tokens(term: str) -> list[str]:
    """The words of a signal term, tokenised like story text."""
    return _WORD.findall(term)
