"""Atom, RSS and JSON feeds per theme and per published collection."""

from __future__ import annotations

import datetime
import json
import xml.etree.ElementTree as ET

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.http import http_date

from stories.domain import consent
from stories.enums import StoryStatus
from stories.models import PublishedStory, Theme
from tests.factories import CollectionFactory, published_story

ATOM = "{http://www.w3.org/2005/Atom}"
HOSTILE = "<script>alert('x')</script> Fish & chips"


def ago(**kwargs: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**kwargs)


def xml_of(content: bytes) -> ET.Element:
    return ET.fromstring(content)  # noqa: S314 - our own feed, the thing under test


def titles(response, fmt: str) -> list[str]:
    assert response.status_code == 200, response.content
    if fmt == "json":
        return [item["title"] for item in json.loads(response.content)["items"]]
    root = xml_of(response.content)
    if fmt == "atom":
        return [entry.findtext(f"{ATOM}title") for entry in root.iter(f"{ATOM}entry")]
    return [item.findtext("title") for item in root.iter("item")]


@pytest.fixture
def power(db):
    return Theme.objects.get(slug="power")


@pytest.fixture
def collection(db):
    return CollectionFactory(slug="being-heard", published_at=ago(days=1))


@pytest.mark.parametrize("fmt", ["atom", "rss", "json"])
def test_a_theme_feed_lists_its_published_stories_newest_first(client_for, power, fmt):
    published_story(title="Older", themes=[power], published_at=ago(days=2))
    published_story(title="Newer", themes=[power], published_at=ago(hours=1))
    published_story(title="Other theme", themes=[Theme.objects.get(slug="empathy")])
    pending = published_story(title="Not yet public", themes=[power])
    pending.story.status = StoryStatus.APPROVED
    pending.story.save()
    gone = published_story(title="Withdrawn", themes=[power])
    consent.withdraw(gone.story, actor_label="receipt holder")
    response = client_for().get(f"/feeds/themes/power.{fmt}")
    assert titles(response, fmt) == ["Newer", "Older"]


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("atom", "application/atom+xml"),
        ("rss", "application/rss+xml"),
        ("json", "application/feed+json"),
    ],
)
def test_feeds_say_what_they_are(client_for, power, fmt, content_type):
    response = client_for().get(f"/feeds/themes/power.{fmt}")
    assert response["Content-Type"].startswith(content_type)


@pytest.mark.parametrize("fmt", ["atom", "rss", "json"])
def test_a_collection_feed_lists_the_collections_published_stories(client_for, collection, fmt):
    published_story(title="In the collection", collections=(collection,))
    withdrawn = published_story(title="Withdrawn", collections=(collection,))
    published_story(title="Elsewhere")
    consent.withdraw(withdrawn.story, actor_label="receipt holder")
    response = client_for().get(f"/feeds/collections/being-heard.{fmt}")
    assert titles(response, fmt) == ["In the collection"]


@pytest.mark.parametrize("fmt", ["atom", "rss", "json"])
def test_unknown_or_unpublished_is_not_found(client_for, db, fmt):
    CollectionFactory(slug="draft-collection", published_at=None)
    assert client_for().get(f"/feeds/themes/no-such-theme.{fmt}").status_code == 404
    assert client_for().get(f"/feeds/collections/draft-collection.{fmt}").status_code == 404
    assert client_for().get(f"/feeds/collections/no-such-thing.{fmt}").status_code == 404


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_xml_feeds_escape_what_stories_say(client_for, power, fmt):
    published_story(title=HOSTILE, text=f"Line one & {HOSTILE}\n\nLine two", themes=[power])
    response = client_for().get(f"/feeds/themes/power.{fmt}")
    assert b"<script" not in response.content
    assert titles(response, fmt) == [HOSTILE]
    root = xml_of(response.content)
    summary = (
        root.find(f".//{ATOM}entry/{ATOM}summary")
        if fmt == "atom"
        else root.find(".//item/description")
    )
    # The text is HTML for feed readers: the story's own markup is shown, never run.
    assert "&lt;script&gt;" in summary.text
    assert "<script" not in summary.text
    assert "Fish &amp; chips" in summary.text


