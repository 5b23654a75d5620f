"""Automated accessibility checks: axe-core (from npm) in Chromium on every kind of page.

WCAG 2.1 AA asks for more than a machine can check (keyboard use and sensible wording
need people), but what axe finds serious or critical must be zero everywhere.
"""

from __future__ import annotations

import os

import pytest
from django.utils import timezone

from stories.enums import Role, StoryStatus, ThemeSource, ThemeTagState
from stories.models import Redaction, StoryTheme, Theme
from tests.factories import (
    CollectionFactory,
    DriveFactory,
    StoryFactory,
    UserFactory,
    published_story,
    story_with_receipt,
    transcript_for,
)
from tests.frontend.conftest import AXE, fits_the_screen, sign_in
from tests.frontend.test_pages import normalised_recording

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# WCAG 2.0/2.1 A and AA rules, and axe's best practices (landmarks, headings, regions).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": AXE_TAGS},
    "resultTypes": ["violations"],
}
BLOCKING = {"serious", "critical"}


def blocking_violations(page) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now, one line each.

    axe comes in as an init script (``load_axe``): a script tag added to the page would be
    an inline script, which the pages' Content-Security-Policy refuses.
    """
    assert page.evaluate("typeof window.axe !== 'undefined'"), "load_axe(page) first"
    results = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    found = []
    for violation in results["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        targets = [" ".join(node["target"]) for node in violation["nodes"][:4]]
        found.append(f"{violation['id']} ({violation['impact']}): {violation['help']} — {targets}")
    return found


def load_axe(page) -> None:
    """Give every page of ``page``'s context axe-core before its own scripts run."""
    page.context.add_init_script(path=str(AXE))


@pytest.fixture
def site(db):
    """One of each thing the pages show: a drive, published and pending stories, a receipt."""
    theme, _ = Theme.objects.get_or_create(
        slug="being-heard",
        defaults={
            "constellation": "power",
            "labels": {"en": "Being heard", "fi": "Tulla kuulluksi"},
            "descriptions": {"en": "Whether anyone listened."},
        },
    )
    drive = DriveFactory(slug="a11y", prompts=[{"en": "What happened at the library?"}])
    collection = CollectionFactory(slug="heard", published_at=timezone.now())
    publication = published_story(
        collections=(collection,), themes=[theme], story__drive=drive, story__place="Oulu"
    )
    pending = StoryFactory(
        drive=drive, kind="audio", status=StoryStatus.NEEDS_REVIEW, text="Anna said hello."
    )
    normalised_recording(pending, seconds=3)
    transcript_for(pending, "Anna said the bus never came")
    Redaction.objects.create(
        story=pending, field="text", start=0, end=4, text="Anna", type="person", source="detector"
    )
    StoryTheme.objects.create(
        story=pending,
        theme=theme,
        source=ThemeSource.MACHINE,
        state=ThemeTagState.SUGGESTED,
        score=0.8,
        evidence=[{"text": "said the bus never came"}],
    )
    video = StoryFactory(drive=drive, kind="video", status=StoryStatus.NEEDS_REVIEW)
    transcript_for(video, "the bus never came")
    video.assets.update(variant="video", mime_type="video/mp4")
    draft_collection = CollectionFactory(slug="draft")
    draft_collection.entries.create(story=publication.story, position=0)
    _, receipt = story_with_receipt(
        drive=drive, status=StoryStatus.REJECTED, status_reason="It named a person."
    )
    withdrawn, _ = story_with_receipt(drive=drive, status=StoryStatus.WITHDRAWN)
    return {
        "withdrawn": withdrawn,
        "drive": drive,
        "theme": theme,
        "collection": collection,
        "publication": publication,
        "pending": pending,
        "video": video,
        "receipt": receipt,
    }


