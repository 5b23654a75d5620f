"""Transcription: pure guards, then both engines on real speech (FLEURS) and silence."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from media_pipeline.speech.audio import SAMPLE_RATE, decode_audio, iter_windows, quietest_cut
from media_pipeline.speech.policy import (
    DecodeOptions,
    RawSegment,
    choose_language,
    decode_regions,
    filter_segments,
    sanitise_words,
    speech_overlap,
    uncovered,
)
from media_pipeline.speech.results import Segment, SpeechTranscript, Word
from tests.media_pipeline.media_factories import write_wav

ENGINES = ("faster-whisper", "openai-whisper")
# One clip per language; the whole set is measured by bench/wer_fleurs.py.
CLIPS = {"en": "fleurs-en-000", "de": "fleurs-de-002"}
MAX_CLIP_WER = 0.2
MAX_ENGINE_DISAGREEMENT = 0.1


def wer(reference: str, hypothesis: str, language: str) -> float:
    """Word error rate after Whisper's normalisation."""
    import jiwer
    from whisper.normalizers import BasicTextNormalizer, EnglishTextNormalizer

    norm = EnglishTextNormalizer() if language == "en" else BasicTextNormalizer()
    return float(jiwer.wer(norm(reference), norm(hypothesis)))


# --- Pure -------------------------------------------------------------------------------


def test_language_hint_only_when_detection_is_unsure() -> None:
    assert choose_language("en", 0.95, "de", 0.5) == ("en", 0.95)
    assert choose_language("nl", 0.30, "de", 0.5) == ("de", 0.0)
    assert choose_language("de", 0.30, "de", 0.5) == ("de", 0.30)
    assert choose_language("nl", 0.30, None, 0.5) == ("nl", 0.30)


def test_guards_drop_loops_repeats_no_speech_and_off_speech_segments() -> None:
    options = DecodeOptions()
    segments = [
        RawSegment(0.0, 2.0, " Hello there."),
        RawSegment(2.0, 4.0, " hello, there!"),  # same words again: a loop
        RawSegment(4.0, 6.0, " the the the the", compression_ratio=3.1),
        RawSegment(6.0, 8.0, " Thank you.", no_speech_prob=0.9, avg_logprob=-1.5),
        RawSegment(20.0, 22.0, " Subtitles by the community."),  # outside speech
        RawSegment(8.0, 9.0, "   "),
        RawSegment(9.0, 10.0, " Goodbye."),
    ]
    kept, dropped = filter_segments(segments, options, speech=[(0.0, 10.0)])
    assert [s.text for s in kept] == ["Hello there.", "Goodbye."]
    assert [reason for reason, _ in dropped] == [
        "repeated segment",
        "repetitive",
        "no speech",
        "outside speech",
        "empty",
    ]


def test_speech_overlap() -> None:
    assert speech_overlap(0, 10, [(0, 5)]) == 0.5
    assert speech_overlap(0, 10, [(20, 30)]) == 0.0
    assert speech_overlap(3, 3, [(0, 5)]) == 1.0


def test_nearby_speech_is_grouped_up_to_the_span_and_distant_speech_is_not() -> None:
    speech = [(1.0, 5.0), (8.0, 20.0), (25.0, 32.0), (120.0, 125.0), (130.0, 200.0)]
    assert decode_regions(speech, 30.0) == [
        [(1.0, 5.0), (8.0, 20.0)],
        [(25.0, 32.0)],
        [(120.0, 125.0)],
        [(130.0, 200.0)],  # longer than the span: alone, decoded in 30 s steps
    ]
    assert decode_regions([], 30.0) == []


def test_uncovered_regions_are_the_ones_no_segment_touches() -> None:
    regions = [(0.0, 4.0), (10.0, 14.0), (20.0, 20.5)]
    assert uncovered(regions, [(1.0, 3.5)], min_seconds=1.0) == [(10.0, 14.0)]
    assert uncovered(regions, [(3.0, 11.0)], min_seconds=1.0) == []


def test_word_times_are_clamped_and_monotonic() -> None:
    segment = Segment(
        1.0,
        3.0,
        "a b c",
        [Word(0.8, 1.5, "a", 0.9), Word(1.4, 2.0, "b", 0.9), Word(2.5, 3.4, "c", 0.9)],
    )
    words = sanitise_words(segment).words
    assert [(w.start, w.end) for w in words] == [(1.0, 1.5), (1.5, 2.0), (2.5, 3.0)]


def test_transcript_round_trips_through_dict() -> None:
    transcript = SpeechTranscript(
        "faster-whisper",
        "base",
        "en",
        0.9,
        1.5,
        "Hi.",
        [Segment(0, 1, "Hi.", [Word(0, 1, "Hi.", 1)])],
    )
    data = json.loads(json.dumps(transcript.to_dict()))
    assert SpeechTranscript.from_dict(data) == transcript
    assert data["segments"][0]["words"][0]["word"] == "Hi."


