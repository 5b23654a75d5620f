"""A curator sees a photo story's original beside the picture that would be published,
marks a region to blur by dragging, and approves exactly the picture they saw (Chromium)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files import File

from stories.enums import AssetRole, Role, StoryKind, StoryStatus
from stories.models import MediaAsset, Story
from tests.factories import StoryFactory, UserFactory
from tests.frontend.conftest import screenshot, sign_in
from tests.media_pipeline.anonymise.helpers import scene_with_name_tag

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def photo_for_review(folder: Path) -> Story:
    story = StoryFactory(
        kind=StoryKind.PHOTO,
        status=StoryStatus.NEEDS_REVIEW,
        consent={"store": True, "publish_text": True, "publish_image": True},
    )
    path = folder / "IMG_7.jpg"
    scene_with_name_tag("Matti Virtanen")[0].save(path, "JPEG", quality=92)
    with path.open("rb") as handle:
        MediaAsset.objects.create(
            story=story,
            role=AssetRole.ORIGINAL,
            mime_type="image/jpeg",
            file=File(handle, name=path.name),
        )
    return story


def loaded(page, selector: str) -> None:
    """Wait until the picture at ``selector`` has been fetched and decoded."""
    page.wait_for_function(
        "s => { const i = document.querySelector(s); "
        "return i && i.complete && i.naturalWidth > 0; }",
        arg=selector,
        timeout=30_000,
    )


def test_curator_sees_both_pictures_and_a_dragged_box_changes_the_published_one(
    page, live_server, tmp_path
):
    curator = UserFactory(username="curator-p", role=Role.CURATOR)
    story = photo_for_review(tmp_path)
    sign_in(page, curator, live_server)
    page.goto(f"/console/stories/{story.pk}/")
    loaded(page, "img[data-original]")
    loaded(page, "img[data-derivative]")
    before_src = page.get_attribute("img[data-derivative]", "src")
    before = page.request.get(before_src).body()
    original = page.request.get(page.get_attribute("img[data-original]", "src")).body()
    assert before != original  # the face and the name are blurred in the published one
    screenshot(page, "console-picture")

    stage = page.locator("[data-stage]").bounding_box()
    page.mouse.move(stage["x"] + stage["width"] * 0.6, stage["y"] + stage["height"] * 0.1)
    with page.expect_navigation():  # the box is saved and the page reloads
        page.mouse.down()
        page.mouse.move(stage["x"] + stage["width"] * 0.9, stage["y"] + stage["height"] * 0.4)
        page.mouse.up()
    story.refresh_from_db()
    assert len(story.picture_boxes) == 1
    assert story.picture_boxes[0]["x"] == pytest.approx(0.6, abs=0.02)
    loaded(page, "img[data-derivative]")
    after_src = page.get_attribute("img[data-derivative]", "src")
    assert after_src != before_src
    assert page.request.get(after_src).body() != before

    with page.expect_navigation():
        page.get_by_role("button", name="Approve").click()
    story.refresh_from_db()
    assert story.status == StoryStatus.APPROVED
    assert after_src.endswith(story.picture_seen)


def test_a_box_entered_by_numbers_is_refused_when_it_leaves_the_picture(
    page, live_server, tmp_path
):
    curator = UserFactory(username="curator-q", role=Role.CURATOR)
    story = photo_for_review(tmp_path)
    sign_in(page, curator, live_server)
    page.goto(f"/console/stories/{story.pk}/")
    form = page.locator("[data-box-form]")
    for name, value in {"x": "90", "y": "10", "width": "20", "height": "10"}.items():
        form.locator(f"input[name={name}]").fill(value)
    form.get_by_role("button").click()
    page.locator("[data-message].error").wait_for()
    assert "inside the picture" in page.locator("[data-message]").inner_text()
    story.refresh_from_db()
    assert story.picture_boxes == []
