"""Speakers told apart: two generated voices found as two alternating turns, and the DER.

The recording is made here with espeak-ng (a low male and a high female English voice
taking turns, 0.6 s apart), so the true turns are known to the millisecond.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from media_pipeline.speech import speakers
from media_pipeline.speech.audio import decode_audio
from media_pipeline.speech.policy import (
    EXPECTED,
    FALLBACK,
    OVERWHELMING,
    UNREADABLE_SCORE,
    decide_language,
    listening_score,
    needs_listening,
    prefer_listened,
)
from media_pipeline.speech.speakers import Turn, diarisation_error_rate

VOICES = {1: ("en+m3", "30"), 2: ("en+f4", "75")}
LINES = [
    (1, "Welcome everyone to the workshop about our neighbourhood and the new park."),
    (2, "Thank you. I have lived here for twenty years and the park matters to my children."),
    (1, "What would you like to change about the playground near the school?"),
    (2, "More benches and better lights in the evening, so that older people feel safe."),
]
GAP = 0.6
MAX_DER = 0.1


def two_voices(folder: Path) -> tuple[Path, list[Turn]]:
    """The workshop recording (16 kHz WAV) and its true turns."""
    parts, turns, at = [], [], 0.0
    silence = folder / "gap.wav"
    subprocess.run(
        ["sox", "-n", "-r", "22050", "-c", "1", str(silence), "trim", "0", str(GAP)], check=True
    )
    for i, (speaker, line) in enumerate(LINES):
        voice, pitch = VOICES[speaker]
        part = folder / f"line{i}.wav"
        subprocess.run(
            ["espeak-ng", "-v", voice, "-p", pitch, "-s", "150", "-w", str(part), line], check=True
        )
        seconds = float(
            subprocess.run(
                ["soxi", "-D", str(part)], capture_output=True, text=True, check=True
            ).stdout
        )
        turns.append(Turn(speaker, at, at + seconds))
        at += seconds + GAP
        parts += [str(part), str(silence)]
    joined = folder / "workshop.wav"
    subprocess.run(["sox", *parts[:-1], "-r", "16000", "-c", "1", str(joined)], check=True)
    return joined, turns


@pytest.mark.slow
def test_two_voices_are_told_apart_in_alternating_turns(tmp_path: Path) -> None:
    wav, truth = two_voices(tmp_path)
    found = speakers.diarise(decode_audio(wav))
    assert [t.label for t in found] == ["Speaker 1", "Speaker 2", "Speaker 1", "Speaker 2"]
    for turn, true in zip(found, truth, strict=True):
        assert abs(turn.start - true.start) < 0.5
        assert abs(turn.end - true.end) < 0.5
    assert diarisation_error_rate(truth, found) < MAX_DER


def test_der_counts_missed_false_and_confused_speech_after_the_best_mapping() -> None:
    truth = [Turn(1, 0.0, 10.0), Turn(2, 10.0, 20.0)]
    assert diarisation_error_rate(truth, [Turn(7, 0.0, 10.0), Turn(3, 10.0, 20.0)]) == 0.0
    assert diarisation_error_rate(truth, []) == 1.0
    one_voice = diarisation_error_rate(truth, [Turn(1, 0.0, 20.0)])
    assert one_voice == pytest.approx(0.5, abs=0.02)  # half the speech given the wrong name


def test_segments_take_the_speaker_they_overlap_most() -> None:
    segments = [{"start": 0.0, "end": 4.0, "text": "a"}, {"start": 4.5, "end": 9.0, "text": "b"}]
    speakers.label_segments(segments, [Turn(1, 0.0, 4.2), Turn(2, 4.2, 9.0)])
    assert [s["speaker"] for s in segments] == ["Speaker 1", "Speaker 2"]


def test_language_is_chosen_among_the_expected_ones_unless_overwhelming() -> None:
    expected = ["fi", "sv"]
    latin = decide_language({"la": 0.47, "sv": 0.2, "fi": 0.1}, expected, 0.95)
    assert (latin.chosen, latin.reason) == ("sv", FALLBACK)
    assert needs_listening(latin, 0.5)
    assert prefer_listened(latin, {"fi": -0.7, "sv": -0.9}).chosen == "fi"
    sure = decide_language({"de": 0.97, "sv": 0.01}, expected, 0.95)
    assert (sure.chosen, sure.reason) == ("de", OVERWHELMING)
    swedish = decide_language({"sv": 0.8, "fi": 0.1}, expected, 0.95)
    assert (swedish.chosen, swedish.reason) == ("sv", EXPECTED)
    assert not needs_listening(swedish, 0.5)
    # A decode that loops ("memememe...") reads easily but is worthless.
    assert listening_score(-0.12, 224, 9.0, 2.4) == UNREADABLE_SCORE
    assert listening_score(-0.84, 38, 1.3, 2.4) == -0.84
