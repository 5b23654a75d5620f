"""The curator's story page in Chromium: selecting words in the synced transcript to hide,
tag or correct them, theme chips that act on the chip clicked, and keyboard shortcuts."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from stories.domain import audio_redactions, transcripts
from stories.enums import Role, StoryStatus, ThemeSource, ThemeTagState
from stories.models import Redaction, Story, StoryTheme, Theme
from tests.factories import StoryFactory, UserFactory, transcript_for
from tests.frontend.conftest import screenshot, sign_in
from tests.frontend.test_accessibility import blocking_violations, load_axe
from tests.frontend.test_pages import normalised_recording

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Collects every "tarina:wordselection" event the page sends, for the test to read.
LISTEN = """
window.selections = [];
document.addEventListener("tarina:wordselection", e => window.selections.push(e.detail));
"""


def theme(slug: str, label: str) -> Theme:
    found, _ = Theme.objects.get_or_create(
        slug=slug, defaults={"constellation": "power", "labels": {"en": label}}
    )
    return found


def spoken_story(title: str, text: str, *, days_ago: int = 2) -> Story:
    story = StoryFactory(
        title=title,
        kind="audio",
        status=StoryStatus.NEEDS_REVIEW,
        text="",
        submitted_at=timezone.now() - datetime.timedelta(days=days_ago),
        consent={"store": True, "publish_text": True, "publish_audio": True},
    )
    normalised_recording(story, seconds=4)
    transcript_for(story, text)
    return story


def last_selection(page):
    return page.evaluate("window.selections[window.selections.length - 1]")


def reloaded(page, action) -> None:
    """Run ``action`` (a click that saves) and wait for the page to come back."""
    with page.expect_navigation():
        action()


def test_curator_selects_words_to_hide_tag_and_correct_them(page, live_server):
    heard = theme("being-heard", "Being heard")
    story = spoken_story("The bus", "Anna said the bus never came")
    following = spoken_story("The library", "the library was closed", days_ago=1)
    curator = UserFactory(username="curator-words", role=Role.CURATOR)
    sign_in(page, curator, live_server)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.context.add_init_script(LISTEN)
    page.goto(f"/console/stories/{story.pk}/?lang=en")

    # One word: it is selected, the tools appear and the page hears about it.
    page.click(".words .w[data-i='0']")
    assert last_selection(page) == {"start": 0, "end": 0.4, "text": "Anna", "first": 0, "last": 0}
    assert page.is_visible("[data-word-tools]")
    reloaded(page, lambda: page.click("[data-word-form=hide] button"))
    hidden = Redaction.objects.get(story=story, field="transcript")
    assert (hidden.start, hidden.end, hidden.text) == (0, 4, "Anna")
    assert "hidden" in page.get_attribute(".words .w[data-i='0']", "class")
    transcript = transcripts.primary(story)
    assert (0.0, 0.4) in audio_redactions.ranges(story, transcript)  # the sound follows

    # A run of words by Shift+click; Escape clears it and says so.
    page.click(".words .w[data-i='2']")
    page.click(".words .w[data-i='4']", modifiers=["Shift"])
    assert last_selection(page) == {
        "start": 1.0,
        "end": 2.4,
        "text": "the bus never",
        "first": 2,
        "last": 4,
    }
    page.keyboard.press("Escape")
    assert last_selection(page) is None
    assert not page.is_visible("[data-word-tools]")

    # The same run, dragged across, tags a theme with the passage as evidence.
    box = page.locator(".words .w[data-i='2']").bounding_box()
    end = page.locator(".words .w[data-i='4']").bounding_box()
    page.mouse.move(box["x"] + 4, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] - 4, end["y"] + end["height"] / 2, steps=5)
    page.mouse.up()
    assert last_selection(page)["text"] == "the bus never"
    page.select_option("#tag-theme", heard.slug)
    # docs/screenshots/console-story.png: run with TARINA_SCREENSHOTS=docs/screenshots.
    screenshot(page, "console-story")
    reloaded(page, lambda: page.click("[data-word-form=tag] button"))
    tag = StoryTheme.objects.get(story=story, theme=heard)
    assert tag.state == ThemeTagState.CONFIRMED
    assert tag.evidence[0]["text"] == "the bus never"
    assert tag.evidence[0]["segment_start"] == 1.0
    assert (
        page.locator(f"[data-theme-chip={heard.slug}] .evidence").inner_text() == "“the bus never”"
    )

    # Correcting in place: the clickable transcript shows the correction, at the old time.
    page.click(".words .w[data-i='5']")
    page.fill("#correct-words", "arrived late")
    reloaded(page, lambda: page.click("[data-word-form=correct] button"))
    assert transcripts.current_text(transcript) == "Anna said the bus never arrived late"
    words = page.locator(".words .w")
    assert words.nth(5).inner_text() == "arrived"
    assert words.nth(6).inner_text() == "late"
    assert float(words.nth(5).get_attribute("data-start")) == 2.5

    # Words are targets of at least 24 by 24 pixels.
    sizes = page.eval_on_selector_all(
        ".words .w", "ws => ws.map(w => [w.offsetWidth, w.offsetHeight])"
    )
    assert min(w for w, _ in sizes) >= 24
    assert min(h for _, h in sizes) >= 24

    # Shortcuts: not while typing in a field; "n" opens the next story, "a" approves it.
    page.fill("#reason", "")
    page.focus("#reason")
    page.keyboard.type("na")
    assert page.input_value("#reason") == "na"
    assert page.url.endswith(f"/console/stories/{story.pk}/?lang=en")
    page.locator("h1").click()
    with page.expect_navigation():
        page.keyboard.press("n")
    assert page.url.endswith(f"/console/stories/{following.pk}/")
    page.keyboard.press("k")
    page.wait_for_function("() => !document.querySelector('[data-player]').paused")
    page.keyboard.press("k")
    page.wait_for_function("() => document.querySelector('[data-player]').paused")
    with page.expect_navigation():
        page.keyboard.press("a")
    following.refresh_from_db()
    assert following.status == StoryStatus.APPROVED


def test_theme_chips_act_on_the_chip_clicked_and_merge_every_source(page, live_server):
    chosen = theme("being-heard", "Being heard")
    suggested = theme("equal-access", "Equal access")
    both = theme("trust", "Trust")
    story = spoken_story("Chips", "Anna said the bus never came")
    StoryTheme.objects.create(story=story, theme=chosen, source=ThemeSource.REPORTER)
    StoryTheme.objects.create(story=story, theme=suggested, source=ThemeSource.MACHINE, score=0.5)
    StoryTheme.objects.create(story=story, theme=both, source=ThemeSource.MACHINE, score=0.7)
    StoryTheme.objects.create(story=story, theme=both, source=ThemeSource.REPORTER)
    curator = UserFactory(username="curator-chips", role=Role.CURATOR)
    sign_in(page, curator, live_server)
    load_axe(page)
    page.goto(f"/console/stories/{story.pk}/?lang=en")

    chips = page.locator("[data-theme-chip]")
    assert chips.count() == 3  # one chip per theme, whoever put it there
    both_chip = page.locator("[data-theme-chip=trust]")
    assert "chosen by the reporter" in both_chip.inner_text()
    assert "machine suggestion" in both_chip.inner_text()

    reloaded(page, lambda: page.click("[data-theme-chip=being-heard] button[value=confirm]"))
    assert page.get_attribute("[data-theme-chip=being-heard]", "data-state") == "confirmed"
    assert page.get_attribute("[data-theme-chip=equal-access]", "data-state") == "suggested"
    assert not page.is_visible("[data-theme-chip=being-heard] button[value=confirm]")
    assert StoryTheme.objects.filter(story=story).count() == 4  # no new tag was made

    reloaded(page, lambda: page.click("[data-theme-chip=trust] button[value=reject]"))
    assert page.get_attribute("[data-theme-chip=trust]", "data-state") == "rejected"
    assert set(
        StoryTheme.objects.filter(story=story, theme=both).values_list("state", flat=True)
    ) == {ThemeTagState.REJECTED}
    assert not page.is_visible("[data-theme-chip=trust] button[value=reject]")
    assert blocking_violations(page) == []  # the greyed rejected chip keeps its contrast

    # The preview names the themes that would be published.
    page.click("[data-preview]")
    themes_out = page.locator("[data-pv=themes]")
    themes_out.wait_for()
    page.wait_for_function("() => document.querySelector('[data-pv=themes]').textContent !== ''")
    assert themes_out.inner_text() == "Being heard"
