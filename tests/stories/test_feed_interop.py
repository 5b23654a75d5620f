"""Feeds and the public API as other software reads them, over real HTTP.

``feedparser`` (the feed reader library most Python readers use) fetches Atom and RSS from
a live server, with its own gzip handling; JSON Feed, CORS and the public API are read with
httpx. What is checked: links lead to the web pages, Atom categories carry a slug and a
label, the feed's language is its stories', older stories are reached by RFC 5005 paging,
public answers are compressed and readable from any origin, and private ones are neither.
"""

from __future__ import annotations

import feedparser
import httpx
import pytest
from django.utils import timezone

from stories.feeds import FEED_SIZE
from stories.models import Theme
from tests.factories import published_story

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def power(shipped_themes):
    return Theme.objects.get(slug="power")


def stories_in(theme: Theme, count: int, language: str = "fi") -> list:
    """``count`` published stories, newest first, one minute apart."""
    now = timezone.now()
    return [
        published_story(
            themes=[theme],
            language=language,
            published_at=now - timezone.timedelta(minutes=n),
            text="Kirjastoauto ei enää pysähdy kylässämme. " * 20,
        )
        for n in range(count)
    ]


def links(parsed: feedparser.FeedParserDict) -> dict[str, str]:
    return {link["rel"]: link["href"] for link in parsed.feed.get("links", [])}


def test_atom_as_a_feed_reader_sees_it(live_server, power):
    newest, *_ = stories_in(power, 2)
    url = f"{live_server.url}/feeds/themes/power.atom"
    parsed = feedparser.parse(url, request_headers={"Accept-Language": "en"})

    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.version == "atom10"
    assert parsed.headers["content-encoding"] == "gzip"
    assert links(parsed)["alternate"] == f"{live_server.url}/themes/power/"
    # The stories are in Finnish; the reader asked for English labels.
    assert parsed.feed.language == "fi"
    entry = parsed.entries[0]
    assert entry.link == f"{live_server.url}/stories/{newest.public_id}/"
    assert [(tag.term, tag.label) for tag in entry.tags] == [("power", power.label("en"))]


def test_rss_links_to_the_web_pages(live_server, power):
    newest, *_ = stories_in(power, 2)
    parsed = feedparser.parse(f"{live_server.url}/feeds/themes/power.rss")
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.version == "rss20"
    assert parsed.feed.link == f"{live_server.url}/themes/power/"
    assert parsed.entries[0].link == f"{live_server.url}/stories/{newest.public_id}/"


def test_a_feed_of_mixed_languages_declares_none(live_server, power):
    stories_in(power, 1, language="fi")
    stories_in(power, 1, language="sv")
    parsed = feedparser.parse(
        f"{live_server.url}/feeds/themes/power.atom", request_headers={"Accept-Language": "en"}
    )
    # No xml:lang for the feed; the HTTP header names both, never the reader's "en".
    assert parsed.headers["content-language"] == "fi, sv"
    assert parsed.feed.get("language") != "en"
    body = httpx.get(f"{live_server.url}/feeds/themes/power.json").json()
    assert "language" not in body
    assert {item["language"] for item in body["items"]} == {"fi", "sv"}


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_older_stories_are_on_linked_pages(live_server, power, fmt):
    published = stories_in(power, FEED_SIZE + 3)
    first = feedparser.parse(f"{live_server.url}/feeds/themes/power.{fmt}")
    assert len(first.entries) == FEED_SIZE
    assert "previous" not in links(first)

    second = feedparser.parse(links(first)["next"])
    assert not second.bozo, second.bozo_exception
    expected = [f"{live_server.url}/stories/{p.public_id}/" for p in published[FEED_SIZE:]]
    assert [entry.link for entry in second.entries] == expected
    assert "next" not in links(second)
    assert links(second)["previous"] == f"{live_server.url}/feeds/themes/power.{fmt}"
    assert links(second)["first"] == links(first)["first"]


def test_json_feed_pages_and_points_at_the_web(live_server, power):
    published = stories_in(power, FEED_SIZE + 1)
    first = httpx.get(f"{live_server.url}/feeds/themes/power.json").json()
    assert first["home_page_url"] == f"{live_server.url}/themes/power/"
    assert first["language"] == "fi"
    second = httpx.get(first["next_url"]).json()
    assert [item["url"] for item in second["items"]] == [
        f"{live_server.url}/stories/{published[-1].public_id}/"
    ]
    assert "next_url" not in second
    assert httpx.get(f"{live_server.url}/feeds/themes/power.json?page=3").status_code == 404


@pytest.mark.parametrize(
    "path", ["/feeds/themes/power.atom", "/api/v1/feed/", "/api/v1/public/stories/{id}/"]
)
def test_public_surfaces_are_readable_from_any_origin_and_compressed(live_server, power, path):
    (publication,) = stories_in(power, 1)
    url = live_server.url + path.format(id=publication.public_id)
    origin = {"Origin": "https://news.example.org"}
    answer = httpx.get(url, headers={**origin, "Accept-Encoding": "gzip"})
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == "*"
    assert answer.headers["content-encoding"] == "gzip"
    assert "credentials" not in " ".join(answer.headers.keys()).lower()

    preflight = httpx.options(url, headers={**origin, "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 204
    assert set(preflight.headers["access-control-allow-methods"].split(", ")) == {
        "GET",
        "HEAD",
        "OPTIONS",
    }
    assert httpx.post(url, headers=origin).status_code in (403, 405)


def test_private_endpoints_get_no_cors_and_no_gzip(live_server, power):
    """Signed-in answers may hold secrets: no compression (BREACH), same origin only."""
    headers = {"Origin": "https://news.example.org", "Accept-Encoding": "gzip"}
    for path in ("/api/v1/stories/", "/api/v1/review/", "/login/"):
        answer = httpx.get(live_server.url + path, headers=headers)
        assert "access-control-allow-origin" not in answer.headers, path
        assert "content-encoding" not in answer.headers, path


def test_exports_allow_any_origin(live_server, power):
    answer = httpx.get(
        f"{live_server.url}/api/v1/public/collections/none/export.csv",
        headers={"Origin": "https://research.example.org"},
    )
    assert answer.status_code == 404
    assert answer.headers["access-control-allow-origin"] == "*"
