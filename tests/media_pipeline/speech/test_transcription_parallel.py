"""Concurrent decoding of speech regions: a long monologue is cut at pauses into <= 30 s
regions, decoded two at a time, and the transcript is the same as one at a time."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from media_pipeline.speech.audio import SAMPLE_RATE, decode_audio
from media_pipeline.speech.loader import WORKERS_ENV, default_decode_workers
from media_pipeline.speech.policy import DecodeOptions, untranscribed_tail
from media_pipeline.speech.vad import speech_intervals
from tests.media_pipeline.media_factories import write_wav
from tests.media_pipeline.speech.test_transcription import wer

# About 46 s of English, clips joined by half a second of silence: VAD (2 s minimum
# silence) sees one region of over 40 s, which used to be decoded as a whole.
MONOLOGUE = ("fleurs-en-002", "fleurs-en-003", "fleurs-en-004", "fleurs-en-005", "fleurs-en-006")
PAUSE_SECONDS = 0.5
MAX_WER = 0.25
# Per clip only "was it transcribed at all": base stumbles over some names (en-002).
MAX_CLIP_WER = 0.75


def test_one_decode_worker_unless_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(WORKERS_ENV, raising=False)
    assert default_decode_workers("faster-whisper", "cpu", threads=2) == 1
    monkeypatch.setenv(WORKERS_ENV, "2")
    assert default_decode_workers("faster-whisper", "cpu", threads=2) == 2
    assert default_decode_workers("faster-whisper", "cpu", threads=1) == 1
    assert default_decode_workers("openai-whisper", "cpu", threads=2) == 1
    monkeypatch.setenv(WORKERS_ENV, "4")
    assert default_decode_workers("faster-whisper", "cpu", threads=2) == 2


def test_speech_after_the_last_segment_is_decoded_again_only_when_long_enough() -> None:
    assert untranscribed_tail(42.8, [(23.6, 33.1)], 2.0) == (33.1, 42.8)
    assert untranscribed_tail(42.8, [(23.6, 33.1), (35.0, 42.2)], 2.0) is None
    assert untranscribed_tail(42.8, [], 2.0) is None  # nothing said: nothing to go on
    assert untranscribed_tail(42.8, [(23.6, 33.1)], None) is None


@pytest.fixture(scope="module")
def monologue(fleurs_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The clips joined by short pauses: file, samples, and each clip's span and text."""
    pause = np.zeros(int(PAUSE_SECONDS * SAMPLE_RATE), dtype=np.float32)
    parts: list[np.ndarray] = []
    clips = []
    position = 0
    for clip in MONOLOGUE:
        samples = decode_audio(fleurs_dir / f"{clip}.ogg")
        text = (fleurs_dir / f"{clip}.txt").read_text(encoding="utf-8")
        clips.append((position / SAMPLE_RATE, (position + len(samples)) / SAMPLE_RATE, text))
        parts.extend([samples, pause])
        position += len(samples) + len(pause)
    audio = np.concatenate(parts)
    path = write_wav(tmp_path_factory.mktemp("monologue") / "monologue.wav", audio)
    return {"path": path, "samples": audio, "clips": clips}


@pytest.mark.slow
def test_long_speech_is_cut_at_pauses_into_regions_whisper_can_take_at_once(
    monologue: dict,
) -> None:
    options = DecodeOptions()
    whole = speech_intervals(monologue["samples"], max_speech_seconds=None)
    cut = speech_intervals(monologue["samples"], max_speech_seconds=options.vad_max_speech_seconds)
    # Some pauses are too short for VAD's 2 s minimum silence: a region over Whisper's 30 s.
    assert max(end - start for start, end in whole) > 30.0
    assert len(cut) > len(whole)
    assert all(end - start <= 30.0 for start, end in cut)
    # Cut in the pauses between clips, not inside words: every cut lies near a clip's end.
    ends = [end for _, end, _ in monologue["clips"]]
    for (_, first_end), (second_start, _) in itertools.pairwise(cut):
        middle = (first_end + second_start) / 2
        assert min(abs(middle - end) for end in ends) <= 1.0, (middle, ends)


@pytest.mark.slow
def test_regions_decoded_two_at_a_time_give_the_same_transcript(
    speech_models_dir: Path, monologue: dict
) -> None:
    from media_pipeline.speech.loader import get_transcriber

    # One thread per decode in both, so the arithmetic is the same; only the concurrency
    # differs (threads=2, workers=2 is TARINA_TRANSCRIBE_WORKERS=2 on two cores).
    one_at_a_time = get_transcriber(
        "faster-whisper", "base", "cpu", threads=1, workers=1, models_dir=speech_models_dir
    )
    two_at_a_time = get_transcriber(
        "faster-whisper", "base", "cpu", threads=2, workers=2, models_dir=speech_models_dir
    )

    expected = one_at_a_time.transcribe(monologue["path"], language="en")
    transcript = two_at_a_time.transcribe(monologue["path"], language="en")

    assert transcript.text == expected.text
    assert [(w.start, w.end, w.word) for s in transcript.segments for w in s.words] == [
        (w.start, w.end, w.word) for s in expected.segments for w in s.words
    ]
    reference = " ".join(text for _, _, text in monologue["clips"])
    assert wer(reference, transcript.text, "en") <= MAX_WER, transcript.text
    # Every clip is transcribed, its words inside its own stretch of the recording.
    words = [w for segment in transcript.segments for w in segment.words]
    for start, end, reference in monologue["clips"]:
        said = "".join(w.word for w in words if start <= (w.start + w.end) / 2 <= end)
        assert wer(reference, said, "en") <= MAX_CLIP_WER, (reference, said)


@pytest.mark.slow
def test_one_transcriber_serves_two_recordings_at_once(
    speech_models_dir: Path, fleurs_dir: Path
) -> None:
    """A worker may transcribe two stories at once with one loaded model (throughput)."""
    from concurrent.futures import ThreadPoolExecutor

    from media_pipeline.speech.loader import get_transcriber

    transcriber = get_transcriber(
        "faster-whisper", "base", "cpu", threads=2, workers=2, models_dir=speech_models_dir
    )
    clips = [("en", fleurs_dir / "fleurs-en-000.ogg"), ("de", fleurs_dir / "fleurs-de-002.ogg")]
    alone = [transcriber.transcribe(path, language) for language, path in clips]
    with ThreadPoolExecutor(2) as pool:
        together = list(pool.map(lambda clip: transcriber.transcribe(clip[1], clip[0]), clips))
    for (language, _), first, second in zip(clips, alone, together, strict=True):
        assert second.language == language
        assert second.text == first.text
