"""Insights for a drive, a theme or a collection: the topics its published stories keep
coming back to, with the quotes that carry them, what grew or faded month by month, and the
stories that stand apart, as a short report a curator takes into a decision meeting.

Only published stories are read, and only their public copy (``PublishedStory.text``): the
anonymised text the curator released. A hidden value is not in that text, so no quote can
carry it, and a withdrawn story drops out of the next report. Counts are suppressed as on
the coverage dashboard (``coverage.suppressed``).
"""

from __future__ import annotations

import datetime
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt
from django.db.models import QuerySet
from django.utils import timezone

from media_pipeline.insights import topics
from media_pipeline.meaning import MODEL_NAME, encoder
from stories.domain import coverage, embeddings, publicity
from stories.models import Collection, Drive, PublishedStory, Theme

# The newest stories of a scope are analysed; a report is read, not a census.
MAX_STORIES = 2000
# Sentence vectors kept between reports (the page, then its PDF, read the same quotes):
# about 1.5 KB each. Keyed by a hash of the sentence, so no text is kept.
SENTENCE_CACHE_SIZE = 5000


class ScopeKind(StrEnum):
    DRIVE = "drive"
    THEME = "theme"
    COLLECTION = "collection"


class UnknownScope(Exception):
    """No drive, theme or collection by that slug."""


@dataclass(frozen=True)
class Scope:
    kind: ScopeKind
    slug: str
    title: str


@dataclass(frozen=True)
class QuoteLine:
    text: str
    language: str
    public_id: str
    title: str


@dataclass(frozen=True)
class TopicLine:
    terms: tuple[str, ...]
    stories: str  # suppressed count
    public_ids: tuple[str, ...]  # the topic's stories, most central first
    quotes: list[QuoteLine]
    per_month: list[tuple[str, str]]
    change: float


@dataclass(frozen=True)
class Report:
    scope: Scope
    generated_at: datetime.datetime
    stories: str  # suppressed count
    topics: list[TopicLine]
    per_month: list[tuple[str, str]]
    grew: list[TopicLine]
    faded: list[TopicLine]
    standing_apart: list[QuoteLine]


def scope(kind: str, slug: str, language: str = "en") -> Scope:
    """The drive, theme or collection named, or ``UnknownScope``."""
    try:
        found = ScopeKind(kind)
    except ValueError as error:
        raise UnknownScope(kind) from error
    if found is ScopeKind.DRIVE:
        drive = Drive.objects.filter(slug=slug).first()
        title = drive.title if drive else None
    elif found is ScopeKind.THEME:
        theme = Theme.objects.filter(slug=slug).first()
        title = theme.label(language) if theme else None
    else:
        collection = Collection.objects.filter(slug=slug).first()
        title = collection.title if collection else None
    if title is None:
        raise UnknownScope(slug)
    return Scope(found, slug, title)


def stories_in(where: Scope) -> QuerySet[PublishedStory]:
    """The scope's published stories, newest first. A collection counts its published
    stories whether or not the collection itself is published yet: curators prepare one."""
    stories = publicity.published_stories()
    if where.kind is ScopeKind.DRIVE:
        return stories.filter(drive__slug=where.slug)
    if where.kind is ScopeKind.THEME:
        return stories.filter(themes__slug=where.slug)
    return stories.filter(story__collection_entries__collection__slug=where.slug)


class _SentenceVectors:
    """Passage vectors of (public, anonymised) sentences, the most recently used kept."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._kept: OrderedDict[str, npt.NDArray[np.float32]] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        keys = [hashlib.sha256(f"{MODEL_NAME}\n{t}".encode()).hexdigest() for t in texts]
        with self._lock:
            missing = [(k, t) for k, t in zip(keys, texts, strict=True) if k not in self._kept]
        made = encoder().passages([t for _, t in missing])
        with self._lock:
            for (key, _), vector in zip(missing, made, strict=True):
                self._kept[key] = vector
            rows = [self._kept[k] for k in keys]
            for key in keys:
                self._kept.move_to_end(key)
            while len(self._kept) > self._size:
                self._kept.popitem(last=False)
        return np.vstack(rows) if rows else np.zeros((0, 0), np.float32)


_sentences = _SentenceVectors(SENTENCE_CACHE_SIZE)


def _month_rows(counts: dict[str, int]) -> list[tuple[str, str]]:
    return [(month, coverage.suppressed(n)) for month, n in counts.items()]


def report(where: Scope) -> Report:
    """The insights report for ``where`` as of now."""
    rows = (
        stories_in(where)
        .select_related(None)
        .prefetch_related(None)
        .only("public_id", "title", "text", "language", "published_at")
    )
    publications = {p.public_id: p for p in rows[:MAX_STORIES]}
    with_text = [p for p in publications.values() if p.text.strip()]
    # Grouped by meaning: the vectors the publish task stored, any not stored yet made now.
    vectors = embeddings.vectors_of(with_text)
    documents = [
        topics.Document(
            p.public_id,
            p.text,
            p.language or "en",
            p.published_at.strftime("%Y-%m"),
            vector=vectors.get(p.pk),
        )
        for p in with_text
    ]
    found = topics.analyse(documents, embed=_sentences)

    def line(quote: topics.Quote) -> QuoteLine:
        story = publications[quote.key]
        return QuoteLine(quote.sentence, story.language, quote.key, story.title)

    lines = [
        TopicLine(
            terms=t.terms,
            stories=coverage.suppressed(len(t.keys)),
            public_ids=t.keys,
            quotes=[line(q) for q in t.quotes],
            per_month=_month_rows(t.per_month),
            change=t.change,
        )
        for t in found.topics
    ]
    return Report(
        scope=where,
        generated_at=timezone.now(),
        stories=coverage.suppressed(len(publications)),
        topics=lines,
        per_month=_month_rows(found.per_month),
        grew=sorted((t for t in lines if t.change > 0), key=lambda t: -t.change),
        faded=sorted((t for t in lines if t.change < 0), key=lambda t: t.change),
        standing_apart=[line(q) for q in found.standing_apart],
    )
