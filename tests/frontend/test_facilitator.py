"""Facilitator mode on a phone (390 by 844) in Chromium: a workshop's storytellers, each with
their own consent read aloud, queued offline, sent, and printed as receipt slips."""

from __future__ import annotations

import pytest

from stories.domain import consent, receipts
from stories.enums import ConsentChannel
from stories.models import Story
from tests.factories import DriveFactory
from tests.frontend.conftest import AXE, screenshot
from tests.frontend.test_accessibility import load_axe
from tests.frontend.test_reporter_flow import RECEIPT, no_axe_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Each storyteller: the label the facilitator types (or none), their story, and what they
# agreed to when the consent text was read to them.
STORYTELLERS = [
    ("Aino", "The health centre called me back the same day.", {"store", "publish_text"}),
    ("Bashir", "Nobody at the office spoke my language.", {"store", "research"}),
    ("", "The ramp to the library is too steep.", {"store", "publish_text", "research"}),
]


def test_facilitator_records_three_storytellers_offline_and_prints_their_slips(phone):
    drive = DriveFactory(slug="workshop")
    if AXE.exists():
        load_axe(phone)
    sent_bodies: list[str] = []
    phone.on(
        "request",
        lambda r: sent_bodies.append(r.post_data or "") if r.method == "POST" else None,
    )
    phone.goto(f"/d/{drive.slug}/?mode=facilitator")
    assert phone.locator(".consent-text.read-aloud").is_visible()
    # Nothing is ticked ahead: each storyteller's answers are ticked as they give them.
    assert not phone.is_checked("input[name=consent_store]")
    no_axe_violations(phone, "facilitator page")

    phone.context.set_offline(True)
    for label, text, agreed in STORYTELLERS:
        phone.fill("#id_storyteller", label)
        phone.fill("#id_text", text)
        for name in ("store", "publish_text", "research"):
            phone.set_checked(f"input[name=consent_{name}]", name in agreed)
        phone.check("#id_read_aloud")
        phone.click("button[type=submit]")
        phone.wait_for_function(
            "() => !document.querySelector('#id_text').value"
            " && !document.querySelector('#id_storyteller').value"
            " && !document.querySelector('button[type=submit]').disabled"
        )
    waiting = phone.locator("[data-workshop-waiting-list] li")
    waiting.nth(2).wait_for()
    assert waiting.all_inner_texts() == ["Aino", "Bashir", "Person 3"]
    assert not Story.objects.exists()

    phone.context.set_offline(False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    phone.wait_for_function(
        "() => document.querySelectorAll('.slip svg').length === 3", timeout=20_000
    )
    assert phone.locator("[data-workshop-waiting]").is_hidden()
    assert phone.locator("[data-receipt-panel]").is_hidden()  # slips, not one storyteller's screen

    slips = phone.locator(".slip")
    shown = {
        slips.nth(i).locator("[data-slip-who]").inner_text(): slips.nth(i)
        .locator("[data-receipt-code]")
        .inner_text()
        .strip()
        for i in range(3)
    }
    assert set(shown) == {"Aino", "Bashir", "Person 3"}
    for label, text, agreed in STORYTELLERS:
        receipt = shown[label or "Person 3"]
        assert RECEIPT.match(receipt), receipt
        story = receipts.find_story(receipt)
        assert story.text == text
        record = consent.current(story)
        assert set(record.scopes) == agreed
        assert record.channel == ConsentChannel.FACILITATOR
        assert record.consent_version == 1
    assert Story.objects.count() == 3
    # The labels stayed on the phone: no request carried them.
    assert not [body for body in sent_bodies if "Aino" in body or "Bashir" in body]
    no_axe_violations(phone, "facilitator page with three slips")
    screenshot(phone, "facilitator-slips")

    # Printed, the page is the three slips, two to a row, each with its receipt and QR code.
    phone.emulate_media(media="print")
    assert phone.locator("form[data-story-form]").is_hidden()
    assert phone.locator("header.top").is_hidden()
    assert phone.locator("[data-print-slips]").is_hidden()
    boxes = [slips.nth(i).bounding_box() for i in range(3)]
    assert boxes[0]["y"] == boxes[1]["y"]
    assert boxes[2]["y"] > boxes[0]["y"]
    assert boxes[1]["x"] > boxes[0]["x"] + boxes[0]["width"] - 1
    for i in range(3):
        assert slips.nth(i).locator(".qr svg").is_visible()
        assert slips.nth(i).locator("[data-receipt-code] .grp").count() == 4
    phone.emulate_media(media="screen")

    # A story the server refuses comes back into the form with its storyteller's label.
    drive.is_open = False
    drive.save(update_fields=["is_open"])
    phone.fill("#id_storyteller", "Dana")
    phone.fill("#id_text", "Told after the drive closed.")
    phone.check("input[name=consent_store]")
    phone.check("#id_read_aloud")
    phone.click("button[type=submit]")
    phone.locator("#form-errors").wait_for()
    assert phone.input_value("#id_storyteller") == "Dana"
    assert phone.input_value("#id_text") == "Told after the drive closed."
    assert Story.objects.count() == 3

    # After printing, the workshop leaves the shared phone.
    phone.click("[data-clear-workshop]")
    phone.click("[data-clear-yes]")
    phone.wait_for_function("() => document.querySelectorAll('.slip').length === 0")
    assert phone.evaluate("localStorage.getItem('tarina-receipts')") == "[]"
    phone.reload()
    assert phone.locator("[data-workshop]").is_hidden()
