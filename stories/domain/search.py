"""Full-text search over published stories, the same on SQLite and PostgreSQL.

Both databases store the same thing: each story's words as lemmas in its own language
(``search_query.index_words``), and both are asked the same parsed query
(``search_query.parse``), so a case that passes on one passes on the other.

* PostgreSQL: ``PublishedStory.search_vector``, a ``tsvector`` written from Python (title
  words weigh A, text words B) and served by its GIN index; the query is a ``tsquery``.
* SQLite: the FTS5 table ``stories_search_index`` (rowid = publication id, columns title
  and text holding the lemmas), made by migration 0020; the query is a MATCH expression.

The index follows the publication row: ``index`` is called whenever a publication is
written, and a deleted publication (unpublished, withdrawn, its story deleted) leaves the
index at once: with its row on PostgreSQL, through a delete trigger on SQLite.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator

from django.db import connections
from django.db.models import BooleanField, FloatField, Q, QuerySet
from django.db.models.expressions import RawSQL

from stories.domain import search_query
from stories.models import PublishedStory

FTS_TABLE = "stories_search_index"
# Constant SQL (table names are ours); every value is a parameter.
_FTS_DELETE = "DELETE FROM stories_search_index WHERE rowid = %s"
_FTS_INSERT = "INSERT INTO stories_search_index (rowid, title, text) VALUES (%s, %s, %s)"
_FTS_IDS = "SELECT rowid FROM stories_search_index WHERE stories_search_index MATCH %s"
# bm25 weights of the FTS5 columns (title, text): a title match counts four times.
_FTS_RANK = (
    "(SELECT -bm25(stories_search_index, 4.0, 1.0) FROM stories_search_index "
    "WHERE stories_search_index MATCH %s "
    "AND stories_search_index.rowid = stories_publishedstory.id)"
)
_PG_VECTOR = "UPDATE stories_publishedstory SET search_vector = %s::tsvector WHERE id = %s"
IndexRow = tuple[int, str, str, str]  # id, title, text, language


def _vendor(alias: str) -> str:
    return connections[alias].vendor


def _chunks(rows: Iterable[IndexRow], size: int) -> Iterator[list[IndexRow]]:
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def write_index(rows: Iterable[IndexRow], alias: str = "default") -> int:
    """Store the search words of publications given as (id, title, text, language);
    returns how many. Replaces what was stored for them."""
    vendor = _vendor(alias)
    count = 0
    for chunk in _chunks(rows, 1000):
        with connections[alias].cursor() as cursor:
            if vendor == "postgresql":
                cursor.executemany(
                    _PG_VECTOR,
                    [[search_query.tsvector(t, x, lang), pk] for pk, t, x, lang in chunk],
                )
            elif vendor == "sqlite":
                cursor.executemany(_FTS_DELETE, [[pk] for pk, *_ in chunk])
                cursor.executemany(
                    _FTS_INSERT,
                    [
                        [
                            pk,
                            " ".join(search_query.index_words(title, language)),
                            " ".join(search_query.index_words(text, language)),
                        ]
                        for pk, title, text, language in chunk
                    ],
                )
        count += len(chunk)
    return count


def index(publication: PublishedStory) -> None:
    """Refresh the publication's search words. Call after creating or updating it."""
    if publication.pk is None:
        return
    write_index(
        [(publication.pk, publication.title, publication.text, publication.language)],
        publication._state.db or "default",
    )


def index_all(queryset: QuerySet[PublishedStory] | None = None) -> int:
    """Re-index many publications (after a restore or a lemmatiser upgrade)."""
    queryset = PublishedStory.objects.all() if queryset is None else queryset
    rows = queryset.values_list("id", "title", "text", "language").iterator(chunk_size=2000)
    return write_index(rows, queryset.db)


def _sqlite_search(queryset: QuerySet[PublishedStory], query: search_query.Query) -> QuerySet:
    positive = search_query.fts5_positive(query)
    excluded = search_query.fts5_excluded(query)
    # Only our own constants are in the SQL; the MATCH expressions are parameters.
    if positive:
        queryset = queryset.filter(
            RawSQL(f"stories_publishedstory.id IN ({_FTS_IDS})", [positive], BooleanField())  # noqa: S611
        )
    if excluded:
        queryset = queryset.filter(
            RawSQL(f"stories_publishedstory.id NOT IN ({_FTS_IDS})", [excluded], BooleanField())  # noqa: S611
        )
    if not positive:
        return queryset.order_by("-published_at", "-id")
    return queryset.annotate(
        rank=RawSQL(_FTS_RANK, [positive], output_field=FloatField())  # noqa: S611
    ).order_by("-rank", "-published_at", "-id")


def _postgres_search(queryset: QuerySet[PublishedStory], query: search_query.Query) -> QuerySet:
    table = connections[queryset.db].ops.quote_name(PublishedStory._meta.db_table)
    tsquery = search_query.tsquery(query)
    matched = queryset.filter(
        RawSQL(f"{table}.search_vector @@ %s::tsquery", [tsquery], output_field=BooleanField())  # noqa: S611
    )
    return matched.annotate(
        rank=RawSQL(f"ts_rank({table}.search_vector, %s::tsquery)", [tsquery], FloatField())  # noqa: S611
    ).order_by("-rank", "-published_at", "-id")


def search(queryset: QuerySet[PublishedStory], q: str) -> QuerySet[PublishedStory]:
    """Publications matching ``q`` (web-search syntax, see ``search_query``), best first.

    A blank ``q`` leaves ``queryset`` as it is; one without any word matches nothing.
    """
    if not q.strip():
        return queryset
    query = search_query.parse(q)
    if not query:
        return queryset.none()
    vendor = _vendor(queryset.db)
    if vendor == "postgresql":
        return _postgres_search(queryset, query)
    if vendor == "sqlite":
        return _sqlite_search(queryset, query)
    # Any other database: every word somewhere, as written (no index).
    found = queryset
    for group in query.groups:
        either = Q(pk__in=[])
        for phrase in group:
            text = " ".join(slot[0] for slot in phrase)
            either |= Q(title__icontains=text) | Q(text__icontains=text)
        found = found.filter(either)
    return found


def matching_publication_ids(q: str, limit: int = 100, alias: str = "default") -> list[int]:
    """Ids of publications whose words match ``q``, best match first (at most ``limit``).

    The one seam other kinds of search (semantic, by embedding) combine with: it says
    nothing about whether a story is published now; callers narrow to public stories.
    """
    found = search(PublishedStory.objects.using(alias).all(), q)
    return list(found.values_list("id", flat=True)[:limit])
