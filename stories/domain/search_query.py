"""Search words and queries, the same for every database (no Django here).

Stories are indexed as *lemmas*: each word of a story is lower-cased and reduced to its
dictionary form in the story's language (simplemma, for fi/sv/de/en), so "kirjastossa",
"kirjastoon" and "kirjasto" are all stored as ``kirjasto``. A query does not say its
language, so each of its words matches any of its candidate forms: the word as written
(lower-cased) and its lemma in each of those languages. Both backends get the very same
lemmas and the very same parsed query; only the final rendering differs (an FTS5 MATCH
expression for SQLite, a ``tsquery`` for PostgreSQL).

Query syntax (PostgreSQL's web search): words are all required; ``"two words"`` is a
phrase; ``-word`` or ``-"a phrase"`` excludes; ``a OR b`` wants either (``or`` in any
case, as PostgreSQL reads it). ``OR`` joins the words beside it; an excluded word stands on
its own.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from functools import lru_cache

# Languages whose words are reduced to lemmas; other stories keep their words as written.
LEMMA_LANGUAGES: tuple[str, ...] = ("fi", "sv", "de", "en")
# Letters and digits only: the same split for the stored text, both backends' tokenizers
# and the query, so "tasa-arvo" is the phrase "tasa arvo" everywhere.
_WORD = re.compile(r"[^\W_]+")
# A longer "word" is no word (a pasted URL or hash); PostgreSQL also caps lexemes.
MAX_WORD_LENGTH = 60
# A phrase's candidate forms multiply: past this many spellings only the first are tried.
MAX_PHRASE_SPELLINGS = 32
_ITEM = re.compile(r'(-?)"([^"]*)"?|(\S+)')


@lru_cache(maxsize=200_000)
def lemma(word: str, language: str) -> str:
    """``word`` lower-cased and, in a lemma language, reduced to its dictionary form."""
    low = word.lower()
    if language not in LEMMA_LANGUAGES:
        return low
    import simplemma  # a large lexicon: loaded on first use, not when Django starts

    found = simplemma.lemmatize(low, lang=language)
    # Greedy lemmatisation splits compounds ("medborgarbudgeten") but turns known words
    # into others, so only unknown words get it (as the theme tagger does).
    if found == low and not simplemma.is_known(low, lang=language):
        found = simplemma.lemmatize(low, lang=language, greedy=True)
    return found.lower()


def warm() -> None:
    """Load every lemma language's lexicon now (a web process does it before its first
    request): Finnish alone took 2-11 s and ~0.4 GB, which a reader's first search would
    otherwise wait for."""
    for code in LEMMA_LANGUAGES:
        lemma("a", code)


def words(text: str) -> list[str]:
    """The words of ``text`` as search sees them (letters and digits, in order)."""
    return [w for w in _WORD.findall(text) if len(w) <= MAX_WORD_LENGTH]


def index_words(text: str, language: str) -> list[str]:
    """What is stored for ``text`` of a story in ``language``: its words' lemmas, in order."""
    code = (language or "").strip().lower()[:2]
    return [lemma(w, code) for w in words(text)]


@lru_cache(maxsize=20_000)
def candidates(word: str) -> tuple[str, ...]:
    """Forms a query word matches: as written (lower-cased) and its lemma per language."""
    forms = [word.lower()] + [lemma(word, code) for code in LEMMA_LANGUAGES]
    return tuple(dict.fromkeys(forms))


# One position of a phrase: the forms that may stand there.
Slot = tuple[str, ...]
Phrase = tuple[Slot, ...]


@dataclass
class Query:
    """A parsed query: every group must match (a group matches if any of its phrases
    does) and no excluded phrase may. A single word is a phrase of one slot."""

    groups: list[list[Phrase]] = field(default_factory=list)
    excluded: list[Phrase] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.groups or self.excluded)


def _phrase(text: str) -> Phrase:
    return tuple(candidates(w) for w in words(text))


def parse(q: str) -> Query:
    """``q`` in web-search syntax as a ``Query``; empty when it has no words."""
    query = Query()
    join_next = False
    for m in _ITEM.finditer(q):
        quoted_minus, quoted, bare = m.groups()
        if bare is not None and bare.upper() == "OR":
            join_next = bool(query.groups)
            continue
        if bare is not None:
            negated, text = bare.startswith("-") and len(bare) > 1, bare
            text = text[1:] if negated else text
        else:
            negated, text = bool(quoted_minus), quoted
        phrase = _phrase(text)
        if not phrase:
            continue
        if negated:
            query.excluded.append(phrase)
        elif join_next:
            query.groups[-1].append(phrase)
        else:
            query.groups.append([phrase])
        join_next = False
    return query


def _spellings(phrase: Phrase) -> list[tuple[str, ...]]:
    return list(itertools.islice(itertools.product(*phrase), MAX_PHRASE_SPELLINGS))


def _fts5_phrase(phrase: Phrase) -> str:
    # FTS5 has no OR inside a phrase: each spelling of the phrase is a phrase of its own.
    # Words are letters and digits only, so they never need escaping inside the quotes.
    return "(" + " OR ".join('"' + " ".join(s) + '"' for s in _spellings(phrase)) + ")"


def fts5_match(phrases: list[Phrase], joiner: str) -> str:
    """An FTS5 MATCH expression for ``phrases`` joined by ``AND`` or ``OR``."""
    return f" {joiner} ".join(_fts5_phrase(p) for p in phrases)


def fts5_positive(query: Query) -> str:
    """FTS5 MATCH for the groups (all required); empty when there are none."""
    return " AND ".join(
        "(" + " OR ".join(_fts5_phrase(p) for p in group) + ")" for group in query.groups
    )


def fts5_excluded(query: Query) -> str:
    """FTS5 MATCH for any excluded phrase; empty when there are none."""
    return fts5_match(query.excluded, "OR")


def _ts_phrase(phrase: Phrase) -> str:
    slots = ["(" + " | ".join(f"'{form}'" for form in slot) + ")" for slot in phrase]
    return "(" + " <-> ".join(slots) + ")"


def tsquery(query: Query) -> str:
    """The ``tsquery`` literal for ``query`` (lexemes quoted; forms need no escaping)."""
    parts = ["(" + " | ".join(_ts_phrase(p) for p in group) + ")" for group in query.groups]
    parts += ["!" + _ts_phrase(p) for p in query.excluded]
    return " & ".join(parts)


def tsvector(title: str, text: str, language: str) -> str:
    """The ``tsvector`` literal for a story: title words weigh A, text words B.

    Built here rather than by PostgreSQL's parser so both backends store the same words.
    The text starts one position after the title so no phrase spans the two.
    """
    positions: dict[str, list[str]] = {}
    title_words = index_words(title, language)
    for number, form in enumerate(title_words, start=1):
        positions.setdefault(form, []).append(f"{number}A")
    start = len(title_words) + 2
    for number, form in enumerate(index_words(text, language), start=start):
        if number > 16383:  # PostgreSQL's last position
            break
        positions.setdefault(form, []).append(f"{number}B")
    # PostgreSQL keeps at most 256 positions of one lexeme.
    return " ".join(f"'{form}':{','.join(at[:256])}" for form, at in positions.items())
