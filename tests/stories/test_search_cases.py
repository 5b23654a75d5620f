"""One table of search cases, run against whichever database the suite runs on.

CI runs the suite on SQLite and again on PostgreSQL, so every case below passes on both
backends: inflected Finnish, Swedish and German forms, phrases, ``-word`` and ``OR``.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from stories.domain import consent, publication, publicity, search
from stories.models import PublishedStory
from tests.factories import published_story

# (language, title, text): a small corpus in four languages and one undetected.
CORPUS = [
    ("fi", "Kävin kirjastossa", "Henkilökunta kuunteli minua ja odotusajat olivat lyhyet."),
    ("fi", "Uimahalli", "Kirjastoon pitäisi päästä bussilla."),
    ("sv", "Hälsocentralen", "Väntetiderna var långa och sköterskan lyssnade inte."),
    ("sv", "Biblioteket", "Barnen läser böcker på biblioteket varje vecka."),
    ("de", "Die Bibliotheken", "Sie sind lange offen, und die Kinder lesen gern."),
    ("en", "The library bus", "It stops by our village every week."),
    ("en", "The library card", "Free for all children."),
    ("en", "Waiting times", "We waited for hours at the clinic."),
    ("", "ÄÄNI KUULUU", "Ääni kuului kauas."),
]

# query -> titles found (in any order).
CASES: list[tuple[str, set[str]]] = [
    ("kirjasto", {"Kävin kirjastossa", "Uimahalli"}),
    ("kirjastossa", {"Kävin kirjastossa", "Uimahalli"}),
    ("KIRJASTOON", {"Kävin kirjastossa", "Uimahalli"}),
    ("odotusaika", {"Kävin kirjastossa"}),
    ("hälsocentral", {"Hälsocentralen"}),
    ("HÄLSOCENTRALEN", {"Hälsocentralen"}),
    ("väntetider", {"Hälsocentralen"}),
    ("barn", {"Biblioteket"}),
    ("Bibliothek", {"Die Bibliotheken"}),
    ("kinder", {"Die Bibliotheken"}),
    ("ääni", {"ÄÄNI KUULUU"}),
    ("wait", {"Waiting times"}),
    ('"library card"', {"The library card"}),
    ('"card library"', set()),
    ('"käydä kirjasto"', {"Kävin kirjastossa"}),
    ("library -bus", {"The library card"}),
    ('library -"library bus"', {"The library card"}),
    ("-library -kirjasto -bibliotek -ääni -wait -bibliothek -hälsocentral", set()),
    ("bus OR card", {"The library bus", "The library card"}),
    ("väntetid or odotusaika", {"Hälsocentralen", "Kävin kirjastossa"}),
    ("library OR kirjasto -bus", {"The library card", "Kävin kirjastossa", "Uimahalli"}),
    ("library waiting", set()),
    ("?!", set()),
]


@pytest.fixture(scope="module")
def corpus(django_db_setup, django_db_blocker):
    """The corpus, written once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        for language, title, text in CORPUS:
            published_story(language=language, title=title, text=text)
        yield
        transaction.set_rollback(True)


def found(q: str) -> list[str]:
    return [p.title for p in search.search(publicity.published_stories(), q)]


@pytest.mark.parametrize(("q", "expected"), CASES, ids=[q for q, _ in CASES])
def test_search_case(corpus, db, q, expected):
    assert set(found(q)) == expected


def test_title_matches_rank_above_text_matches(corpus, db):
    assert found("biblioteket") == ["Biblioteket"]
    published_story(language="en", title="Opening hours", text="The library was closed.")
    titles = found("library")
    assert titles[-1] == "Opening hours"
    assert set(titles) == {"The library bus", "The library card", "Opening hours"}


def test_search_through_the_api(client_for, corpus, db):
    response = client_for().get("/api/v1/feed/", {"q": "kirjastossa -bussi"})
    assert response.status_code == 200
    assert [item["title"] for item in response.json()["results"]] == ["Kävin kirjastossa"]


def _indexed(pk: int) -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM stories_search_index WHERE rowid = %s", [pk])
        else:
            cursor.execute(
                "SELECT count(*) FROM stories_publishedstory "
                "WHERE id = %s AND search_vector IS NOT NULL",
                [pk],
            )
        return cursor.fetchone()[0] == 1


# The corpus stays for the whole module: the tests below use words it does not have.


def test_unpublished_and_withdrawn_stories_leave_the_index_at_once(db):
    kept = published_story(language="fi", title="Kahvilassa", text="Hiljaista.")
    unpublished = published_story(language="fi", title="Kahvilaan", text="Bussilla.")
    withdrawn = published_story(language="fi", title="Kahvilasta", text="Kotiin.")
    assert set(search.matching_publication_ids("kahvila")) == {
        kept.pk,
        unpublished.pk,
        withdrawn.pk,
    }
    publication.unpublish(unpublished.story)
    consent.withdraw(withdrawn.story)
    assert search.matching_publication_ids("kahvila") == [kept.pk]
    assert _indexed(kept.pk)
    assert not _indexed(unpublished.pk)
    assert not _indexed(withdrawn.pk)
    assert not PublishedStory.objects.filter(pk__in=[unpublished.pk, withdrawn.pk]).exists()


def test_a_rebuilt_publication_is_reindexed(db):
    rebuilt = published_story(language="fi", title="Kahvilassa", text="")
    rebuilt.title = "Saunassa"
    rebuilt.save()
    search.index(rebuilt)
    assert found("kahvila") == []
    assert found("sauna") == ["Saunassa"]
