"""A reporter answers the drive's questions on a phone: a tap on the triad's triangle, a
step of the slider, an area from the drive's list; and the same without JavaScript."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from stories.models import Drive, Story
from tests.factories import StoryFactory
from tests.frontend.conftest import AXE, sign_in
from tests.frontend.test_accessibility import blocking_violations, load_axe


def load_demo() -> Drive:
    call_command("load_demo", "--no-accounts", stdout=io.StringIO())
    return Drive.objects.get(slug="demo")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_reporter_answers_a_triad_a_slider_and_an_area_on_a_phone(phone, live_server, curator):
    drive = load_demo()
    if AXE.exists():
        load_axe(phone)
    phone.goto(f"/d/{drive.slug}/")
    phone.fill("#id_text", "The nurse took time to explain everything to my father.")
    triangle = phone.locator("[data-question=about] [data-triad-pick]")
    triangle.scroll_into_view_if_needed()
    box = triangle.bounding_box()
    # Near the bottom-left corner ("being cared for"): the viewBox is 200 by 180.
    phone.mouse.click(box["x"] + box["width"] * 25 / 200, box["y"] + box["height"] * 160 / 180)
    care = phone.locator("input[name=q-about-care]")
    assert int(care.input_value()) >= 8
    phone.locator("[data-question=heard] input[value='5']").check()
    phone.select_option("select[name=q-area]", "east")
    phone.locator("[data-question=role] input[value=family]").check()
    if AXE.exists():
        assert blocking_violations(phone) == [], "drive page with questions"
    phone.click("button[type=submit]")
    phone.locator("[data-receipt-panel]").wait_for(state="visible")

    answers = Story.objects.get().answers
    assert max(answers["about"], key=answers["about"].get) == "care"
    assert answers["heard"] == 83  # step 5 of 0..6
    assert answers["role"] == "family"
    assert answers["area"] == "east"

    # The console counts it, suppressed, and draws the area map.
    for _ in range(5):
        StoryFactory(drive=drive, answers={"area": "east", "role": "family"})
    sign_in(phone, curator, live_server)
    phone.goto("/console/patterns/?drive=demo")
    assert phone.locator(".area-map path").count() == 3
    assert "East side: 5" in phone.locator(".area-map").inner_html()
    if AXE.exists():
        assert blocking_violations(phone) == [], "console patterns"


def test_the_form_without_javascript_keeps_the_answers(client, db):
    drive = load_demo()
    response = client.post(
        f"/d/{drive.slug}/",
        {
            "kind": "text",
            "text": "Nobody told us why the clinic closed.",
            "consent_store": "on",
            "q-about-power": "1",
            "q-about-care": "0",
            "q-about-information": "9",
            "q-heard": "0",
            "q-area": "west",
        },
    )
    assert response.status_code == 303
    answers = Story.objects.get().answers
    assert answers == {
        "about": {"power": 0.1, "care": 0.0, "information": 0.9},
        "heard": 0,
        "area": "west",
    }


def test_a_forged_answer_comes_back_with_the_reason_and_nothing_is_stored(client, db):
    drive = load_demo()
    response = client.post(
        f"/d/{drive.slug}/",
        {"kind": "text", "text": "Words.", "consent_store": "on", "q-area": "atlantis"},
    )
    assert response.status_code == 400
    assert "one of: west, centre, east" in response.content.decode()
    assert not Story.objects.exists()
