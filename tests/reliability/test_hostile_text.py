"""Hostile text: megabytes, control characters, right-to-left overrides, HTML and script.

Two halves. On the way in, every field a person types is checked: too much is a clear 400
(never a 500), NUL is refused, invisible controls and bidirectional overrides are removed,
HTML is kept as the text it is. On the way out, markup stored in every text field that any
surface shows (story title, text and place, the published copy, collection title and
description, a drive's title) is rendered escaped on every page, in every feed (which
stay well-formed XML) and in the JSON API.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from django.utils import timezone

from stories.enums import StoryStatus
from stories.models import Story
from tests.factories import CollectionFactory, DriveFactory, published_story, story_with_receipt

SCRIPT = '<script>alert("pwned")</script>'
IMG = "<img src=x onerror=alert(1)>"
ATTR = '" onmouseover="alert(2)'
MARKUP = f"{SCRIPT}{IMG}{ATTR}"
RLO = "Invoice\u202egpj.exe"
CONTROLS = "bell\x07 escape\x1b[31m delete\x7f c1\x85\x9b end"
INVISIBLE = ["\x07", "\x1b", "\x7f", "\x85", "\x9b", "\u202e"]


def post(client, body: dict, **extra):
    return client.post("/api/v1/stories/", body, format="json", **extra)


def story_body(drive, **fields) -> dict:
    return {"drive": drive.slug, "kind": "text", "consent": {"store": True}, **fields}


# --- On the way in -------------------------------------------------------------------------


@pytest.mark.parametrize("megabytes", [3, 8])
def test_megabytes_of_text_are_a_clear_400(client_for, drive, megabytes):
    text = "Tarina " * (megabytes * 1024 * 1024 // 7)
    response = post(client_for(), story_body(drive, text=text))
    assert response.status_code == 400
    assert "larger than the limit" in response.json()["detail"]
    form = Client().post(f"/d/{drive.slug}/", {"kind": "text", "text": text, "consent_store": "on"})
    assert form.status_code in {400, 413}
    assert not Story.objects.exists()


def test_text_just_over_the_character_limit_is_a_field_error(client_for, drive, settings):
    # 100,001 four-byte characters: under the byte limit, over the character limit.
    text = "\U0001f4da" * (settings.TARINA_MAX_TEXT_CHARS + 1)
    response = post(client_for(), story_body(drive, text=text))
    assert response.status_code == 400
    assert "text" in response.json()
    accepted = post(client_for(), story_body(drive, text=text[:-1]))
    assert accepted.status_code == 201


@pytest.mark.parametrize("field", ["title", "text", "place"])
def test_nul_is_refused_with_a_field_error(client_for, drive, field):
    fields = {"text": "x", field: "a\x00b"}
    response = post(client_for(), story_body(drive, **fields))
    assert response.status_code == 400
    assert field in response.json()


NUL = "a\x00b"
NUL_IN_BODIES = [
    ("/api/v1/stories/", {"drive": NUL, "kind": "text", "text": "x"}),
    ("/api/v1/stories/", {"drive": "{drive}", "kind": "text", "text": "x", "themes": [NUL]}),
    ("/api/v1/stories/", {"drive": "{drive}", "kind": "text", "text": "x", "language": NUL}),
    ("/api/v1/stories/", {"drive": "{drive}", "kind": "audio", "uploads": [NUL]}),
    ("/api/v1/stories/{story}/themes/", {"theme": NUL, "action": "add"}),
    ("/api/v1/stories/{story}/redactions/", {"field": "text", "start": 0, "end": 1, "type": NUL}),
    ("/api/v1/collections/", {"title": "t", "themes": [NUL]}),
    ("/api/v1/withdrawals/", {"receipt": NUL}),
    ("/api/v1/consent/", {"receipt": NUL, "keep": ["store"]}),
]
NUL_IN_URLS = [
    "/api/v1/receipts/%00/",
    "/api/v1/drives/%00/",
    "/api/v1/themes/%00/",
    "/api/v1/public/collections/%00/",
    "/api/v1/review/?drive=%00",
    "/api/v1/review/?theme=a%00",
    "/api/v1/stories/?drive=%00",
    "/api/v1/feed/?q=%00",
    "/api/v1/feed/?theme=%00",
]


@pytest.mark.parametrize(("url", "body"), NUL_IN_BODIES)
def test_nul_in_any_body_field_is_a_400(client_for, drive, curator, url, body):
    """PostgreSQL cannot compare NUL: each of these was a 500 there before (found in CI's run)."""
    story, _ = story_with_receipt(drive=drive)
    filled = json.loads(json.dumps(body).replace("{drive}", drive.slug))
    if url == "/api/v1/stories/":
        filled["consent"] = {"store": True}
    response = client_for(curator).post(url.format(story=story.pk), filled, format="json")
    assert response.status_code == 400, response.content


@pytest.mark.parametrize("url", NUL_IN_URLS)
def test_nul_in_any_url_is_a_4xx(client_for, curator, db, url):
    response = client_for(curator).get(url)
    assert 400 <= response.status_code < 500
    assert response.json()


def test_nul_in_pages_and_upload_headers_is_a_4xx(client_for, drive, reporter):
    assert Client().get("/stories/?q=%00").status_code < 500
    upload = client_for(reporter).post(
        "/api/v1/uploads/",
        HTTP_TUS_RESUMABLE="1.0.0",
        HTTP_UPLOAD_LENGTH="3",
        HTTP_UPLOAD_METADATA="filename AA==",  # base64 of a NUL byte
    )
    assert upload.status_code == 400
    assert "NUL" in upload.json()["detail"]


def test_controls_and_overrides_are_removed_and_markup_is_kept_as_text(client_for, drive):
    response = post(
        client_for(),
        story_body(drive, title=f"{RLO} {CONTROLS}", text=f"{MARKUP}\n{CONTROLS}", place=RLO),
    )
    assert response.status_code == 201
    story = Story.objects.get(pk=response.json()["id"])
    for value in (story.title, story.text, story.place):
        assert not any(ch in value for ch in INVISIBLE)
    assert story.title == "Invoicegpj.exe bell escape[31m delete c1 end"
    assert story.text.startswith(MARKUP)  # the reporter's words, as written
    assert "\n" in story.text


def test_edits_transcripts_and_reasons_are_cleaned_too(client_for, drive, reporter, curator):
    story, _ = story_with_receipt(drive=drive, reporter=reporter, status=StoryStatus.NEEDS_REVIEW)
    edited = client_for(reporter).patch(
        f"/api/v1/stories/{story.pk}/", {"text": f"fixed {RLO}\x07"}, format="json"
    )
    assert edited.status_code == 200
    assert edited.json()["text"] == "fixed Invoicegpj.exe"
    rejected = client_for(curator).post(
        f"/api/v1/stories/{story.pk}/reject/", {"reason": f"Off topic\x1b[0m {RLO}"}, format="json"
    )
    assert rejected.status_code == 200
    story.refresh_from_db()
    assert story.status_reason == "Off topic[0m Invoicegpj.exe"
    made = client_for(curator).post(
        "/api/v1/collections/", {"title": f"{RLO}", "description": CONTROLS}, format="json"
    )
    assert made.status_code == 201
    assert made.json()["title"] == "Invoicegpj.exe"
    assert "\x07" not in made.json()["description"]


# --- On the way out --------------------------------------------------------------------------


@pytest.fixture
def hostile_everywhere(db, curator):
    """Markup in every stored text field a surface shows, stored directly (as old data or a
    bug elsewhere could leave it), on a published story in a published collection."""
    drive = DriveFactory(slug="hostile", title=f"Drive {MARKUP}")
    collection = CollectionFactory(
        slug="hostile-collection",
        title=f"Collection {MARKUP}",
        description=f"About {MARKUP}",
        published_at=timezone.now(),
    )
    copy = published_story(
        collections=(collection,),
        drive=drive,
        title=f"Title {MARKUP}",
        text=f"Text {MARKUP}\n{CONTROLS}",
        story__title=f"Title {MARKUP}",
        story__text=f"Text {MARKUP}",
        story__place=f"Place {MARKUP}",
    )
    review = Story.objects.create(
        drive=drive,
        kind="text",
        title=f"Queued {MARKUP}",
        text=f"Queued {MARKUP}",
        place=f"Place {MARKUP}",
        status=StoryStatus.NEEDS_REVIEW,
        language="en",
    )
    return {"drive": drive, "collection": collection, "copy": copy, "queued": review}


def assert_escaped(body: str, where: str) -> None:
    assert "<script>alert" not in body, where
    assert "<img src=x" not in body, where
    assert 'onmouseover="alert' not in body, where
    assert "&lt;script&gt;alert" in body, f"{where}: the text is not shown at all"


def test_pages_show_hostile_text_escaped(hostile_everywhere, client, curator):
    copy, collection = hostile_everywhere["copy"], hostile_everywhere["collection"]
    queued, drive = hostile_everywhere["queued"], hostile_everywhere["drive"]
    public_pages = [
        "/stories/",
        f"/stories/{copy.public_id}/",
        "/collections/",
        f"/collections/{collection.slug}/",
        "/",
        f"/d/{drive.slug}/",
    ]
    for url in public_pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_escaped(response.content.decode(), url)
    client.force_login(curator)
    for url in ["/console/", f"/console/stories/{queued.pk}/", "/console/collections/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_escaped(response.content.decode(), url)


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_xml_feeds_stay_well_formed_and_carry_the_markup_as_text(hostile_everywhere, client, fmt):
    collection = hostile_everywhere["collection"]
    response = client.get(f"/feeds/collections/{collection.slug}.{fmt}")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<script>alert" not in body
    root = ET.fromstring(response.content)  # noqa: S314 - our own feed; well-formed?
    texts = " ".join(root.itertext())
    assert "Title <script>" in texts  # the title is the text, for the reader to escape
    # The item's HTML description was escaped before it became XML text.
    assert "&lt;script&gt;" in texts
    assert "\x07" not in texts


def test_json_feed_and_api_carry_the_text_exactly(hostile_everywhere, client):
    collection, copy = hostile_everywhere["collection"], hostile_everywhere["copy"]
    feed = client.get(f"/feeds/collections/{collection.slug}.json")
    assert feed.status_code == 200
    item = json.loads(feed.content)["items"][0]
    assert item["title"].startswith("Title <script>")
    assert "<script>" not in item.get("content_html", "")
    story = client.get(f"/api/v1/public/stories/{copy.public_id}/").json()
    assert story["title"] == f"Title {MARKUP}"
    assert client.get(f"/api/v1/public/collections/{collection.slug}/").status_code == 200
