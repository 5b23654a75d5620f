"""Learning that answers: a curator's theme decisions retrain the model within a minute,
a burst of them trains once, and the next story's score for the theme moves."""

from __future__ import annotations

import time

import pytest

from config.celery import app as celery_app
from stories.domain import retraining, theme_learning, themes
from stories.enums import ThemeAction, ThemeSource
from stories.models import StoryTheme, ThemeModelSnapshot
from tests.factories import StoryFactory

THEME = "transparency"
# Sixteen stories that carry the theme through what happened, not its words: a decision
# by letter, no reason given, nobody to ask.
CONFIRMED = [
    "The letter from the housing office said 'not eligible' and a reference number. "
    "Nobody told me why, and the phone line never answers.",
    "My rent support stopped. The letter gave a reference number and no reason. "
    "I called for days and nobody answers.",
    "A letter from the benefits office: 'not eligible'. Why? The number on the letter "
    "never answers.",
    "They refused my application by letter. No reason, just a reference number, and the "
    "phone rings and rings.",
    "The school board decided by letter that my son loses his place. Nobody says why and "
    "nobody answers the phone.",
    "A letter said my pension is cut, with a reference number. I still don't know why; "
    "the line never answers.",
    "The tax office sent a letter: 'not eligible'. No reason. I called the number and "
    "nobody answered.",
    "My appeal was refused in a letter with a reference number and nothing about why.",
    "The decision came by letter, 'not eligible', and the phone number on it never answers.",
    "Nobody could tell me why the allowance stopped. The letter only had a reference number.",
    "I got a letter saying 'not eligible'. I asked why at the desk and they said call the "
    "number. It never answers.",
    "The council's letter refused the permit with a reference number. No reason, no person to ask.",
    "A letter told me the care hours are cut. Why? The phone line never answers and the "
    "letter has only a number.",
    "'Not eligible' was all the letter said. I called the number for a week; nobody answers.",
    "The health centre sent a letter that my referral is refused. No reason given, and "
    "the number never answers.",
    "They stopped the support by letter. A reference number and no reason; nobody "
    "answers when I call.",
]
REJECTED = [
    "The choir at the library sang with us all afternoon and my grandson loved it.",
    "Our neighbours planted the courtyard garden together and shared the tomatoes.",
    "The bus driver waited for my wheelchair and helped me on with a smile.",
    "At the youth club the kids built a small boat and painted it blue.",
]
NEXT_STORY = (
    "Again a letter came from the pension office: 'not eligible', a reference number, "
    "nothing about why. I called the number for a week and it never answers."
)
# The smallest rise the test accepts in the next story's score for the theme (measured:
# 0.341 -> 0.467; with the old weight of 20 / 420 it was 0.341 -> 0.364; with the meaning
# and a model that reads it, 0.423 -> 0.569).
MIN_SCORE_CHANGE = 0.1


def decide_twenty(curator) -> None:
    for text in CONFIRMED:
        story = StoryFactory(title="", text=text, language="en")
        themes.decide(story, THEME, ThemeAction.ADD, actor=curator)
    for text in REJECTED:
        story = StoryFactory(title="", text=text, language="en")
        themes.decide(story, THEME, ThemeAction.REJECT, actor=curator)


def score_of_next_story() -> float:
    story = StoryFactory(title="", text=NEXT_STORY, language="en")
    themes.suggest(story)
    row = StoryTheme.objects.filter(
        story=story, theme__slug=THEME, source=ThemeSource.MACHINE
    ).first()
    return row.score if row is not None and row.score is not None else 0.0


def queued_messages() -> int:
    with celery_app.connection_for_write() as connection:
        return connection.default_channel.queue_declare(queue="media").message_count


@pytest.mark.single_run
def test_a_burst_of_twenty_decisions_queues_at_most_two_retrains(
    db, curator, shipped_themes, django_capture_on_commit_callbacks
):
    celery_app.control.purge()
    with django_capture_on_commit_callbacks(execute=True):
        decide_twenty(curator)
    assert 1 <= queued_messages() <= 2
    celery_app.control.purge()


def test_two_retrains_never_run_at_once(db):
    held = retraining.retrain_lock()
    held.__enter__()
    with pytest.raises(retraining.RetrainBusy), retraining.retrain_lock():
        pass
    held.__exit__(None, None, None)
    with retraining.retrain_lock():  # released after the first
        pass


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_decisions_change_the_next_storys_score_within_a_minute(
    worker, curator, shipped_themes, client
):
    before = score_of_next_story()
    decide_twenty(curator)
    last_decision = time.monotonic()
    deadline = last_decision + 60
    while not ThemeModelSnapshot.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    elapsed = time.monotonic() - last_decision
    assert ThemeModelSnapshot.objects.exists(), "no retrain within a minute"
    assert elapsed < 60
    after = score_of_next_story()
    print(f"retrained {elapsed:.1f} s after the last decision; {THEME}: {before} -> {after}")
    assert after - before >= MIN_SCORE_CHANGE

    progress = theme_learning.learning_progress("en")
    row = next(t for t in progress.themes if t.slug == THEME)
    assert (row.decisions, row.confirmed) == (20, 16)
    assert row.weight >= 0.2
    assert progress.retrained_at is not None
    # The console's dashboard shows it.
    client.force_login(curator)
    page = client.get("/console/dashboard/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "What the theme model has learned" in page
    assert f'<tr data-theme="{THEME}"><th scope="row">' in page
    assert f"<td>20</td><td>16</td><td data-weight>{row.weight:.2f}</td>" in page
