"""What the meaning shows, at phone size in Chromium: a story page's related clips from
other stories (in another language), and the console's evidence when a theme was
suggested by what happened rather than by the story's words. The packaged model and the
real tagger run; nothing is stubbed."""

from __future__ import annotations

import pytest

from stories import tasks
from stories.domain import themes
from stories.enums import StoryStatus
from tests.factories import StoryFactory, published_story
from tests.frontend.conftest import fits_the_screen, screenshot, sign_in
from tests.frontend.test_accessibility import blocking_violations, load_axe
from tests.stories.clip_helpers import bus_and_library_clips

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Transparency told only through what happened: none of the theme's words.
LETTER = "The letter just said 'not eligible' and a number that never answers."


def test_a_story_page_on_a_phone_leads_to_a_related_clip_in_another_language(
    phone, live_server, tmp_path, curator
):
    told = bus_and_library_clips(tmp_path, curator)
    bus = published_story(
        story__title="Waiting for the bus",
        story__text="We waited an hour for the bus in the cold; nobody said the stop had moved.",
        story__language="en",
    )
    tasks.embed_story(bus.pk)
    load_axe(phone)

    phone.goto(f"/stories/{bus.public_id}/")
    related = phone.get_by_role("complementary", name="Related clips")
    related.scroll_into_view_if_needed()
    assert related.is_visible()
    links = related.get_by_role("link")
    assert links.count() == 1  # the library clip is not close in meaning
    assert "SV" in related.inner_text()
    assert fits_the_screen(phone)
    assert blocking_violations(phone) == []
    screenshot(phone, "story-related-clips-phone")

    links.first.click()
    phone.wait_for_url(f"**/clips/{told['sv'].public_id}/")
    assert told["sv"].quote in phone.content()
    assert fits_the_screen(phone)


def test_the_console_on_a_phone_says_a_theme_came_from_the_story_s_meaning(
    phone, live_server, curator
):
    story = StoryFactory(status=StoryStatus.NEEDS_REVIEW, title="", text=LETTER, language="en")
    rows = {tag.theme.slug: tag for tag in themes.suggest(story)}
    decided = rows["transparency"]
    assert decided.evidence[0]["source"] == "taxonomy"  # the meaning decided, not the words
    sign_in(phone, curator, live_server)
    load_axe(phone)

    phone.goto(f"/console/stories/{story.pk}/")
    evidence = phone.get_by_text("Close in meaning to this example of the theme:")
    evidence.scroll_into_view_if_needed()
    assert evidence.is_visible()
    assert decided.evidence[0]["text"] in evidence.inner_text()
    assert fits_the_screen(phone)
    assert blocking_violations(phone) == []
    screenshot(phone, "console-meaning-evidence-phone")
