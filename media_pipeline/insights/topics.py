"""Recurring topics in a set of stories, the sentences that carry them, and the stories that
stand apart from the rest.

Stories are compared as bags of lemmas (simplemma, per story language) weighted by TF-IDF,
so "jonot", "jonossa" and "jonottaa" count as one word; stop words of the four pilot
languages are left out. Topics are k-means clusters of those vectors, with k chosen by the
silhouette score.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import stopwordsiso
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import silhouette_score

from media_pipeline.themes.text import split_sentences, tokenize

MIN_WORD_LENGTH = 3
# A quote longer than this is cut at a word boundary: a report is read in a meeting.
MAX_QUOTE_CHARS = 280
# A sentence shorter than this carries too little of a topic to stand for it.
MIN_QUOTE_WORDS = 4


@dataclass(frozen=True)
class Document:
    """One story as the analysis sees it; ``key`` is the caller's id for it."""

    key: str
    text: str
    language: str
    month: str  # "YYYY-MM"


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


def lemma_vectors(
    documents: Sequence[Document],
) -> tuple[np.ndarray, Callable[[str, str], np.ndarray], list[str]]:
    """TF-IDF rows (L2-normalised) for ``documents``, a function that places a sentence in
    the same space, and the vocabulary (column names)."""
    vectoriser = TfidfVectorizer(analyzer=lambda words: words, sublinear_tf=True)
    matrix = vectoriser.fit_transform([lemmas(d.text, d.language) for d in documents])

    def place(sentence: str, language: str) -> np.ndarray:
        row = vectoriser.transform([lemmas(sentence, language)])
        return np.asarray(row.todense()).ravel()

    return np.asarray(matrix.todense()), place, list(vectoriser.get_feature_names_out())


def _labels(vectors: np.ndarray, max_topics: int) -> np.ndarray:
    """Cluster labels for the rows, with the number of clusters the silhouette prefers."""
    n = len(vectors)
    best: tuple[float, np.ndarray] | None = None
    for k in range(2, min(max_topics, n // 2) + 1):
        labels = KMeans(n_clusters=k, n_init=10, random_state=0).fit_predict(vectors)
        if len(set(labels)) < 2:
            continue
        score = float(silhouette_score(vectors, labels, metric="cosine"))
        if best is None or score > best[0]:
            best = (score, labels)
    return best[1] if best is not None else np.zeros(n, dtype=int)


def _shortened(sentence: str) -> str:
    if len(sentence) <= MAX_QUOTE_CHARS:
        return sentence
    cut = sentence[:MAX_QUOTE_CHARS].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + " …"


def _sentences(document: Document) -> list[str]:
    found = [document.text[s.start : s.end] for s in split_sentences(document.text)]
    return [s for s in found if len(s.split()) >= MIN_QUOTE_WORDS] or found


def best_sentence(
    document: Document, towards: np.ndarray, place: Callable[[str, str], np.ndarray]
) -> Quote | None:
    """The sentence of ``document`` closest to the direction ``towards``."""
    sentences = _sentences(document)
    if not sentences:
        return None
    scores = [float(place(s, document.language) @ towards) for s in sentences]
    return Quote(document.key, _shortened(sentences[int(np.argmax(scores))]))


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


def analyse(
    documents: Sequence[Document],
    *,
    max_topics: int = 6,
    quotes_per_topic: int = 2,
    standing_apart: int = 3,
) -> Insights:
    """Topics that recur in ``documents`` (two stories or more each), most stories first,
    with up to ``quotes_per_topic`` quotes from different stories; and the stories in no
    topic, least like any other first."""
    months = sorted({d.month for d in documents})
    per_month = dict(sorted(Counter(d.month for d in documents).items()))
    if len(documents) < 2:
        return Insights([], months, per_month)
    vectors, place, vocabulary = lemma_vectors(documents)
    labels = _labels(vectors, max_topics)
    topics = []
    outside_topics = np.ones(len(documents), dtype=bool)
    for label in set(labels.tolist()):
        rows = np.flatnonzero(labels == label)
        if len(rows) < 2:
            continue
        outside_topics[rows] = False
        topics.append(
            _topic(
                documents,
                vectors,
                rows,
                labels == label,
                place,
                vocabulary,
                months,
                quotes_per_topic,
            )
        )
    topics.sort(key=lambda t: (-len(t.keys), t.terms))
    apart = _apart(documents, vectors, outside_topics, place, standing_apart)
    return Insights(topics, months, per_month, apart)


def _topic(
    documents: Sequence[Document],
    vectors: np.ndarray,
    rows: np.ndarray,
    inside: np.ndarray,
    place: Callable[[str, str], np.ndarray],
    vocabulary: list[str],
    months: list[str],
    quotes_per_topic: int,
) -> Topic:
    centroid = vectors[rows].mean(axis=0)
    outside = vectors[~inside].mean(axis=0) if (~inside).any() else np.zeros_like(centroid)
    # Words that mark this topic against the others, not merely frequent ones.
    distinct = centroid - outside
    terms = tuple(vocabulary[i] for i in np.argsort(-distinct)[:3] if distinct[i] > 0)
    ordered = rows[np.argsort(-(vectors[rows] @ centroid))]
    members = [documents[i] for i in ordered]
    quotes = [q for d in members[:quotes_per_topic] if (q := best_sentence(d, centroid, place))]
    return Topic(
        terms=terms,
        keys=tuple(d.key for d in members),
        quotes=tuple(quotes),
        per_month=dict(sorted(Counter(d.month for d in members).items())),
        change=_change(members, documents, months),
    )


def _apart(
    documents: Sequence[Document],
    vectors: np.ndarray,
    outside_topics: np.ndarray,
    place: Callable[[str, str], np.ndarray],
    count: int,
) -> list[Quote]:
    """Stories in no recurring topic, those whose nearest neighbour is farthest first, each
    with its most telling sentence."""
    if not outside_topics.any() or count <= 0:
        return []
    similarity = vectors @ vectors.T
    np.fill_diagonal(similarity, -1.0)
    nearest = similarity.max(axis=1)
    rows = [i for i in np.argsort(nearest) if outside_topics[i]][:count]
    return [q for i in rows if (q := best_sentence(documents[i], vectors[i], place))]
