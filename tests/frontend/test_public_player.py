"""The public story player in Chromium: the anonymised recording with its transcript
synchronised word by word, a hidden word as a neutral marker over the tone, usable by
keyboard and screen reader, and plain (native player, plain transcript) without script.

One published story for the module's checks: its build listens again with real Whisper.
"""

from __future__ import annotations

import importlib

import pytest
from django.core.files.storage import storages
from django.urls import clear_url_caches

import config.urls
from stories.domain import captions, publication
from tests.frontend.test_accessibility import blocking_violations, load_axe
from tests.media_pipeline.anonymise.helpers import (
    band_level,
    decode_mono,
    dominant_hz,
    segment,
)
from tests.stories.test_publication_media import SAID, approved_spoken_story

pytestmark = [
    pytest.mark.browser,
    # Whisper listens to the build again; what the database holds is tested on both
    # databases by tests/stories/test_public_transcript.py.
    pytest.mark.single_run,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PLAYER = "document.querySelector('[data-player]')"


@pytest.fixture
def public_files_served(settings):
    """The live server serves the public files itself, as ``make run`` does without a
    reverse proxy (the URL is added when the URLconf loads)."""
    settings.TARINA_SERVE_PUBLIC_MEDIA = True
    importlib.reload(config.urls)
    clear_url_caches()
    yield
    settings.TARINA_SERVE_PUBLIC_MEDIA = False
    importlib.reload(config.urls)
    clear_url_caches()


def published_spoken_story(drive, folder):
    """A story saying SAID ("... Maija Virtanen ..."), the name hidden, published."""
    return publication.publish(approved_spoken_story(drive, folder))


def word_times(locator) -> tuple[float, float]:
    return float(locator.get_attribute("data-start")), float(locator.get_attribute("data-end"))


def test_the_public_player_follows_the_voice_word_by_word(
    browser, page, drive, tmp_path, public_files_served
):
    copy = published_spoken_story(drive, tmp_path)
    load_axe(page)
    page.goto(f"/stories/{copy.public_id}/")
    page.wait_for_function(f"() => {PLAYER}.readyState >= 1")
    words = page.locator("[data-transcript] .word")
    assert words.count() == len(SAID.split()) - 1  # "Maija Virtanen" is one marker

    # The hidden name: a neutral marker, labelled for screen readers, over the tone.
    marker = page.locator("[data-transcript] .hidden-word")
    assert marker.inner_text() == captions.HIDDEN_MARKER
    assert marker.get_attribute("aria-label") == "hidden"
    start, end = word_times(marker)
    maija = SAID.split().index("Maija") * 0.5
    assert (start, end) == pytest.approx((maija, maija + 0.9), abs=0.01)  # both words
    heard = decode_mono(storages["public"].path(copy.audio.name))
    assert dominant_hz(segment(heard, start + 0.05, end - 0.05)) == pytest.approx(1000, abs=15)
    assert band_level(segment(heard, start + 0.05, end - 0.05), 1000) > 0.5
    assert band_level(segment(heard, end + 0.6, end + 1.5), 1000) < 0.01

    # Click a word: the player seeks to its start.
    desk = words.nth(5)  # "desk", said from 3.0 s
    assert desk.inner_text() == "desk"
    desk_start, _ = word_times(desk)
    desk.click()
    page.wait_for_function(f"() => {PLAYER}.currentTime >= {desk_start}")
    assert page.evaluate(f"{PLAYER}.currentTime") == pytest.approx(desk_start, abs=0.3)

    # The highlighted word follows playback: a later word is current, at its time.
    page.wait_for_function(
        "start => { const w = document.querySelector('[data-transcript] .word.current');"
        " return w && parseFloat(w.dataset.start) >= start + 1; }",
        arg=desk_start,
    )
    state = page.evaluate(
        f"""() => {{ const w = document.querySelector('[data-transcript] .word.current');
        return [parseFloat(w.dataset.start), {PLAYER}.currentTime,
                w.getAttribute('aria-current'),
                document.querySelectorAll('[data-transcript] .word.current').length]; }}"""
    )
    current_start, now, aria, highlighted = state
    assert current_start <= now + 0.05
    assert now - current_start < 0.6
    assert aria == "true"
    assert highlighted == 1
    page.evaluate(f"{PLAYER}.pause()")

    # Keyboard: one tab stop into the transcript, arrows between words, Enter plays there.
    words.first.focus()
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.textContent") == "asked"
    assert page.evaluate("document.activeElement.tabIndex") == 0
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => Math.abs({PLAYER}.currentTime - 0.5) < 0.3")
    assert words.nth(2).get_attribute("role") == "button"
    assert blocking_violations(page) == []

    # Without JavaScript: the native player with its captions, and the plain transcript.
    plain = browser.new_context(base_url=page.url.split("/stories/")[0], java_script_enabled=False)
    try:
        bare = plain.new_page()
        bare.goto(f"/stories/{copy.public_id}/")
        assert bare.locator("audio[controls] track[kind=captions]").count() == 1
        text = bare.locator("[data-transcript]").inner_text()
        assert "asked" in text
        assert "at the desk" in text
        assert "Maija" not in text
        assert captions.HIDDEN_MARKER in text
        assert bare.locator("[data-transcript] .word[role=button]").count() == 0
    finally:
        plain.close()
