"""Searching published stories through the feed (the case table is test_search_cases.py)."""

from __future__ import annotations

from stories.domain import publicity, search
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


def test_stemming_uses_each_storys_own_language(db):
    published_story(language="sv", title="Hälsocentralen", text="Sköterskan lyssnade.")
    published_story(language="de", title="Die Bibliotheken", text="Sie sind lange offen.")
    # An English story is not stemmed as Finnish: its words stay as written.
    published_story(language="en", title="Kirjastossa", text="A Finnish word in English.")
    assert found("hälsocentral") == ["Hälsocentralen"]
    assert found("Bibliothek") == ["Die Bibliotheken"]
    assert found("kirjasto") == []
