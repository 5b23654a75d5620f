"""Every console page in Chromium: axe-core finds no serious or critical violation on the
queue, the story page of each kind, collections, the dashboard and the login; the queue's
filters work with their labels over the right fields."""

from __future__ import annotations

import datetime
import os

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from stories.enums import AssetRole, Role, StoryKind, StoryStatus, ThemeSource
from stories.models import MediaAsset, StoryTheme, Theme
from tests.factories import (
    CollectionFactory,
    StoryFactory,
    UserFactory,
    published_story,
    transcript_for,
)
from tests.frontend.conftest import AXE, sign_in
from tests.frontend.test_accessibility import blocking_violations, load_axe
from tests.frontend.test_pages import normalised_recording
from tests.frontend.test_picture_review import loaded, photo_for_review

# Rendering and the browser: the queue's queries are tested on every database in
# test_console_queue.py, so one CI run of these is enough.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.single_run,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def waiting(title: str, days_ago: int, **kwargs: object):
    submitted = timezone.now() - datetime.timedelta(days=days_ago)
    return StoryFactory(
        title=title, status=StoryStatus.NEEDS_REVIEW, submitted_at=submitted, **kwargs
    )


def test_every_console_page_passes_axe(page, live_server, tmp_path):
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{AXE} is missing: run `npm ci`")
        pytest.skip(f"{AXE} is missing: run `npm ci`")
    theme, _ = Theme.objects.get_or_create(
        slug="being-heard", defaults={"constellation": "power", "labels": {"en": "Being heard"}}
    )
    audio = waiting(
        "Audio",
        4,
        kind=StoryKind.AUDIO,
        consent={"store": True, "publish_text": True, "publish_audio": True},
    )
    normalised_recording(audio, seconds=3)
    transcript_for(audio, "Anna said the bus never came")
    StoryTheme.objects.create(story=audio, theme=theme, source=ThemeSource.REPORTER)
    text = waiting("Text", 3, kind=StoryKind.TEXT, text="The library closed early.")
    video = waiting("Video", 2, kind=StoryKind.VIDEO)
    MediaAsset.objects.create(
        story=video,
        role=AssetRole.ORIGINAL,
        mime_type="video/mp4",
        file=ContentFile(b"\x00" * 64, name="v.mp4"),
    )
    transcript_for(video, "the bus never came")
    photo = photo_for_review(tmp_path)
    CollectionFactory(slug="draft")
    load_axe(page)
    found: dict[str, list[str]] = {}

    def check(label: str, url: str) -> None:
        page.goto(url)
        page.wait_for_load_state("load")
        problems = blocking_violations(page)
        if problems:
            found[label] = problems

    check("login", "/login/?lang=en")
    sign_in(page, UserFactory(username="curator-axe", role=Role.CURATOR), live_server)
    check("queue", "/console/?lang=en")
    check("queue, approved", "/console/?status=approved")
    check("story, audio", f"/console/stories/{audio.pk}/")
    page.click(".words .w[data-i='1']")  # the word tools, shown
    if problems := blocking_violations(page):
        found["story, audio, words selected"] = problems
    check("story, text", f"/console/stories/{text.pk}/")
    check("story, video", f"/console/stories/{video.pk}/")
    check("story, photo", f"/console/stories/{photo.pk}/")
    loaded(page, "img[data-derivative]")
    check("collections", "/console/collections/")
    check("dashboard", "/console/dashboard/")
    for told in ("The evening bus to the library was cut.", "No evening bus, no library."):
        published_story(story__drive=audio.drive, story__text=told)
    check("insights", "/console/insights/")
    check("insights, a drive", f"/console/insights/?scope=drive&slug={audio.drive.slug}")
    check("patterns", f"/console/patterns/?drive={audio.drive.slug}")
    check("queue in Finnish", "/console/?lang=fi")
    assert found == {}


def test_queue_filters_in_the_browser(page, live_server):
    theme, _ = Theme.objects.get_or_create(
        slug="being-heard", defaults={"constellation": "power", "labels": {"en": "Being heard"}}
    )
    old = waiting("Old tramline", 3)
    waiting("New library", 1)
    rejected = waiting("Rejected theme", 2)
    for story in (old, rejected):
        StoryTheme.objects.create(story=story, theme=theme, source=ThemeSource.MACHINE)
    StoryTheme.objects.filter(story=rejected).update(state="rejected", decided_at=timezone.now())
    StoryFactory(title="Approved one", status=StoryStatus.APPROVED)
    sign_in(page, UserFactory(username="curator-q", role=Role.CURATOR), live_server)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/console/?lang=en")

    def rows() -> list[str]:
        return page.locator("table.queue tbody td:nth-child(2)").all_inner_texts()

    assert rows() == ["Old tramline", "Rejected theme", "New library"]
    # Each label sits right above its own field.
    for field in ("q-search", "q-drive", "q-theme", "q-language", "q-sort"):
        label = page.locator(f"label[for={field}]").bounding_box()
        box = page.locator(f"#{field}").bounding_box()
        assert abs(label["x"] - box["x"]) < 2, field
        assert 0 <= box["y"] - (label["y"] + label["height"]) < 12, field

    page.select_option("#q-sort", "newest")
    with page.expect_navigation():
        page.click(".queue-filters button[type=submit]")
    assert rows() == ["New library", "Rejected theme", "Old tramline"]

    page.select_option("#q-theme", theme.slug)
    with page.expect_navigation():
        page.click(".queue-filters button[type=submit]")
    assert rows() == ["Old tramline"]  # not the story where the theme was rejected

    page.fill("#q-search", "")
    page.select_option("#q-theme", "")
    page.fill("#q-search", "tramline")
    with page.expect_navigation():
        page.click(".queue-filters button[type=submit]")
    assert rows() == ["Old tramline"]

    with page.expect_navigation():
        page.click("[data-status-filter=approved]")
    assert rows() == []  # the search stays: no approved story mentions a tramline
    page.fill("#q-search", "")
    with page.expect_navigation():
        page.click(".queue-filters button[type=submit]")
    assert rows() == ["Approved one"]
    assert page.get_attribute("[data-status-filter=approved]", "aria-current") == "page"