def public_pages(site: dict) -> dict[str, str]:
    """Every public page the site shows, by label."""
    drive = site["drive"]
    return {
        "home": "/",
        "public story list": "/stories/",
        "public theme list": "/themes/",
        "public theme": f"/themes/{site['theme'].slug}/",
        "public collection list": "/collections/",
        "public collection": f"/collections/{site['collection'].slug}/",
        "public story": f"/stories/{site['publication'].public_id}/",
        "status (ask)": "/r/",
        "login": "/login/",
        "drive in Finnish": f"/d/{drive.slug}/?lang=fi",
        "not found": "/stories/999999/",
        "withdrawn story": f"/stories/{site['withdrawn'].public_id}/",
    }


def console_pages(site: dict) -> dict[str, str]:
    """Every console page a curator opens, by label."""
    return {
        "console queue": "/console/",
        "console story": f"/console/stories/{site['pending'].pk}/",
        "console collections": "/console/collections/",
        "console dashboard": "/console/dashboard/",
        "console story in Finnish": f"/console/stories/{site['pending'].pk}/?lang=fi",
        "console video story": f"/console/stories/{site['video'].pk}/?lang=en",
    }


def test_every_page_has_no_serious_or_critical_violations(page, live_server, site):
    if not AXE.exists():
        missing = f"{AXE} is missing: run `npm ci` (make install does)"
        if os.environ.get("CI"):
            pytest.fail(missing)  # CI installs it: never let the check pass by skipping
        pytest.skip(missing)
    found: dict[str, list[str]] = {}
    load_axe(page)

    def check(label: str) -> None:
        page.wait_for_load_state("load")
        problems = blocking_violations(page)
        if problems:
            found[label] = problems

    drive = site["drive"]
    for label, url in public_pages(site).items():
        page.goto(url)
        check(label)

    # The reporter's form, with the recorder shown, then the receipt screen.
    page.goto(f"/d/{drive.slug}/?lang=en")
    check("drive")
    page.check("input[name=kind][value=audio]")
    page.locator("[data-rec-start]").wait_for(state="visible")
    check("drive, recorder")
    page.check("input[name=kind][value=text]")
    page.fill("#id_text", "The library bus came on time.")
    page.click("button[type=submit]")
    page.locator("[data-receipt-panel] [data-receipt-qr] svg").wait_for()
    check("receipt screen")

    # Without the script (a phone that blocks it), the form posts and comes back with errors.
    page.route("**/reporter.js", lambda route: route.abort())
    page.goto(f"/d/{drive.slug}/")
    page.uncheck("input[name=consent_store]")
    page.click("button[type=submit]")
    page.locator("#form-errors").wait_for()
    check("drive, errors without JavaScript")
    page.unroute("**/reporter.js")

    # The status page after a lookup, and the withdrawal confirmation.
    page.goto("/r/")
    page.fill("#id_receipt", site["receipt"])
    page.click("button[type=submit]")
    page.locator("[data-status]").wait_for()
    check("status (story)")
    page.click("button[name=step][value=withdraw]")
    check("status (confirm withdrawal)")

    curator = UserFactory(username="a11y-curator", role=Role.CURATOR)
    sign_in(page, curator, live_server)
    for label, url in console_pages(site).items():
        page.goto(url)
        check(label)
    page.goto(f"/console/stories/{site['pending'].pk}/?lang=en")
    page.click("[data-preview]")
    page.locator("[data-preview-out]").wait_for(state="visible")
    check("console story, preview")

    assert found == {}


def test_every_page_fits_a_phone_screen(phone, live_server, site):
    """No page needs sideways scrolling on a 390-pixel-wide phone."""
    too_wide: dict[str, int] = {}
    curator = UserFactory(username="phone-curator", role=Role.CURATOR)
    pages = {**public_pages(site), "drive": f"/d/{site['drive'].slug}/?lang=en"}
    for label, url in pages.items():
        phone.goto(url)
        if not fits_the_screen(phone):
            too_wide[label] = phone.evaluate("document.documentElement.scrollWidth")
    sign_in(phone, curator, live_server)
    more = {"console insights": "/console/insights/", "console patterns": "/console/patterns/"}
    for label, url in {**console_pages(site), **more}.items():
        phone.goto(url)
        if not fits_the_screen(phone):
            too_wide[label] = phone.evaluate("document.documentElement.scrollWidth")
    assert too_wide == {}
