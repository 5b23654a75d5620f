"""Searching published stories: in each story's own language on PostgreSQL, words elsewhere."""

from __future__ import annotations

import pytest
from django.db import connection

from stories.domain import publicity, search
from stories.models import PublishedStory
from tests.factories import published_story

FEED = "/api/v1/feed/"


def found(q: str) -> list[str]:
    return [p.title for p in search.search(publicity.published_stories(), q)]


def test_every_word_must_match_in_title_or_text(db):
    published_story(title="The library bus", text="It stops by our village.")
    published_story(title="The library", text="Quiet rooms to study in.")
    published_story(title="Bus drivers", text="They wait for me.")
    assert found("library bus") == ["The library bus"]
    assert sorted(found("LIBRARY")) == ["The library", "The library bus"]
    assert len(found("")) == len(found("   ")) == 3


def test_search_through_the_feed_keeps_to_published_stories(client_for, db):
    from stories.enums import StoryStatus

    shown = published_story(title="Library hours", text="Open late on Thursdays.")
    hidden = published_story(title="Library rules", text="No food.")
    hidden.story.status = StoryStatus.APPROVED
    hidden.story.save()
    results = client_for().get(FEED, {"q": "library"}).json()["results"]
    assert [item["id"] for item in results] == [shown.public_id]


@pytest.mark.postgres
def test_configs_follow_the_story_language(db):
    assert search.config_for("fi") == "finnish"
    assert search.config_for("sv") == "swedish"
    assert search.config_for("de") == "german"
    assert search.config_for("") == "simple"
    assert search.config_for("xx") == "simple"


def test_indexing_is_harmless_without_postgresql(db):
    publication = published_story(title="Kirjasto")
    search.index(publication)
    vector = PublishedStory.objects.values_list("search_vector", flat=True).get()
    assert (vector is None) is (connection.vendor != "postgresql")


@pytest.mark.postgres
def test_finnish_stories_are_found_by_the_base_form(client_for, db):
    library = published_story(
        language="fi", title="Kävin kirjastossa", text="Henkilökunta kuunteli minua."
    )
    published_story(language="fi", title="Terveysasemalla", text="Hoitaja ymmärsi minua.")
    assert found("kirjasto") == ["Kävin kirjastossa"]
    results = client_for().get(FEED, {"q": "kirjasto"}).json()["results"]
    assert [item["id"] for item in results] == [library.public_id]


@pytest.mark.postgres
def test_stemming_uses_each_storys_own_language(db):
    published_story(language="sv", title="Hälsocentralen", text="Sköterskan lyssnade.")
    published_story(language="de", title="Die Bibliotheken", text="Sie sind lange offen.")
    # An English story is not stemmed as Finnish: its words stay as written.
    published_story(language="en", title="Kirjastossa", text="A Finnish word in English.")
    assert found("hälsocentral") == ["Hälsocentralen"]
    assert found("Bibliothek") == ["Die Bibliotheken"]
    assert found("kirjasto") == []


@pytest.mark.postgres
def test_title_matches_rank_above_text_matches(db):
    published_story(language="en", title="Waiting", text="The library was closed again.")
    published_story(language="en", title="The library", text="It opened at last.")
    assert found("library") == ["The library", "Waiting"]


@pytest.mark.postgres
def test_web_search_syntax(db):
    published_story(language="en", title="Library bus", text="It stops here.")
    published_story(language="en", title="Library card", text="Free for all.")
    assert found("library -bus") == ["Library card"]
    assert found('"library card"') == ["Library card"]
    assert found("the") == []  # only stop words: matches nothing rather than everything


@pytest.mark.postgres
def test_a_rebuilt_publication_is_reindexed(db):
    publication = published_story(language="fi", title="Kirjastossa", text="")
    publication.title = "Uimahallissa"
    publication.save()
    search.index(publication)
    assert found("kirjasto") == []
    assert found("uimahalli") == ["Uimahallissa"]
