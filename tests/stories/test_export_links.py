"""Exports and feeds carry a story's caption and clip links, and lose them with the story.

One spoken story, published by ``publication.publish`` with a machine translation, in a
published collection, with one clip: its research export row names its captions (own
language and machine translation) and its clip (page, audio, oEmbed), every link answers,
the data package still validates with ``frictionless``, feedparser finds the captions in
RSS and Atom, and after withdrawal none of it is left.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile

import feedparser
import frictionless
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from stories.domain import clips, consent, publication, transcripts
from stories.models import Story, Translation
from tests.factories import CollectionFactory, published_story
from tests.stories.clip_helpers import published_spoken_story

HOST = "http://testserver"


@pytest.fixture
def spoken(db, tmp_path, curator):
    """A published Finnish-labelled recording with an English machine translation and a clip."""
    story = published_spoken_story(tmp_path, language="fi", consent={"research": True})
    Translation.objects.create(
        transcript=transcripts.primary(story),
        language="en",
        engine="faster-whisper",
        model="base",
        text="We waited an hour for the bus.",
        segments=[{"start": 0.0, "end": 3.0, "text": "We waited an hour for the bus."}],
    )
    publication.publish(story)  # the translation changes the build: rebuilt with it
    story.refresh_from_db()
    clips.make(story, start=4.0, end=6.5, title="The stop moved", actor=curator)
    return story


def slug_of(story: Story) -> str:
    return str(story.collection_entries.get().collection.slug)


def export_csv(slug: str) -> str:
    response = Client().get(f"/api/v1/public/collections/{slug}/export.csv")
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode()


def test_export_rows_link_captions_and_clips_until_withdrawal(spoken):
    story_id = spoken.publication.public_id
    clip = spoken.clips.get()
    slug = slug_of(spoken)
    web = Client()

    [row] = list(csv.DictReader(io.StringIO(export_csv(slug))))
    assert row["captions_url"] == f"{HOST}/stories/{story_id}/captions.vtt"
    assert row["machine_translation_language"] == "en"
    assert row["machine_translation_captions_url"] == f"{HOST}/stories/{story_id}/captions.en.vtt"
    assert row["clip_page_urls"] == f"{HOST}/clips/{clip.public_id}/"
    assert row["clip_audio_urls"] == f"{HOST}/clips/{clip.public_id}/audio.wav"
    # Every link answers what it says it is.
    own = web.get(row["captions_url"])
    assert own.status_code == 200
    assert own.content.startswith(b"WEBVTT")
    translated = web.get(row["machine_translation_captions_url"]).content.decode()
    assert "Machine translation (fi to en)" in translated
    oembed = web.get(row["clip_oembed_urls"])
    assert oembed.status_code == 200
    assert oembed.json()["type"] == "rich"
    assert "<iframe" in oembed.json()["html"]
    assert web.get(row["clip_audio_urls"]).status_code == 200

    response = web.get(f"/api/v1/public/collections/{slug}/export.json")
    [item] = json.loads(b"".join(response.streaming_content))["stories"]
    assert item["clip_page_urls"] == [row["clip_page_urls"]]
    assert item["clip_oembed_urls"] == [row["clip_oembed_urls"]]
    assert item["captions_url"] == row["captions_url"]

    consent.withdraw(spoken, actor_label="receipt holder")
    after = export_csv(slug)
    assert story_id not in after
    assert clip.public_id not in after
    assert web.get(row["captions_url"]).status_code == 404
    assert web.get(row["clip_oembed_urls"]).status_code == 410


def test_the_data_package_with_links_validates(spoken, tmp_path):
    slug = slug_of(spoken)
    response = Client().get(f"/api/v1/public/collections/{slug}/export.zip")
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as zipped:
        zipped.extractall(tmp_path)
    package = frictionless.Package(str(tmp_path / "datapackage.json"))
    report = package.validate()
    assert report.valid, report.flatten(["type", "note", "fieldName", "rowNumber"])
    [row] = [r.to_dict() for r in package.get_resource("stories").read_rows()]
    assert row["captions_url"].endswith("/captions.vtt")
    assert row["clip_oembed_urls"].startswith(f"{HOST}/oembed?url=")
    fields = {f.name: f.description for f in package.get_resource("stories").schema.fields}
    assert "machine" in fields["machine_translation_captions_url"]


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_feed_readers_see_the_caption_links(spoken, fmt):
    story_id = spoken.publication.public_id
    response = Client().get(f"/feeds/collections/{slug_of(spoken)}.{fmt}")
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.bozo_exception
    entry = next(e for e in parsed.entries if story_id in e.link)
    vtt = {link["href"]: link for link in entry.links if link.get("type") == "text/vtt"}
    assert set(vtt) == {
        f"{HOST}/stories/{story_id}/captions.vtt",
        f"{HOST}/stories/{story_id}/captions.en.vtt",
    }
    assert all(link["rel"] == "related" for link in vtt.values())
    # The audio stays the one enclosure.
    [enclosure] = entry.enclosures
    assert enclosure["type"].startswith("audio/")


def test_json_feed_attaches_the_captions_and_the_clip(spoken):
    story_id = spoken.publication.public_id
    clip = spoken.clips.get()
    feed = Client().get(f"/feeds/collections/{slug_of(spoken)}.json").json()
    story_item, clip_item = feed["items"]
    assert story_item["url"] == f"{HOST}/stories/{story_id}/"
    vtt = [a for a in story_item["attachments"] if a["mime_type"] == "text/vtt"]
    assert [a["url"] for a in vtt] == [
        f"{HOST}/stories/{story_id}/captions.vtt",
        f"{HOST}/stories/{story_id}/captions.en.vtt",
    ]
    assert "machine translation" in vtt[1]["title"]
    assert clip_item["url"] == f"{HOST}/clips/{clip.public_id}/"


def test_export_queries_do_not_grow_with_the_collection(db):
    collection = CollectionFactory(slug="many", published_at=timezone.now())

    def queries() -> int:
        with CaptureQueriesContext(connection) as seen:
            export_csv("many")
        return len(seen)

    for _ in range(3):
        published_story(collections=(collection,))
    few = queries()
    for _ in range(6):
        published_story(collections=(collection,))
    assert queries() == few
