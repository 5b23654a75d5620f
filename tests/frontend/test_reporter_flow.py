"""The reporter's flow on a phone (390 by 844) in Chromium: record-first Speak mode, receipts
that are never lost, drafts that survive a language switch, and POST/redirect/GET."""

from __future__ import annotations

import re

import pytest

from stories.domain import receipts
from stories.models import Story
from tests.factories import DriveFactory, story_with_receipt
from tests.frontend.conftest import AXE, screenshot
from tests.frontend.test_accessibility import blocking_violations, load_axe

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

RECEIPT = re.compile(r"^[0-9A-Z]{4}(-[0-9A-Z]{4}){7}$")


def no_axe_violations(page, label: str) -> None:
    if AXE.exists():
        assert blocking_violations(page) == [], label


def kept_receipts(page) -> list[str]:
    """The receipts in "My stories on this phone", as the page shows them."""
    return [
        code.strip()
        for code in page.locator("[data-my-stories] [data-receipt-code]").all_inner_texts()
    ]


def groups_stay_on_one_line(page, selector: str) -> bool:
    return page.locator(selector).evaluate(
        "code => [...code.querySelectorAll('.grp')].every(g => g.getClientRects().length === 1)"
    )


def test_speak_is_record_first_and_keyboard_focus_stays_on_the_recorder(phone):
    drive = DriveFactory(slug="speak")
    if AXE.exists():
        load_axe(phone)
    phone.goto(f"/d/{drive.slug}/")
    phone.check("input[name=kind][value=audio]")
    record = phone.locator("[data-rec-start]")
    box = record.bounding_box()
    assert box["y"] + box["height"] < 844, "Record is below the fold"
    assert box["y"] < phone.locator("#id_title").bounding_box()["y"]  # right under the choice
    no_axe_violations(phone, "drive, recorder")

    record.focus()
    phone.keyboard.press("Enter")
    state = phone.locator("[data-rec-state]")
    phone.wait_for_function("() => document.querySelector('[data-timer]').textContent !== '0:00'")
    assert state.inner_text() == "Recording…"
    assert phone.evaluate("document.activeElement.hasAttribute('data-rec-stop')")
    phone.locator("[data-rec-pause]").focus()
    phone.keyboard.press("Enter")
    assert state.inner_text() == "Paused"
    assert phone.evaluate("document.activeElement.hasAttribute('data-rec-pause')")
    phone.keyboard.press("Enter")  # resume
    assert state.inner_text() == "Recording…"
    phone.locator("[data-rec-stop]").focus()
    phone.keyboard.press("Enter")
    phone.locator("[data-playback]").wait_for(state="visible")
    assert state.inner_text() == "Recorded"
    assert phone.evaluate("document.activeElement.hasAttribute('data-rec-again')")
    phone.check("input[name=consent_publish_audio]")
    phone.evaluate("document.querySelector('.story-form').scrollIntoView()")
    screenshot(phone, "reporter-recorded", full_page=False)

    # An unsent recording: leaving the page asks first.
    with phone.expect_event("dialog") as asked:
        phone.close(run_before_unload=True)
    assert asked.value.type == "beforeunload"
    asked.value.dismiss()  # stay