def test_the_json_feed_is_json_feed_1_1_and_escaped(client_for, power):
    publication = published_story(
        title=HOSTILE, text="Said & done", themes=[power], language="fi", published_at=ago(hours=1)
    )
    response = client_for().get("/feeds/themes/power.json?lang=fi")
    assert b"<script" not in response.content
    body = json.loads(response.content)
    assert body["version"] == "https://jsonfeed.org/version/1.1"
    assert body["title"] == f"Tarina: {Theme.objects.get(slug='power').labels['fi']}"
    item = body["items"][0]
    assert item["title"] == HOSTILE
    assert item["content_text"] == "Said & done"
    assert item["language"] == "fi"
    assert item["url"] == item["id"]
    assert item["url"].endswith(f"/stories/{publication.public_id}/")
    assert "/api/" not in item["url"]
    assert item["tags"] == [Theme.objects.get(slug="power").labels["fi"]]


def test_audio_is_attached(client_for, power):
    publication = published_story(kind="audio", duration=31.0, themes=[power])
    publication.audio.save("voice.mp3", ContentFile(b"ID3 0123456789"))
    try:
        rss = xml_of(client_for().get("/feeds/themes/power.rss").content)
        enclosure = rss.find(".//item/enclosure")
        assert enclosure.get("url").startswith("http://testserver/media/public/stories/")
        assert enclosure.get("length") == str(len(b"ID3 0123456789"))
        assert enclosure.get("type") == "audio/mpeg"
        body = json.loads(client_for().get("/feeds/themes/power.json").content)
        assert body["items"][0]["attachments"][0]["duration_in_seconds"] == 31.0
    finally:
        publication.audio.delete(save=False)


def test_a_feed_holds_the_latest_fifty(client_for, power):
    for hours in range(52):
        published_story(title=f"{hours} hours ago", themes=[power], published_at=ago(hours=hours))
    shown = titles(client_for().get("/feeds/themes/power.json"), "json")
    assert len(shown) == 50
    assert shown[0] == "0 hours ago"
    assert shown[-1] == "49 hours ago"


# --- Conditional requests ------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["atom", "rss", "json"])
def test_an_unchanged_feed_is_not_sent_again(client_for, power, fmt):
    published_story(themes=[power])
    client = client_for()
    url = f"/feeds/themes/power.{fmt}"
    first = client.get(url)
    assert first["ETag"]
    assert first["Last-Modified"]
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304


def test_a_new_story_changes_the_feed(client_for, power):
    published_story(themes=[power], published_at=ago(hours=2))
    client = client_for()
    first = client.get("/feeds/themes/power.atom")
    published_story(title="Fresh", themes=[power])
    again = client.get("/feeds/themes/power.atom", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    assert "Fresh" in titles(again, "atom")


def test_a_withdrawal_is_never_hidden_behind_a_304(client_for, power):
    kept = published_story(title="Kept", themes=[power], published_at=ago(days=2))
    leaving = published_story(title="Leaving", themes=[power], published_at=ago(days=1))
    PublishedStory.objects.update(updated_at=ago(hours=1))
    # A reader fetched the feed a while ago and caches it by its tag or by its date.
    checked = http_date(ago(minutes=5).timestamp())
    client = client_for()
    first = client.get("/feeds/themes/power.rss")
    assert client.get("/feeds/themes/power.rss", HTTP_IF_MODIFIED_SINCE=checked).status_code == 304
    consent.withdraw(leaving.story, actor_label="receipt holder")
    by_tag = client.get("/feeds/themes/power.rss", HTTP_IF_NONE_MATCH=first["ETag"])
    by_date = client.get("/feeds/themes/power.rss", HTTP_IF_MODIFIED_SINCE=checked)
    assert titles(by_tag, "rss") == titles(by_date, "rss") == [kept.title]


def test_the_feed_varies_with_the_readers_language(client_for, power):
    published_story(themes=[power])
    client = client_for()
    english = client.get("/feeds/themes/power.atom")
    finnish = client.get("/feeds/themes/power.atom?lang=fi")
    assert "Accept-Language" in english["Vary"]
    assert english["ETag"] != finnish["ETag"]


def test_feeds_are_read_only(client_for, power):
    assert client_for().post("/feeds/themes/power.atom").status_code == 405
    assert client_for().head("/feeds/themes/power.atom").status_code == 200
