"""Recurring topics in a set of stories, the sentences that carry them, and the stories that
stand apart from the rest.

Stories are grouped by meaning: by their multilingual sentence-embedding vectors
(``media_pipeline.meaning``), so one topic told in Swedish, Finnish and English is one
topic (``clusters``). A topic is named by the lemmas that set its stories apart
(simplemma per story language, TF-IDF, stop words of the pilot languages left out), taken
in turn from each language it is told in. Its quotes are the sentences of its most central
stories nearest the topic's centre in meaning, from as many languages as it has.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import stopwordsiso
from sklearn.feature_extraction.text import TfidfVectorizer

from media_pipeline.insights import clusters
from media_pipeline.meaning import encoder
from media_pipeline.themes.text import split_sentences, tokenize

MIN_WORD_LENGTH = 3
# A quote longer than this is cut at a word boundary: a report is read in a meeting.
MAX_QUOTE_CHARS = 280
# A sentence shorter than this carries too little of a topic to stand for it.
MIN_QUOTE_WORDS = 4
# Quotes are looked for in this many of a topic's most central stories, and in at most
# this many sentences of each: every sentence looked at is embedded (see docs/insights.md
# for the cost).
QUOTE_CANDIDATES = 4
MAX_SENTENCES_PER_STORY = 12
# How many words name a topic.
TERMS_PER_TOPIC = 3

Embed = Callable[[Sequence[str]], npt.NDArray[np.float32]]


@dataclass(frozen=True)
class Document:
    """One story as the analysis sees it; ``key`` is the caller's id for it."""

    key: str
    text: str
    language: str
    month: str  # "YYYY-MM"
    # The text's meaning (a passage vector of ``media_pipeline.meaning``); embedded by
    # ``analyse`` when the caller has none stored.
    vector: npt.NDArray[np.float32] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Quote:
    """A sentence of the document ``key``, word for word (shortened with "…" if long)."""

    key: str
    sentence: str


@dataclass(frozen=True)
class Topic:
    """Stories that talk about the same thing, and the words and sentences that show it."""

    terms: tuple[str, ...]
    keys: tuple[str, ...]  # most central first
    quotes: tuple[Quote, ...]
    per_month: dict[str, int]
    change: float  # share of the later months' stories minus share of the earlier ones


@dataclass(frozen=True)
class Insights:
    topics: list[Topic]
    months: list[str]
    per_month: dict[str, int]
    standing_apart: list[Quote] = field(default_factory=list)


@lru_cache(maxsize=8)
def stop_words(language: str) -> frozenset[str]:
    """Function words of ``language`` (empty for a language stopwords-iso lacks)."""
    return frozenset(stopwordsiso.stopwords(language) if stopwordsiso.has_lang(language) else ())


def lemmas(text: str, language: str) -> list[str]:
    """The content words of ``text`` as lemmas, lower-cased."""
    stop = stop_words(language)
    out = []
    for token in tokenize(text, language):
        lemma = token.forms[-1]
        if len(lemma) < MIN_WORD_LENGTH or lemma.isdigit():
            continue
        if token.forms[0] in stop or lemma in stop:
            continue
        out.append(lemma)
    return out


def _shortened(sentence: str) -> str:
    if len(sentence) <= MAX_QUOTE_CHARS:
        return sentence
    cut = sentence[:MAX_QUOTE_CHARS].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + " …"


def _sentences(document: Document) -> list[str]:
    found = [document.text[s.start : s.end] for s in split_sentences(document.text)]
    return [s for s in found if len(s.split()) >= MIN_QUOTE_WORDS] or found


def _lemma_matrix(documents: Sequence[Document]) -> tuple[np.ndarray, list[str]]:
    """TF-IDF rows (L2-normalised) of the documents' lemmas, and the vocabulary."""
    vectoriser = TfidfVectorizer(analyzer=lambda words: words, sublinear_tf=True)
    matrix = vectoriser.fit_transform([lemmas(d.text, d.language) for d in documents])
    return np.asarray(matrix.todense()), list(vectoriser.get_feature_names_out())


def _terms(
    documents: Sequence[Document],
    lemma_rows: np.ndarray,
    vocabulary: list[str],
    members: np.ndarray,
) -> tuple[str, ...]:
    """The lemmas that mark the topic against the other stories, not merely frequent ones:
    the best of each language the topic is told in, in turn, most told language first."""
    inside = np.zeros(len(documents), dtype=bool)
    inside[members] = True
    outside = lemma_rows[~inside].mean(axis=0) if (~inside).any() else 0.0
    told = Counter(documents[i].language for i in members)
    ranked: list[list[str]] = []
    for language, _ in sorted(told.items(), key=lambda item: (-item[1], item[0])):
        rows = sorted(int(i) for i in members if documents[i].language == language)
        distinct = lemma_rows[rows].mean(axis=0) - outside
        # Stable: lemmas that tie keep the vocabulary's (alphabetical) order.
        ranked.append(
            [vocabulary[i] for i in np.argsort(-distinct, kind="stable") if distinct[i] > 0]
        )
    terms: list[str] = []
    while len(terms) < TERMS_PER_TOPIC and any(ranked):
        for words in ranked:
            while words and words[0] in terms:
                words.pop(0)
            if words and len(terms) < TERMS_PER_TOPIC:
                terms.append(words.pop(0))
    return tuple(terms)


def _quotable(document: Document) -> list[str]:
    return _sentences(document)[:MAX_SENTENCES_PER_STORY]


