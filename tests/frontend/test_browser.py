"""Real-browser tests: Chromium (playwright) against pytest-django's live_server."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from stories.domain import receipts
from stories.enums import AssetRole, Role, StoryStatus
from stories.models import Story, Upload
from tests.factories import DriveFactory, StoryFactory, UserFactory, transcript_for
from tests.frontend.conftest import wav_bytes
from tests.frontend.test_pages import normalised_recording

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECEIPT = re.compile(r"^[0-9A-Z]{4}(-[0-9A-Z]{4}){7}$")


def receipt_shown(page) -> str:
    code = page.locator("[data-receipt-panel] [data-receipt-code]")
    code.wait_for(state="visible")
    text = code.inner_text().strip()
    assert RECEIPT.match(text), text
    return text


def test_reporter_writes_a_text_story_and_gets_a_receipt(page):
    drive = DriveFactory(slug="bus")
    page.goto(f"/d/{drive.slug}/")
    page.fill("#id_text", "The bus never came.")
    page.check("input[name=consent_publish_text]")
    page.click("button[type=submit]")
    receipt = receipt_shown(page)
    story = receipts.find_story(receipt)
    assert story is not None
    assert story.text == "The bus never came."
    assert "publish_text" in story.consent_records.get().scopes
    page.locator("[data-receipt-qr] svg").wait_for()
    assert page.locator("[data-status-label]").inner_text() != ""


def test_audio_file_goes_up_by_tus_and_the_story_is_created(page):
    drive = DriveFactory(slug="clinic")
    page.goto(f"/d/{drive.slug}/")
    page.check("input[name=kind][value=audio]")
    page.set_input_files(
        "#id_files",
        files=[{"name": "voice.wav", "mimeType": "audio/wav", "buffer": wav_bytes(1.5)}],
    )
    with page.expect_response(
        lambda r: "/api/v1/uploads/" in r.url and r.request.method == "PATCH"
    ):
        page.click("button[type=submit]")
    receipt = receipt_shown(page)
    story = receipts.find_story(receipt)
    assert story.kind == "audio"
    original = story.assets.get(role=AssetRole.ORIGINAL)
    assert original.size == len(wav_bytes(1.5))
    assert not Upload.objects.exists()  # moved into the story


def test_offline_story_is_queued_and_sent_when_online(page):
    drive = DriveFactory(slug="library")
    page.goto(f"/d/{drive.slug}/")
    page.fill("#id_text", "Written on the bus with no signal.")
    page.context.set_offline(True)
    page.click("button[type=submit]")
    queued = page.locator("[data-queued]")
    queued.wait_for(state="visible")
    assert "No connection" in queued.inner_text()
    assert not Story.objects.exists()
    page.context.set_offline(False)
    receipt = receipt_shown(page)
    assert receipts.find_story(receipt).text == "Written on the bus with no signal."
    assert page.evaluate("TarinaOutbox.all().then(items => items.length)") == 0


def test_curator_clicks_a_word_and_the_player_seeks(page, live_server):
    curator = UserFactory(username="curator-b", role=Role.CURATOR)
    story = StoryFactory(status=StoryStatus.NEEDS_REVIEW, kind="audio")
    normalised_recording(story, seconds=6)
    transcript_for(story, "the bus never came to our village today", seconds_per_word=0.5)
    client = Client()
    client.force_login(curator)
    assert client.session[SESSION_KEY] == str(curator.pk)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(f"/console/stories/{story.pk}/")
    page.wait_for_function("document.querySelector('[data-player]').readyState >= 1")
    assert page.evaluate("document.querySelector('[data-player]').currentTime") == 0
    word = page.locator(".words .w").nth(4)  # " to", starting at 2.0 s
    word.click()
    page.wait_for_function(
        "Math.abs(document.querySelector('[data-player]').currentTime - 2) < 0.05"
    )
    assert "current" in (word.get_attribute("class") or "")


def test_recording_in_the_browser_is_sent(page):
    """Chromium's fake microphone: record, stop, play back, send by tus."""
    drive = DriveFactory(slug="record")
    page.goto(f"/d/{drive.slug}/")
    page.check("input[name=kind][value=audio]")
    page.click("[data-rec-start]")
    page.wait_for_function("document.querySelector('[data-timer]').textContent !== '0:00'")
    page.click("[data-rec-stop]")
    page.locator("[data-playback]").wait_for(state="visible")
    page.click("button[type=submit]")
    story = receipts.find_story(receipt_shown(page))
    assert story.assets.get(role=AssetRole.ORIGINAL).size > 0
