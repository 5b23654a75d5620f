"""Real-browser tests: Chromium (playwright) against pytest-django's live_server."""

from __future__ import annotations

import hashlib
import re

import pytest

from stories.domain import receipts
from stories.enums import AssetRole, Role, StoryStatus, ThemeSource, ThemeTagState
from stories.models import Redaction, Story, StoryTheme, Theme, Upload
from tests.factories import DriveFactory, StoryFactory, UserFactory, transcript_for
from tests.frontend.conftest import screenshot, sign_in, uncaught_errors, wav_bytes
from tests.frontend.test_pages import normalised_recording
from tests.worker import WorkerProcess, database_url_for_workers, wait_for

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

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
    sign_in(page, curator, live_server)
    page.goto(f"/console/stories/{story.pk}/")
    page.wait_for_function("() => document.querySelector('[data-player]').readyState >= 1")
    assert page.evaluate("document.querySelector('[data-player]').currentTime") == 0
    word = page.locator(".words .w").nth(4)  # " to", starting at 2.0 s
    word.click()
    page.wait_for_function(
        "() => Math.abs(document.querySelector('[data-player]').currentTime - 2) < 0.05"
    )
    assert "current" in (word.get_attribute("class") or "")
    # With the keyboard: Tab reaches the words, Enter on one seeks there.
    page.locator(".words .w").nth(5).focus()  # " our", at 2.5 s
    page.keyboard.press("Tab")  # " village", at 3.0 s
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => Math.abs(document.querySelector('[data-player]').currentTime - 3) < 0.05"
    )


def test_reporter_records_audio_and_sends_it_through_the_drive_link(phone):
    """On a phone: open the drive from the home page, record with Chromium's fake
    microphone, stop, play back, consent and send; the recording arrives by tus."""
    drive = DriveFactory(slug="record", title="Waiting at the health centre")
    phone.goto("/")
    phone.click(f"a[href='/d/{drive.slug}/']")
    phone.check("input[name=kind][value=audio]")
    phone.click("[data-rec-start]")
    phone.wait_for_function("() => document.querySelector('[data-timer]').textContent !== '0:00'")
    level = phone.locator("[data-level]").evaluate("bar => parseFloat(bar.style.width)")
    assert level > 0  # the fake microphone's tone moves the level meter
    phone.click("[data-rec-stop]")
    playback = phone.locator("[data-playback]")
    playback.wait_for(state="visible")
    phone.wait_for_function("() => document.querySelector('[data-playback]').readyState >= 1")
    phone.check("input[name=consent_publish_audio]")
    screenshot(phone, "reporter-recorded")
    phone.click("button[type=submit]")
    story = receipts.find_story(receipt_shown(phone))
    phone.locator("[data-receipt-qr] svg").wait_for()
    screenshot(phone, "reporter-receipt")
    original = story.assets.get(role=AssetRole.ORIGINAL)
    assert story.drive == drive
    assert story.kind == "audio"
    assert original.size > 1000
    assert "publish_audio" in story.consent_records.get().scopes


def test_upload_cut_off_halfway_resumes_in_a_new_tab_with_the_same_sha256(page):
    """The connection drops while the second 1 MiB chunk is on its way, and the tab is
    closed; the next visit sends only what is missing, and the file arrives intact."""
    drive = DriveFactory(slug="resume")
    data = wav_bytes(seconds=80, rate=16000)  # 2.56 MB: three chunks
    chunk = 1024 * 1024
    held = []

    def uploads(route):
        if route.request.method == "PATCH" and route.request.headers["upload-offset"] != "0":
            held.append(route)  # answered below, once the network is gone
        else:
            route.continue_()

    page.route("**/api/v1/uploads/**", uploads)
    page.goto(f"/d/{drive.slug}/")
    page.check("input[name=kind][value=audio]")
    page.set_input_files(
        "#id_files", files=[{"name": "long.wav", "mimeType": "audio/wav", "buffer": data}]
    )
    page.click("button[type=submit]")
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the second chunk was never sent"
    context = page.context
    context.set_offline(True)
    held[0].abort("internetdisconnected")
    page.locator("[data-queued]").wait_for(state="visible")  # kept on the phone
    assert Upload.objects.get().offset == chunk  # the first chunk, and only it, arrived
    page.close()
    context.set_offline(False)

    again = context.new_page()
    offsets = []
    again.on(
        "request",
        lambda r: offsets.append(int(r.headers["upload-offset"])) if r.method == "PATCH" else None,
    )
    again.goto(f"/d/{drive.slug}/")  # the outbox is flushed on load
    story = receipts.find_story(receipt_shown(again))
    assert offsets == [chunk, 2 * chunk]  # it went on from where it stopped
    original = story.assets.get(role=AssetRole.ORIGINAL)
    expected = hashlib.sha256(data).hexdigest()
    assert original.sha256 == expected
    with original.file.open("rb") as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == expected


