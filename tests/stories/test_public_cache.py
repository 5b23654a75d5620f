"""Public pages answered from memory: never after what they show has changed."""

from __future__ import annotations

import datetime
import logging

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from stories.api import public_cache
from stories.domain import consent, publicity
from stories.domain import publication as publishing
from stories.enums import Role
from stories.models import Theme
from tests.factories import CollectionFactory, UserFactory, published_story

FEED = "/api/v1/feed/"


@pytest.fixture
def caching(settings, db):
    """Answers kept for 30 s, starting from an empty memory and a fresh generation."""
    settings.TARINA_PUBLIC_CACHE_SECONDS = 30
    cache.delete(publicity.GENERATION_KEY)
    public_cache._answers.clear()
    public_cache._searches.clear()
    yield
    public_cache._answers.clear()
    public_cache._searches.clear()


def fetch(client, url: str, **headers: str):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    return response, len(queries)


def ids(response) -> list[int]:
    return [item["id"] for item in response.json()["results"]]


def test_off_unless_every_process_shares_the_cache(settings):
    settings.TARINA_PUBLIC_CACHE_SECONDS = None
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert publicity.answer_lifetime() == 0
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
        }
    }
    assert publicity.answer_lifetime() == publicity.DEFAULT_ANSWER_SECONDS


def test_a_second_reader_is_answered_without_the_database(client_for, caching):
    story = published_story(themes=[Theme.objects.get(slug="empathy")])
    urls = [
        FEED,
        f"{FEED}?theme=empathy",
        f"/api/v1/public/stories/{story.public_id}/",
        "/feeds/themes/empathy.json",
    ]
    client = client_for()
    for url in urls:
        first, first_queries = fetch(client, url)
        again, again_queries = fetch(client, url)
        assert first.status_code == again.status_code == 200
        assert first_queries > 0
        assert again_queries == 0, url
        assert again.content == first.content
        assert again["ETag"] == first["ETag"]
        assert "public" in again["Cache-Control"]
        assert "no-cache" in again["Cache-Control"]


def test_a_kept_answer_carries_the_whole_stack_s_headers_and_a_new_request_id(client_for, caching):
    published_story()
    client = client_for()
    first = client.get(FEED, HTTP_ACCEPT_LANGUAGE="fi")
    again, queries = fetch(client, FEED, HTTP_ACCEPT_LANGUAGE="fi")
    assert queries == 0
    # Set by middleware the kept answer no longer passes through: security and locale.
    for header in ("X-Content-Type-Options", "Content-Language", "Vary", "Referrer-Policy"):
        assert again.get(header) == first.get(header), header
    assert again["Content-Language"] == "fi"
    assert again["X-Request-ID"] != first["X-Request-ID"]


def test_a_reader_s_language_cookie_gets_its_own_answer(client_for, caching, settings):
    published_story()
    client = client_for()
    assert client.get(FEED)["Content-Language"] == "en"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"
    assert client.get(FEED)["Content-Language"] == "sv"


