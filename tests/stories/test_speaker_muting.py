"""Muting one speaker: their turns silenced in the published sound, their words hidden."""

from __future__ import annotations

from django.urls import reverse

from stories.domain import audio_redactions, redactions
from stories.enums import StoryKind, StoryStatus
from tests.factories import StoryFactory, transcript_for

FACILITATOR = "Welcome to our workshop today."
REPORTER = "The bus to the clinic never comes on time."


def workshop(db) -> tuple:
    """A two-speaker transcript: the facilitator (Speaker 1) then the reporter (Speaker 2)."""
    story = StoryFactory(
        kind=StoryKind.AUDIO, title="", text="", language="en", status=StoryStatus.NEEDS_REVIEW
    )
    transcript = transcript_for(story, f"{FACILITATOR} {REPORTER}", seconds_per_word=0.5)
    words = transcript.segments[0]["words"]
    split = len(FACILITATOR.split())
    first, second = words[:split], words[split:]
    transcript.segments = [
        {
            "start": 0.0,
            "end": first[-1]["end"],
            "text": FACILITATOR,
            "words": first,
            "speaker": "Speaker 1",
        },
        {
            "start": second[0]["start"],
            "end": transcript.duration,
            "text": REPORTER,
            "words": second,
            "speaker": "Speaker 2",
        },
    ]
    transcript.speaker_turns = [
        {"speaker": "Speaker 1", "start": 0.0, "end": 2.4},
        {"speaker": "Speaker 2", "start": 2.5, "end": transcript.duration},
    ]
    transcript.save()
    return story, transcript


def test_a_muted_speaker_is_silent_and_their_words_hidden(db, client, curator) -> None:
    story, transcript = workshop(db)
    client.force_login(curator)
    url = reverse("story-speaker-mute", args=[story.pk])
    answer = client.post(url, {"speaker": "Speaker 1"}, content_type="application/json")
    assert answer.status_code == 201, answer.content

    muted = audio_redactions.ranges(story, transcript)
    assert any(start <= 0.0 and end >= 2.4 for start, end in muted)
    assert not any(start < transcript.duration and end > 3.0 for start, end in muted)
    published = redactions.anonymise(story)["transcript"]
    assert "workshop" not in published
    assert REPORTER in published


def test_an_unknown_speaker_is_a_clear_400(db, client, curator) -> None:
    story, _ = workshop(db)
    client.force_login(curator)
    url = reverse("story-speaker-mute", args=[story.pk])
    answer = client.post(url, {"speaker": "Speaker 9"}, content_type="application/json")
    assert answer.status_code == 400
    assert "Speaker 9" in answer.json()["detail"]


def test_the_console_speech_panel_in_swedish(db, client, curator) -> None:
    story, transcript = workshop(db)
    transcript.language_decision = {
        "chosen": "sv",
        "reason": "fallback",
        "detected": "la",
        "detected_probability": 0.47,
        "expected": ["fi", "sv"],
        "probabilities": {"la": 0.47, "sv": 0.2, "fi": 0.1},
        "threshold": 0.95,
        "listened": {"fi": -1.05, "sv": -0.96},
    }
    transcript.save()
    client.force_login(curator)
    page = client.get(f"/console/stories/{story.pk}/?lang=sv").content.decode()
    assert "Whisper fann LA mest sannolikt (p = 0,47)" in page
    assert "Tysta den här talaren helt" in page
    assert '<option value="Speaker 2">Speaker 2</option>' in page