def test_quietest_cut_finds_the_gap() -> None:
    rng = np.random.default_rng(0)
    samples = rng.uniform(-0.5, 0.5, SAMPLE_RATE * 10).astype(np.float32)
    samples[7 * SAMPLE_RATE : 7 * SAMPLE_RATE + 8000] = 0.0  # 0.5 s of silence at 7 s
    cut = quietest_cut(samples, 5 * SAMPLE_RATE, 10 * SAMPLE_RATE)
    assert 7 * SAMPLE_RATE <= cut <= 7 * SAMPLE_RATE + 8000


def test_windows_cover_the_file_exactly(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    samples = rng.uniform(-0.3, 0.3, SAMPLE_RATE * 25).astype(np.float32)
    path = write_wav(tmp_path / "noise.wav", samples)
    windows = list(iter_windows(path, window_seconds=10, search_seconds=3))
    assert len(windows) >= 3
    assert all(w.duration <= 10 for w in windows)
    # Every window but the last is cut in the final 3 s of its 10 s span.
    assert all(w.duration >= 7 for w in windows[:-1])
    assert sum(len(w.samples) for w in windows) == len(samples)
    for before, after in itertools.pairwise(windows):
        assert after.offset == pytest.approx(before.offset + before.duration)


def test_unreadable_file_is_a_clear_error(tmp_path: Path) -> None:
    from media_pipeline.speech.audio import AudioDecodeError

    bogus = tmp_path / "story.ogg"
    bogus.write_bytes(b"this is not audio")
    with pytest.raises(AudioDecodeError, match=r"story\.ogg"):
        list(iter_windows(bogus))
    with pytest.raises(AudioDecodeError, match="no such file"):
        list(iter_windows(tmp_path / "missing.ogg"))


def test_missing_weights_tell_the_operator_what_to_run(tmp_path: Path) -> None:
    from media_pipeline.speech.loader import ModelNotProvisionedError, get_transcriber

    with pytest.raises(ModelNotProvisionedError, match=r"manage\.py provision_models"):
        get_transcriber("faster-whisper", "base", "cpu", models_dir=tmp_path)


# --- Real models ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def transcripts(
    speech_models_dir: Path, fleurs_dir: Path
) -> dict[tuple[str, str], SpeechTranscript]:
    """Each engine on each test clip, with the clip's language as the hint; computed once."""
    from media_pipeline.speech.loader import get_transcriber

    results = {}
    for engine in ENGINES:
        transcriber = get_transcriber(engine, "base", "auto", models_dir=speech_models_dir)
        for language, clip in CLIPS.items():
            audio = fleurs_dir / f"{clip}.ogg"
            results[engine, language] = transcriber.transcribe(audio, language=language)
    return results


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("language", sorted(CLIPS))
def test_real_speech_in_the_right_language_with_low_wer(
    transcripts: dict, fleurs_dir: Path, engine: str, language: str
) -> None:
    transcript = transcripts[engine, language]
    reference = (fleurs_dir / f"{CLIPS[language]}.txt").read_text(encoding="utf-8")
    assert transcript.engine == engine
    assert transcript.model == "base"
    assert transcript.language == language
    assert transcript.language_probability > 0.5
    assert wer(reference, transcript.text, language) <= MAX_CLIP_WER, transcript.text


@pytest.mark.slow
@pytest.mark.parametrize("language", sorted(CLIPS))
def test_engines_agree(transcripts: dict, language: str) -> None:
    faster = transcripts["faster-whisper", language].text
    reference_impl = transcripts["openai-whisper", language].text
    assert wer(reference_impl, faster, language) <= MAX_ENGINE_DISAGREEMENT, (
        faster,
        reference_impl,
    )


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("language", sorted(CLIPS))
def test_word_timestamps_are_ordered_and_inside_segments(
    transcripts: dict, engine: str, language: str
) -> None:
    transcript = transcripts[engine, language]
    assert transcript.segments
    previous_end = 0.0
    for segment in transcript.segments:
        assert 0.0 <= segment.start <= segment.end <= transcript.duration + 0.05
        assert segment.start >= previous_end - 1e-6
        assert segment.words
        assert "".join(w.word for w in segment.words).strip() == segment.text.strip()
        word_end = segment.start
        for word in segment.words:
            assert segment.start <= word.start <= word.end <= segment.end
            assert word.start >= word_end - 1e-6
            assert 0.0 <= word.probability <= 1.0
            word_end = word.end
        previous_end = segment.end