def _sentence_vectors(
    documents: Sequence[Document], embed: Embed
) -> dict[str, npt.NDArray[np.float32]]:
    """The unit vector of each sentence of ``documents`` that may be quoted."""
    sentences = list(dict.fromkeys(s for d in documents for s in _quotable(d)))
    if not sentences:
        return {}
    return dict(zip(sentences, clusters.normalised(embed(sentences)), strict=True))


def _best_sentences(
    documents: Sequence[Document], towards: np.ndarray, known: dict[str, np.ndarray]
) -> list[tuple[float, Quote, str]]:
    """For each document, its sentence closest in meaning to ``towards`` with the
    similarity and the document's language, closest first."""
    out = []
    for document in documents:
        found = [s for s in _quotable(document) if s in known]
        if found:
            scores = [float(known[s] @ towards) for s in found]
            best = int(np.argmax(scores))
            out.append(
                (scores[best], Quote(document.key, _shortened(found[best])), document.language)
            )
    out.sort(key=lambda item: -item[0])
    return out


def _quotes(
    members: Sequence[Document], towards: np.ndarray, count: int, known: dict[str, np.ndarray]
) -> tuple[Quote, ...]:
    """Up to ``count`` quotes from different stories among the most central, each the
    sentence nearest the topic's centre; a language not quoted yet goes first."""
    candidates = _best_sentences(members[:QUOTE_CANDIDATES], towards, known)
    chosen: list[tuple[float, Quote, str]] = []
    while candidates and len(chosen) < count:
        quoted = {language for _, _, language in chosen}
        pick = next((c for c in candidates if c[2] not in quoted), candidates[0])
        candidates.remove(pick)
        chosen.append(pick)
    return tuple(quote for _, quote, _ in chosen)


def _change(members: Sequence[Document], everyone: Sequence[Document], months: list[str]) -> float:
    """How much more of the later half of the months this topic holds than of the earlier."""
    if len(months) < 2:
        return 0.0
    later = set(months[len(months) // 2 :])

    def share(in_later: bool) -> float:
        total = sum(1 for d in everyone if (d.month in later) == in_later)
        mine = sum(1 for d in members if (d.month in later) == in_later)
        return mine / total if total else 0.0

    return round(share(True) - share(False), 3)


def meaning_vectors(documents: Sequence[Document], embed: Embed) -> clusters.Vectors:
    """Unit rows of the documents' vectors, embedding those the caller did not give."""
    missing = [d.text for d in documents if d.vector is None]
    made = iter(embed(missing) if missing else ())
    rows = [d.vector if d.vector is not None else next(made) for d in documents]
    return clusters.normalised(np.vstack(rows)) if rows else np.zeros((0, 0), np.float32)


def analyse(
    documents: Sequence[Document],
    *,
    max_topics: int = 8,
    quotes_per_topic: int = 2,
    standing_apart: int = 3,
    embed: Embed | None = None,
) -> Insights:
    """Topics that recur in ``documents`` (two stories or more each, at most
    ``max_topics``), most stories first, with up to ``quotes_per_topic`` quotes from
    different stories; and up to ``standing_apart`` stories in no topic, those farthest
    from every topic first.

    ``embed`` turns texts into passage vectors (the packaged encoder when not given): it
    embeds documents without a vector and the sentences considered for quotes.
    """
    embed = embed or encoder().passages
    months = sorted({d.month for d in documents})
    per_month = dict(sorted(Counter(d.month for d in documents).items()))
    if len(documents) < 2:
        return Insights([], months, per_month)
    vectors = meaning_vectors(documents, embed)
    languages = [d.language for d in documents]
    labels = clusters.group(vectors, languages, max_groups=max(2 * max_topics, 12))
    groups = []
    for label in range(min(max_topics, int(labels.max()) + 1)):
        rows = np.flatnonzero(labels == label)
        towards = clusters.centre(vectors[rows])
        groups.append((rows[np.argsort(-(vectors[rows] @ towards), kind="stable")], towards))
    in_topic = (labels >= 0) & (labels < len(groups))
    apart = _apart(vectors, in_topic, [towards for _, towards in groups], standing_apart)
    # Every sentence that may be quoted, embedded in one batch (a sentence shared by two
    # candidates once).
    quotable = [documents[i] for ordered, _ in groups for i in ordered[:QUOTE_CANDIDATES]]
    known = _sentence_vectors(quotable + [documents[i] for i in apart], embed)
    lemma_rows, vocabulary = _lemma_matrix(documents)
    topics = []
    for ordered, towards in groups:
        members = [documents[i] for i in ordered]
        topics.append(
            Topic(
                terms=_terms(documents, lemma_rows, vocabulary, ordered),
                keys=tuple(d.key for d in members),
                quotes=_quotes(members, towards, quotes_per_topic, known),
                per_month=dict(sorted(Counter(d.month for d in members).items())),
                change=_change(members, documents, months),
            )
        )
    quoted_apart = [_best_sentences([documents[i]], vectors[i], known) for i in apart]
    return Insights(topics, months, per_month, [found[0][1] for found in quoted_apart if found])


def _apart(
    vectors: np.ndarray, in_topic: np.ndarray, centres: list[np.ndarray], count: int
) -> list[int]:
    """Rows of stories in no topic, those farthest from every topic's centre first (from
    every other story, when there is no topic)."""
    if in_topic.all() or count <= 0:
        return []
    if centres:
        closeness = (vectors @ np.vstack(centres).T).max(axis=1)
    else:
        similarity = vectors @ vectors.T
        np.fill_diagonal(similarity, -1.0)
        closeness = similarity.max(axis=1)
    return [int(i) for i in np.argsort(closeness, kind="stable") if not in_topic[i]][:count]