def test_only_public_views_consult_the_shared_cache(client_for, caching, settings, caplog):
    published_story()
    # The shared cache is away: marked views are answered fresh and say so once each;
    # everything else does not reach for it at all.
    settings.CACHES = {
        "default": {"BACKEND": "config.cache.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    client = client_for()
    with caplog.at_level(logging.WARNING, logger="stories.api.public_cache"):
        assert client.get("/healthz").status_code == 200
        assert client.get("/api/v1/themes/").status_code == 200
        assert ids(client.get(FEED))
    warnings = [r.getMessage() for r in caplog.records if r.name == "stories.api.public_cache"]
    assert warnings == ["public cache unavailable"]


def test_an_unchanged_page_is_not_sent_again(client_for, caching):
    published_story()
    client = client_for()
    etag = client.get(FEED)["ETag"]
    response, queries = fetch(client, FEED, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert queries == 0


def test_a_withdrawn_story_leaves_every_kept_page_at_once(client_for, caching):
    empathy = Theme.objects.get(slug="empathy")
    kept = published_story(themes=[empathy])
    withdrawn = published_story(themes=[empathy])
    client = client_for()
    page = f"/api/v1/public/stories/{withdrawn.public_id}/"
    assert set(ids(client.get(FEED))) == {kept.public_id, withdrawn.public_id}
    assert client.get(page).status_code == 200
    assert len(client.get("/feeds/themes/empathy.json").json()["items"]) == 2

    assert consent.withdraw(withdrawn.story, actor_label="receipt holder")

    assert ids(client.get(FEED)) == [kept.public_id]
    assert ids(client.get(f"{FEED}?theme=empathy")) == [kept.public_id]
    assert client.get(page).status_code == 404
    items = client.get("/feeds/themes/empathy.json").json()["items"]
    assert [item["id"] for item in items] == [f"http://testserver/stories/{kept.public_id}/"]


def test_unpublishing_and_publishing_show_at_once(client_for, caching):
    curator = UserFactory(role=Role.CURATOR)
    publication = published_story()
    client = client_for()
    assert ids(client.get(FEED)) == [publication.public_id]
    publishing.unpublish(publication.story, actor=curator)
    assert ids(client.get(FEED)) == []
    publishing.publish(publication.story, actor=curator)
    assert ids(client.get(FEED)) == [publication.public_id]


def test_collections_and_theme_words_show_at_once(client_for, caching):
    empathy = Theme.objects.get(slug="empathy")
    publication = published_story(themes=[empathy])
    client = client_for()
    item = client.get(FEED).json()["results"][0]
    assert item["collections"] == []
    collection = CollectionFactory(
        slug="being-heard", published_at=timezone.now() - datetime.timedelta(days=1)
    )
    collection.stories.add(publication.story)
    assert client.get(FEED).json()["results"][0]["collections"] == ["being-heard"]
    empathy.labels = {**empathy.labels, "en": "Being understood"}
    empathy.save()
    assert client.get(FEED).json()["results"][0]["themes"][0]["label"] == "Being understood"


def test_each_reader_language_and_format_is_kept_apart(client_for, caching):
    published_story(themes=[Theme.objects.get(slug="empathy")])
    client = client_for()
    english = client.get(FEED, HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]["themes"][0]
    finnish = client.get(FEED, HTTP_ACCEPT_LANGUAGE="fi").json()["results"][0]["themes"][0]
    assert english["label"] != finnish["label"]
    browsable = client.get(FEED, HTTP_ACCEPT="text/html")
    assert browsable["Content-Type"].startswith("text/html")
    assert client.get(FEED)["Content-Type"] == "application/json"


def test_signed_in_readers_are_answered_fresh(client_for, caching, settings):
    published_story(title="Library hours", text="Open late.")
    anonymous = client_for()
    anonymous.get(FEED)
    assert fetch(anonymous, FEED)[1] == 0
    signed_in = client_for()
    signed_in.cookies[settings.SESSION_COOKIE_NAME] = "a-session"
    assert fetch(signed_in, FEED)[1] > 0


def test_a_process_keeps_no_more_than_its_budget():
    answers = public_cache.Answers(budget=10_000)
    for index in range(20):
        answers.set(f"page-{index}", (200, b"x" * 1_000, []), seconds=30)
        assert answers.size <= 10_000
    # The least recently used went first; a page too large for the budget is not kept.
    assert answers.get("page-0") is None
    assert answers.get("page-19") is not None
    answers.set("huge", (200, b"x" * 20_000, []), seconds=30)
    assert answers.get("huge") is None
    answers.set("brief", (200, b"x", []), seconds=0)
    assert answers.get("brief") is None


def test_searches_are_kept_apart_and_a_withdrawn_story_leaves_them_at_once(client_for, caching):
    kept = published_story(language="fi", title="Kirjastossa", text="Hiljaista.")
    withdrawn = published_story(language="fi", title="Kirjastoon", text="Bussilla.")
    anonymous = client_for()
    url = f"{FEED}?q=kirjasto"
    assert set(ids(anonymous.get(url))) == {kept.public_id, withdrawn.public_id}
    assert fetch(anonymous, url)[1] == 0
    assert public_cache._searches.size > 0
    assert public_cache._answers.size == 0  # searches never take the feeds' room
    consent.withdraw(withdrawn.story)
    assert ids(anonymous.get(url)) == [kept.public_id]


def test_public_html_pages_are_kept_for_anonymous_readers(client, caching):
    empathy = Theme.objects.get(slug="empathy")
    collection = CollectionFactory(published_at=timezone.now())
    story = published_story(themes=[empathy], collections=(collection,))
    urls = [
        f"/stories/{story.public_id}/",
        "/stories/",
        "/themes/",
        "/themes/empathy/",
        "/collections/",
        f"/collections/{collection.slug}/",
    ]
    for url in urls:
        first, first_queries = fetch(client, url)
        again, again_queries = fetch(client, url)
        assert first.status_code == again.status_code == 200, url
        assert first["Content-Type"].startswith("text/html")
        assert first_queries > 0
        assert again_queries == 0, url
        assert again.content == first.content


def test_a_withdrawn_story_leaves_kept_html_pages_at_once(client, caching):
    kept = published_story(title="Kept story")
    withdrawn = published_story(title="Withdrawn story")
    page = f"/stories/{withdrawn.public_id}/"
    assert client.get(page).status_code == 200
    assert b"Withdrawn story" in client.get("/stories/").content

    assert consent.withdraw(withdrawn.story, actor_label="receipt holder")

    assert client.get(page).status_code == 404
    listing = client.get("/stories/").content
    assert b"Withdrawn story" not in listing
    assert kept.title.encode() in listing


def test_kept_html_pages_follow_the_reader_s_language_and_never_reach_a_curator(
    client, caching, settings
):
    story = published_story()
    page = f"/stories/{story.public_id}/"
    english, _ = fetch(client, page)
    switched = client.get(f"{page}?lang=fi")
    assert b'<html lang="fi">' in switched.content
    assert settings.LANGUAGE_COOKIE_NAME in switched.cookies
    # The cookie chose Finnish: a kept English page is not what this reader gets.
    finnish, _ = fetch(client, page)
    assert b'<html lang="fi">' in finnish.content
    assert b'<html lang="en">' in english.content

    curator = UserFactory(role=Role.CURATOR)
    signed_in = client.__class__()
    signed_in.force_login(curator)
    response, queries = fetch(signed_in, page)
    assert queries > 0
    assert b"Log out" in response.content