def test_two_stories_queued_offline_keep_both_receipts(phone):
    drive = DriveFactory(slug="offline-two")
    if AXE.exists():
        load_axe(phone)
    phone.goto(f"/d/{drive.slug}/")
    phone.context.set_offline(True)
    send = phone.locator("button[type=submit]")
    for text in ("The first bus never came.", "The second bus was full."):
        phone.fill("#id_text", text)
        send.click()
        # Safe in the outbox: the form is empty and Send is ready for the next story.
        phone.wait_for_function(
            "() => !document.querySelector('#id_text').value"
            " && !document.querySelector('button[type=submit]').disabled"
        )
        assert phone.locator("[data-queued]").is_visible()
    assert not Story.objects.exists()

    phone.context.set_offline(False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    phone.wait_for_function(
        "() => document.querySelectorAll('[data-my-stories] [data-receipt-code]').length === 2"
    )
    kept = kept_receipts(phone)
    assert phone.locator("[data-my-stories] [data-copy]").nth(1).is_visible()
    assert all(RECEIPT.match(code) for code in kept), kept
    texts = {receipts.find_story(code).text for code in kept}
    assert texts == {"The first bus never came.", "The second bus was full."}
    shown = phone.locator("[data-receipt-panel] [data-receipt-code]").inner_text().strip()
    assert shown in kept
    assert groups_stay_on_one_line(phone, "[data-receipt-panel] [data-receipt-code]")
    phone.locator("[data-receipt-qr] svg").wait_for()
    no_axe_violations(phone, "receipt screen with two receipts")
    screenshot(phone, "reporter-receipt")

    # The receipt screen survives a reload; the list is on every reporter page.
    phone.reload()
    phone.locator("[data-receipt-panel]").wait_for(state="visible")
    assert phone.locator("[data-receipt-panel] [data-receipt-code]").inner_text() == shown
    phone.goto("/r/")
    phone.locator("[data-my-stories]").wait_for(state="visible")
    assert sorted(kept_receipts(phone)) == sorted(kept)
    no_axe_violations(phone, "status page with the list")
    phone.goto("/")
    assert sorted(kept_receipts(phone)) == sorted(kept)
    no_axe_violations(phone, "home with the list")
    with phone.expect_download() as download:
        phone.locator("[data-my-stories] [data-download]").first.click()
    assert kept[0] in download.value.path().read_text()

    phone.goto(f"/d/{drive.slug}/")
    phone.click("[data-tell-another]")
    phone.locator("#id_text").wait_for(state="visible")
    assert Story.objects.count() == 2

    # The form posted as it is (no outbox): the receipt page after the redirect keeps its
    # receipt in the list too, and so does a reload, which shows the receipt no more.
    phone.fill("#id_text", "The third one, posted as a plain form.")
    phone.evaluate(f"localStorage.removeItem('tarina-draft:{drive.slug}')")  # leave unasked
    phone.evaluate("document.querySelector('form[data-story-form]').submit()")
    phone.wait_for_url(f"**/d/{drive.slug}/sent/")
    third = phone.locator(".receipt [data-receipt-code]").inner_text().strip()
    assert groups_stay_on_one_line(phone, ".receipt [data-receipt-code]")
    assert kept_receipts(phone) == [third, *kept]
    no_axe_violations(phone, "receipt page without the outbox")
    phone.reload()
    assert third not in phone.locator(".receipt").inner_text()
    assert kept_receipts(phone) == [third, *kept]
    no_axe_violations(phone, "receipt page, reloaded")
    assert Story.objects.count() == 3


def test_a_draft_survives_a_language_switch(phone):
    drive = DriveFactory(slug="draft")
    phone.goto(f"/d/{drive.slug}/?lang=en")
    phone.fill("#id_title", "Night bus")
    phone.fill("#id_text", "Half written, on the way home.")
    phone.check("input[name=consent_publish_text]")
    phone.click("nav.langs a[hreflang=fi]")
    phone.wait_for_function("() => document.documentElement.lang === 'fi'")
    assert phone.input_value("#id_text") == "Half written, on the way home."
    assert phone.input_value("#id_title") == "Night bus"
    assert phone.is_checked("input[name=consent_publish_text]")
    screenshot(phone, "reporter-fi", full_page=False)

    # The status page after a look-up: the other language's page has the receipt ready.
    _, receipt = story_with_receipt(drive=drive)
    phone.goto("/r/")
    phone.fill("#id_receipt", receipt)
    phone.click("button[type=submit]")
    phone.locator("[data-status]").wait_for()
    phone.click("nav.langs a[hreflang=sv]")
    phone.wait_for_function("() => document.documentElement.lang === 'sv'")
    assert phone.input_value("#id_receipt") == receipt


def test_the_form_without_javascript_redirects_so_a_reload_sends_nothing_twice(
    browser, live_server
):
    drive = DriveFactory(slug="no-js")
    context = browser.new_context(
        base_url=live_server.url,
        java_script_enabled=False,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
    )
    page = context.new_page()
    try:
        page.goto(f"/d/{drive.slug}/")
        page.fill("#id_text", "Sent from a phone without scripts.")
        page.click("button[type=submit]")
        page.wait_for_url(f"**/d/{drive.slug}/sent/")
        receipt = page.locator("[data-receipt-code]").inner_text().strip()
        assert RECEIPT.match(receipt), receipt
        assert receipts.find_story(receipt).text == "Sent from a phone without scripts."
        assert receipt not in page.url
        page.reload()
        assert Story.objects.count() == 1  # no duplicate
        assert receipt not in page.content()  # shown once
        assert page.locator("a", has_text="Tell another story").count() == 1
    finally:
        context.close()