@pytest.mark.slow
def test_hint_does_not_override_confident_detection(
    speech_models_dir: Path, fleurs_dir: Path
) -> None:
    from media_pipeline.speech.loader import get_transcriber

    transcriber = get_transcriber("faster-whisper", "base", "auto", models_dir=speech_models_dir)
    transcript = transcriber.transcribe(fleurs_dir / f"{CLIPS['en']}.ogg", language="de")
    assert transcript.language == "en"


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("kind", ["digital silence", "quiet noise"])
def test_silence_yields_no_text(
    speech_models_dir: Path, tmp_path: Path, engine: str, kind: str
) -> None:
    from media_pipeline.speech.loader import get_transcriber

    samples = np.zeros(SAMPLE_RATE * 20, dtype=np.float32)
    if kind == "quiet noise":  # a quiet room: about -60 dBFS of white noise
        samples += np.random.default_rng(2).normal(0, 0.001, len(samples)).astype(np.float32)
    path = write_wav(tmp_path / "silence.wav", samples)
    transcriber = get_transcriber(engine, "base", "auto", models_dir=speech_models_dir)
    transcript = transcriber.transcribe(path, language="en")
    assert transcript.text == ""
    assert transcript.segments == []
    assert transcript.duration == pytest.approx(20.0, abs=0.01)


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
def test_long_recordings_are_decoded_window_by_window_without_losing_speech(
    speech_models_dir: Path, fleurs_dir: Path, tmp_path: Path, engine: str
) -> None:
    """Two clips and some silence, decoded with 15 s windows to exercise the window seams."""
    from media_pipeline.speech.loader import get_transcriber

    first, second = fleurs_dir / "fleurs-en-000.ogg", fleurs_dir / "fleurs-en-005.ogg"
    gap = np.zeros(SAMPLE_RATE * 3, dtype=np.float32)
    audio = np.concatenate([decode_audio(first), gap, decode_audio(second)])
    path = write_wav(tmp_path / "long.wav", audio)
    options = DecodeOptions(window_seconds=15.0)
    transcriber = get_transcriber(
        engine, "base", "auto", models_dir=speech_models_dir, options=options
    )
    transcript = transcriber.transcribe(path, language="en")
    reference = " ".join(
        (fleurs_dir / f"{clip}.txt").read_text(encoding="utf-8")
        for clip in ("fleurs-en-000", "fleurs-en-005")
    )
    assert wer(reference, transcript.text, "en") <= MAX_CLIP_WER, transcript.text
    assert transcript.duration == pytest.approx(len(audio) / SAMPLE_RATE, abs=0.01)
    # The second clip's words are placed after the first clip and the gap.
    second_start = (len(audio) - len(decode_audio(second))) / SAMPLE_RATE
    assert transcript.segments[-1].start >= second_start - 1.0


# Clips decoded wrongly before the fix (issue: several speech regions of one 10-minute
# window glued by VAD into one 30 s decode, where Whisper stopped after the first).
SPREAD_CLIPS = ("fleurs-en-001", "fleurs-en-002", "fleurs-en-004", "fleurs-en-007")
SPREAD_GAPS = (30.0, 110.0, 70.0, 95.0, 20.0)  # quiet noise before, between and after
MAX_SPREAD_CLIP_WER = 0.35


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
def test_every_speech_region_of_a_sparse_recording_is_transcribed(
    speech_models_dir: Path, fleurs_dir: Path, tmp_path: Path, engine: str
) -> None:
    """Four clips scattered over ~6 minutes of quiet room noise (one decoding window)."""
    from media_pipeline.speech.loader import get_transcriber

    rng = np.random.default_rng(7)
    parts: list[np.ndarray] = []
    spans: list[tuple[float, float]] = []
    position = 0
    for clip, gap in zip(SPREAD_CLIPS, SPREAD_GAPS, strict=False):
        parts.append(rng.normal(0, 0.002, int(gap * SAMPLE_RATE)).astype(np.float32))
        position += len(parts[-1])
        parts.append(decode_audio(fleurs_dir / f"{clip}.ogg"))
        spans.append((position / SAMPLE_RATE, (position + len(parts[-1])) / SAMPLE_RATE))
        position += len(parts[-1])
    parts.append(rng.normal(0, 0.002, int(SPREAD_GAPS[-1] * SAMPLE_RATE)).astype(np.float32))
    path = write_wav(tmp_path / "workshop.wav", np.concatenate(parts))
    transcriber = get_transcriber(engine, "base", "auto", models_dir=speech_models_dir)

    transcript = transcriber.transcribe(path, language="en")

    words = [w for segment in transcript.segments for w in segment.words]
    for clip, (start, end) in zip(SPREAD_CLIPS, spans, strict=True):
        said = "".join(w.word for w in words if start <= (w.start + w.end) / 2 <= end)
        reference = (fleurs_dir / f"{clip}.txt").read_text(encoding="utf-8")
        assert wer(reference, said, "en") <= MAX_SPREAD_CLIP_WER, (clip, said)
    # Every word is placed inside the clip it was said in (VAD padding aside).
    for word in words:
        assert any(s - 0.5 <= word.start <= word.end <= e + 0.5 for s, e in spans), word