@pytest.mark.integration
def test_curator_reviews_approves_and_publishes_and_the_public_sees_it_anonymised(
    page, live_server, tmp_path
):
    """Log in, open the story from the queue, lift a false alarm, confirm a suggested
    theme, preview, approve, publish (a real worker builds the public copy); the public
    story and theme pages show the anonymised text."""
    theme, _ = Theme.objects.get_or_create(
        slug="being-heard",
        defaults={"constellation": "power", "labels": {"en": "Being heard"}},
    )
    UserFactory(username="curator-c", role=Role.CURATOR)
    drive = DriveFactory(slug="clinic", title="Health centre stories")
    text = "Anna Virtanen at Kela listened to me for an hour and fixed my benefit."
    story = StoryFactory(
        drive=drive, title="Someone listened", text=text, status=StoryStatus.NEEDS_REVIEW
    )
    for found in ("Anna Virtanen", "Kela"):  # the detector's finds; "Kela" is an agency
        start = text.index(found)
        Redaction.objects.create(
            story=story,
            field="text",
            start=start,
            end=start + len(found),
            text=found,
            type="person",
            source="detector",
        )
    StoryTheme.objects.create(
        story=story,
        theme=theme,
        source=ThemeSource.MACHINE,
        state=ThemeTagState.SUGGESTED,
        score=0.91,
        evidence=[{"text": "listened to me for an hour"}],
    )
    page.goto("/console/")  # to the login form and back
    page.fill("#id_username", "curator-c")
    page.fill("#id_password", "a-long-test-password")
    page.click("form.login button[type=submit]")
    page.click(f"a[href='/console/stories/{story.pk}/']")

    lift = page.locator("tr", has_text="Kela").get_by_role("button")
    with page.expect_navigation():  # the page reloads with the decision
        lift.click()
    confirm = page.locator(".theme-tags li", has_text="Being heard")
    with page.expect_navigation():
        confirm.get_by_role("button", name="Confirm").click()
    page.click("[data-preview]")
    preview = page.locator("[data-pv=text]")
    preview.wait_for(state="visible")
    assert "Anna" not in preview.inner_text()
    assert "Kela" in preview.inner_text()
    screenshot(page, "console-story")

    with page.expect_navigation():
        page.get_by_role("button", name="Approve").click()
    worker = WorkerProcess(database_url_for_workers(), tmp_path / "worker.log", queues="media")
    worker.start()
    try:
        with page.expect_navigation():
            page.get_by_role("button", name="Publish this story").click()
        wait_for(
            lambda: Story.objects.filter(pk=story.pk, status=StoryStatus.PUBLISHED).exists(),
            timeout=60,
        )
    finally:
        worker.stop()

    page.goto(f"/stories/{story.public_id}/")
    public_text = page.locator(".story-text").inner_text()
    assert "Anna" not in public_text
    assert "Virtanen" not in public_text
    assert "[Person 1] at Kela listened to me" in public_text
    page.goto(f"/themes/{theme.slug}/")
    card = page.locator(".story-card", has_text="Someone listened")
    assert "Anna" not in card.inner_text()
    screenshot(page, "public-theme")


def test_the_ui_renders_in_finnish_from_the_browser_language(browser, live_server):
    """A phone set to Finnish gets the reporter's form, its scripts' words and the
    receipt in Finnish, with the drive's Finnish consent text."""
    context = browser.new_context(
        base_url=live_server.url,
        service_workers="block",
        locale="fi-FI",
        viewport={"width": 390, "height": 844},
    )
    context.set_default_timeout(10_000)
    finnish = context.new_page()
    errors = uncaught_errors(finnish)
    try:
        drive = DriveFactory(
            slug="kirjasto", title="Kirjastoautot", description="Kerro, miten kirjastoauto palveli."
        )
        finnish.goto(f"/d/{drive.slug}/")
        assert finnish.locator("html").get_attribute("lang") == "fi"
        assert finnish.get_by_role("button", name="Lähetä tarinani").is_visible()
        assert "Säilytämme tarinasi." in finnish.locator(".consent-text").inner_text()
        screenshot(finnish, "reporter-fi", full_page=False)
        finnish.fill("#id_text", "Kirjastoauto tuli ajallaan.")
        finnish.click("button[type=submit]")
        receipt_shown(finnish)
        assert "Kiitos" in finnish.locator("[data-receipt-panel] h2").inner_text()
    finally:
        context.close()
    assert errors == []


def test_curator_selects_words_in_the_transcript_to_redact_them_and_mutes_a_stretch(
    page, live_server
):
    curator = UserFactory(username="curator-c", role=Role.CURATOR)
    story = StoryFactory(status=StoryStatus.NEEDS_REVIEW, kind="audio")
    normalised_recording(story, seconds=6)
    transcript_for(story, "ask for Heikki at the kiosk by the bus stop", seconds_per_word=0.5)
    sign_in(page, curator, live_server)
    page.goto(f"/console/stories/{story.pk}/")
    # Select part of "Heikki" and "at" by dragging: the selection grows to whole words.
    page.evaluate(
        """() => {
          const words = document.querySelectorAll('[data-words] .w');
          const range = document.createRange();
          range.setStart(words[2].firstChild, 1); range.setEnd(words[3].firstChild, 1);
          const selection = window.getSelection();
          selection.removeAllRanges(); selection.addRange(range);
          words[3].dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
        }"""
    )
    tools = page.locator("[data-word-tools]")
    tools.wait_for(state="visible")
    assert tools.locator("[data-word-selection]").inner_text() == "Heikki at"
    form = tools.locator("[data-word-form=hide]")
    form.locator("select[name=type]").select_option("person")
    # The console reloads the page once the redaction is stored: wait for that reload, or
    # it would abort the next navigation.
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    added = Redaction.objects.get(story=story, field="transcript")
    assert (added.text, added.type, added.redact) == ("Heikki at", "person", True)

    page.fill("#mute-from", "4")
    page.fill("#mute-to", "4.5")
    page.click("text=Mute this stretch")
    wait_for(lambda: Redaction.objects.filter(story=story, field="audio").exists())
    muted = Redaction.objects.get(story=story, field="audio")
    assert (muted.start, muted.end) == (4000, 4500)
