"""Facilitator mode without a browser: the form without JavaScript and the API record a
consent read aloud by a facilitator, and the page speaks the reporter's language."""

from __future__ import annotations

import pytest

from stories.domain import consent
from stories.enums import ConsentChannel
from stories.models import ConsentRecord, Story

pytestmark = pytest.mark.django_db


def test_the_form_in_facilitator_mode_records_the_facilitator_channel(client, drive):
    page = client.get(f"/d/{drive.slug}/?mode=facilitator")
    assert b'id="id_read_aloud"' in page.content
    assert b'name="consent_store" checked' not in page.content  # nothing ticked ahead
    assert b"id_storyteller" in page.content
    assert b'name="storyteller"' not in page.content  # the label is never posted

    sent = client.post(
        f"/d/{drive.slug}/?mode=facilitator",
        {"kind": "text", "text": "Told aloud.", "consent_store": "on", "read_aloud": "on"},
    )
    assert sent.status_code == 303
    record = ConsentRecord.objects.get()
    assert record.channel == ConsentChannel.FACILITATOR
    assert record.scopes == ["store"]


def test_facilitator_mode_refuses_a_consent_not_read_aloud_and_keeps_the_story(client, drive):
    refused = client.post(
        f"/d/{drive.slug}/?mode=facilitator",
        {"kind": "text", "text": "Not read aloud yet.", "consent_store": "on"},
    )
    assert refused.status_code == 400
    assert "Read the consent text aloud" in refused.content.decode()
    assert "Not read aloud yet." in refused.content.decode()  # nothing lost
    assert not Story.objects.exists()


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("fi", "Ohjaajan tila"),
        ("sv", "Handledarläge"),
        ("de", "Moderationsmodus"),
        ("en", "Facilitator mode"),
    ],
)
def test_facilitator_mode_is_translated(client, drive, lang, words):
    page = client.get(f"/d/{drive.slug}/?mode=facilitator&lang={lang}").content.decode()
    assert words in page
    assert ("Who is telling this story?" in page) == (lang == "en")


def test_the_api_takes_the_facilitator_channel_and_refuses_others(client, drive):
    story = {
        "drive": drive.slug,
        "kind": "text",
        "text": "Via the outbox.",
        "consent": {"store": True},
    }
    made = client.post(
        "/api/v1/stories/", {**story, "channel": "facilitator"}, content_type="application/json"
    )
    assert made.status_code == 201
    assert consent.current(Story.objects.get()).channel == ConsentChannel.FACILITATOR
    bogus = client.post(
        "/api/v1/stories/", {**story, "channel": "web"}, content_type="application/json"
    )
    assert bogus.status_code == 400
    assert "channel" in bogus.json()
    assert Story.objects.count() == 1
