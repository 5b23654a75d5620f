"""The meaning of published stories: vectors from their anonymised text, and the searches
they allow (cross-language search by meaning, related stories).

Only the public copy is embedded (``PublishedStory.title`` and ``text``, with every hidden
span already replaced): never a private transcript. The vector row belongs to the public
copy, so withdrawing or unpublishing a story removes its vector with it.

Vectors live behind one interface, :class:`VectorStore`. Where PostgreSQL has the
pgvector extension a store can search them in the database; the Debian packages on our
machines do not carry it, so the store used everywhere today keeps the vectors as bytes
in the database and searches them in process, from an index that each web process
builds from the rows and rebuilds when they change. No shared disk is needed.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt
from django.db import connection, transaction
from django.db.models import Count, Max, QuerySet

from media_pipeline.meaning import MODEL_NAME, Neighbour, VectorIndex, encoder, from_bytes, to_bytes
from media_pipeline.themes.semantic import Example
from stories.domain import dispatch, publicity
from stories.enums import StoryStatus
from stories.models import ClipEmbedding, PublishedStory, StoryEmbedding

logger = logging.getLogger(__name__)

# How many related stories a story page shows.
RELATED_LIMIT = 3
# Below this cosine similarity a story is not offered as an answer to a query by meaning.
# The model's similarities are compressed (unrelated texts score about 0.72 to 0.78), so the
# floor sits just above where unrelated stories land.
QUERY_FLOOR = 0.80
# Related stories must be at least this close to the story shown. Two stories are compared
# as documents, and stories about public services are all somewhat alike: on the labelled
# theme stories half of all pairs score above 0.82 and one in ten above 0.87.
RELATED_FLOOR = 0.85
# How many close stories each vector row keeps: more than a page shows, so that the page
# still fills after some of them are withdrawn (``manage.py embed_stories`` finds them anew).
RELATED_KEPT = 10


def public_text(publication: PublishedStory) -> str:
    """What is embedded: the public title and the public (anonymised) text."""
    return f"{publication.title}\n{publication.text}".strip()


def text_hash(text: str) -> str:
    return hashlib.sha256(f"{MODEL_NAME}\n{text}".encode()).hexdigest()


def queue(publication: PublishedStory) -> None:
    """Embed the public copy in a worker once the transaction that built it commits."""
    dispatch.send_on_commit(dispatch.EMBED_STORY, publication.pk)


def embed(publication: PublishedStory) -> StoryEmbedding | None:
    """Store the vector of ``publication``'s public text (idempotent: the same text is not
    embedded twice). A copy without text (a photo alone) has no vector."""
    text = public_text(publication)
    if not text:
        StoryEmbedding.objects.filter(publication=publication).delete()
        return None
    digest = text_hash(text)
    existing = StoryEmbedding.objects.filter(publication=publication).first()
    if existing is not None and existing.text_hash == digest:
        return existing
    vector = encoder().passage(text)
    row, _ = StoryEmbedding.objects.update_or_create(
        publication=publication,
        defaults={"model": MODEL_NAME, "vector": to_bytes(vector), "text_hash": digest},
    )
    relate(row)
    publicity.changed()  # story pages list related stories: cached pages must move on
    return row


def relate(row: StoryEmbedding) -> None:
    """Keep ``row``'s closest public copies on it, and put its story into the lists of
    those it is close to, where it is closer than what they keep: one search over every
    vector when a story is embedded, instead of one for each view of a story page."""
    found = store().nearest(
        from_bytes(bytes(row.vector)), RELATED_KEPT, exclude=[row.publication_id]
    )
    _keep(row.publication_id, found)
    for neighbour in found:
        if neighbour.similarity >= RELATED_FLOOR:  # further away it would never be shown
            _offer(int(neighbour.key), row.publication_id, neighbour.similarity)  # type: ignore[call-overload]


def _keep(publication_id: int, found: Iterable[Neighbour]) -> None:
    pairs = [[n.key, round(n.similarity, 4)] for n in found]
    # update(), not save(): a new list is no new vector, and must not look like one to the
    # stores that rebuild when the newest change moves.
    StoryEmbedding.objects.filter(publication_id=publication_id).update(related=pairs)


def _offer(publication_id: int, candidate: int, similarity: float) -> None:
    with transaction.atomic():
        row = StoryEmbedding.objects.select_for_update().filter(publication_id=publication_id)
        kept = row.values_list("related", flat=True).first()
        if kept is None:  # no list yet: the next ``embed_stories`` makes it whole
            return
        pairs = [pair for pair in kept if pair[0] != candidate]
        pairs.append([candidate, round(similarity, 4)])
        pairs.sort(key=lambda pair: -pair[1])
        row.update(related=pairs[:RELATED_KEPT])


def relate_all(batch_size: int = 1000) -> int:
    """Find every vector row's related stories anew (``manage.py embed_stories``): lists
    made before the rows they name were withdrawn fill up again. Returns the rows done."""
    ids = dict(StoryEmbedding.objects.filter(model=MODEL_NAME).values_list("publication_id", "pk"))
    rows: list[StoryEmbedding] = []
    for key, found in store().neighbours(RELATED_KEPT):
        pairs = [[n.key, round(n.similarity, 4)] for n in found]
        if key in ids:
            rows.append(StoryEmbedding(pk=ids[key], related=pairs))
    StoryEmbedding.objects.bulk_update(rows, ["related"], batch_size=batch_size)
    return len(rows)


def embed_missing(batch_size: int = 32) -> int:
    """Embed every published story that has no current vector (the backfill); returns how
    many were embedded."""
    done = 0
    current = {
        pk: digest
        for pk, digest in StoryEmbedding.objects.filter(model=MODEL_NAME).values_list(
            "publication_id", "text_hash"
        )
    }
    pending = []
    for pk, title, body in publicity.published_stories().values_list("pk", "title", "text"):
        text = f"{title}\n{body}".strip()
        if text and current.get(pk) != text_hash(text):
            pending.append((pk, text))
    for start in range(0, len(pending), batch_size):
        chunk = pending[start : start + batch_size]
        vectors = encoder().passages([text for _, text in chunk])
        for (pk, text), vector in zip(chunk, vectors, strict=True):
            StoryEmbedding.objects.update_or_create(
                publication_id=pk,
                defaults={
                    "model": MODEL_NAME,
                    "vector": to_bytes(vector),
                    "text_hash": text_hash(text),
                },
            )
            done += 1
    if done:
        publicity.changed()
    return done


def vectors_of(publications: Sequence[PublishedStory]) -> dict[int, npt.NDArray[np.float32]]:
    """The meaning vector of each public copy, by primary key: the stored one while it is
    current, else embedded now (and not stored: the worker stores it). A copy without
    text has none."""
    texts = {p.pk: public_text(p) for p in publications}
    stored = StoryEmbedding.objects.filter(model=MODEL_NAME, publication_id__in=list(texts))
    out = {
        pk: from_bytes(bytes(vector))
        for pk, digest, vector in stored.values_list("publication_id", "text_hash", "vector")
        if texts.get(pk) and digest == text_hash(texts[pk])
    }
    missing = [pk for pk, text in texts.items() if text and pk not in out]
    if missing:
        made = encoder().passages([texts[pk] for pk in missing])
        out.update(zip(missing, made, strict=True))
    return out


def curated_examples() -> list[Example]:
    """Published stories with the themes curators confirmed, as labelled examples for the
    theme tagger: their public text and their stored vectors."""
    rows = StoryEmbedding.objects.filter(
        model=MODEL_NAME, publication__story__status=StoryStatus.PUBLISHED
    ).values_list("publication_id", "publication__public_id", "publication__title",
                  "publication__text", "vector")  # fmt: skip
    themed: dict[int, set[str]] = {}
    links = PublishedStory.themes.through.objects.values_list("publishedstory_id", "theme__slug")
    for pk, slug in links:
        themed.setdefault(pk, set()).add(slug)
    return [
        Example(public_id, f"{title}\n{text}".strip(), frozenset(themed[pk]), from_bytes(bytes(v)))
        for pk, public_id, title, text, v in rows
        if themed.get(pk)
    ]


def examples_version() -> tuple[object, ...]:
    """Changes whenever the curated examples may have changed (for caches)."""
    state = StoryEmbedding.objects.filter(model=MODEL_NAME).aggregate(
        n=Count("id"), last=Max("updated_at")
    )
    links = PublishedStory.themes.through.objects.count()
    published = PublishedStory.objects.filter(story__status=StoryStatus.PUBLISHED).count()
    return (connection.settings_dict.get("NAME"), state["n"], state["last"], links, published)


# --- The store ----------------------------------------------------------------------


class VectorStore(Protocol):
    """Where vectors are searched. Keys are the primary keys of what they mean
    (``PublishedStory`` for stories, ``Clip`` for clips)."""

    def nearest(
        self,
        vector: npt.NDArray[np.float32],
        limit: int,
        *,
        allowed: set[int] | None = None,
        exclude: Sequence[int] = (),
    ) -> list[Neighbour]: ...

    def vector_of(self, key: int) -> npt.NDArray[np.float32] | None: ...

    def neighbours(self, limit: int) -> Iterable[tuple[int, list[Neighbour]]]: ...


@dataclass
class _Snapshot:
    newest: tuple[object, ...]
    index: VectorIndex
    counted_at: float


# How long a process trusts that no row was deleted since it last counted the rows. New
# and re-embedded vectors are seen at once (the newest row and change come from indexes,
# in well under a millisecond); counting 100,000 rows took 43 ms, and it ran before every
# search, three times per story page (docs/performance.md). A deleted vector (a withdrawn
# story's) may stay in a process's memory this long, but never reaches a reader: every
# search checks its candidates against the public rows.
COUNT_EVERY_SECONDS = 30.0


class InProcessStore:
    """Vectors read from embedding rows (``StoryEmbedding`` or ``ClipEmbedding``) into
    memory, one index per process, keyed by the row's ``key_field``.

    Before each search the newest row and change (two index lookups) tell whether rows
    were added or re-embedded since the index was built, and every
    :data:`COUNT_EVERY_SECONDS` a count tells whether any were deleted; either builds the
    index again.
    """

    def __init__(self, rows: type[StoryEmbedding | ClipEmbedding], key_field: str) -> None:
        self._model = rows
        self._key_field = key_field
        self._snapshot: _Snapshot | None = None
        self._lock = threading.Lock()

    def _rows(self) -> QuerySet[StoryEmbedding | ClipEmbedding]:
        return self._model.objects.filter(model=MODEL_NAME)

    def _newest(self) -> tuple[object, ...]:
        state = self._rows().aggregate(last=Max("updated_at"), top=Max("id"))
        return (connection.settings_dict.get("NAME"), state["last"], state["top"])

    def _current(self) -> _Snapshot:
        newest = self._newest()
        snapshot = self._snapshot
        if snapshot is not None and snapshot.newest == newest:
            now = time.monotonic()
            if now - snapshot.counted_at < COUNT_EVERY_SECONDS:
                return snapshot
            if self._rows().count() == len(snapshot.index):
                snapshot.counted_at = now
                return snapshot
        with self._lock:
            counted_at = time.monotonic()
            rows = self._rows().values_list(self._key_field, "vector")
            index = VectorIndex((pk, from_bytes(bytes(data))) for pk, data in rows.iterator())
            # ``newest`` was read before the rows: one added in between makes the next
            # search build once more rather than be missed.
            snapshot = _Snapshot(newest, index, counted_at)
            self._snapshot = snapshot
        return snapshot

    def nearest(
        self,
        vector: npt.NDArray[np.float32],
        limit: int,
        *,
        allowed: set[int] | None = None,
        exclude: Sequence[int] = (),
    ) -> list[Neighbour]:
        """The ``limit`` stored vectors closest to ``vector``."""
        found = self._current().index.nearest(
            vector, limit, allowed=set(allowed) if allowed is not None else None, exclude=exclude
        )
        return found

    def vector_of(self, key: int) -> npt.NDArray[np.float32] | None:
        """The stored vector of one public copy (or clip), if it has one."""
        return self._current().index.get(key)

    def neighbours(self, limit: int) -> Iterable[tuple[int, list[Neighbour]]]:
        """Every stored key with its ``limit`` nearest other keys, most similar first."""
        return self._current().index.neighbours(limit)  # type: ignore[return-value]


def pgvector_available() -> bool:
    """Whether the database could hold the vectors itself (PostgreSQL with pgvector).

    The seam for a database-side store: until one is written and tested against a server
    that has the extension, every installation uses :class:`InProcessStore`.
    """
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")
        return cursor.fetchone() is not None


_store = InProcessStore(StoryEmbedding, "publication_id")


def store() -> VectorStore:
    """The vector store of this process."""
    return _store


# --- What the public surfaces ask ---------------------------------------------------


def search(meaning: str, among: QuerySet[PublishedStory], limit: int = 20) -> list[PublishedStory]:
    """Published stories of ``among`` closest in meaning to ``meaning``, in any language,
    closest first; stories below :data:`QUERY_FLOOR` are left out."""
    text = " ".join(meaning.split())
    if not text:
        return []
    allowed = set(among.values_list("pk", flat=True))
    found = store().nearest(encoder().query(text), limit, allowed=allowed)
    return _in_order(among, [n for n in found if n.similarity >= QUERY_FLOOR])


def related(publication: PublishedStory, limit: int = RELATED_LIMIT) -> list[PublishedStory]:
    """Other published stories closest in meaning to ``publication`` (none while it has
    no vector yet): the list kept on its vector row, checked against the published
    stories (a withdrawn one may still be named there)."""
    stored = StoryEmbedding.objects.filter(publication=publication)
    found = stored.values_list("vector", "related").first()
    if found is None:
        return []
    vector, kept = found
    if kept is None:  # embedded before lists were kept: searched until embed_stories runs
        near = store().nearest(from_bytes(bytes(vector)), RELATED_KEPT, exclude=[publication.pk])
    else:
        near = [Neighbour(pk, similarity) for pk, similarity in kept]
    close = [n for n in near if n.similarity >= RELATED_FLOOR]
    return _in_order(publicity.published_stories(), close)[:limit]


def stored_vector(publication: PublishedStory) -> npt.NDArray[np.float32] | None:
    """The vector stored for ``publication``, read from its row (no index needed)."""
    data = StoryEmbedding.objects.filter(publication=publication).values_list("vector", flat=True)
    found = data.first()
    return None if found is None else from_bytes(bytes(found))


def _in_order(among: QuerySet[PublishedStory], found: Iterable[Neighbour]) -> list[PublishedStory]:
    ranked = [int(n.key) for n in found]  # type: ignore[call-overload]
    rows = {p.pk: p for p in among.filter(pk__in=ranked)}
    return [rows[pk] for pk in ranked if pk in rows]
