"""Published audio: redacted words become a tone or silence, the voice can be disguised."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path

import av
import numpy as np
import pytest

from media_pipeline.anonymise import anonymise_audio, redaction_windows
from media_pipeline.anonymise.audio import (
    TONE_HZ,
    TONE_LEVEL,
    keep_gain,
    pitch_factor,
    redact_chunk,
)
from media_pipeline.media import MediaLimits, MediaRejected, RejectCode
from tests.conftest import FLEURS
from tests.media_pipeline.media_factories import GPS_TEXT, photo, tone, write_audio, write_wav

from .helpers import (
    RATE,
    band_level,
    decode_mono,
    dominant_hz,
    pitch_ratio,
    rms,
    segment,
    voice_like,
)

VOICE_HZ = 180.0
# Two "words" to redact; with 0.15 s padding they cover 0.85-1.65 s and 2.35-2.85 s.
WORDS = [(1.0, 1.5), (2.5, 2.7)]
REDACTED = [(0.85, 1.65), (2.35, 2.85)]
# Clearly inside / clearly outside the padded ranges (fades and codec smear stay out of these).
INSIDE = [(0.9, 1.6), (2.4, 2.8)]
OUTSIDE = [(0.1, 0.8), (1.75, 2.25), (2.95, 3.9)]


def flat(pairs: Sequence[tuple[float, float]]) -> list[float]:
    """``[(a, b), (c, d)]`` as ``[a, b, c, d]`` for ``pytest.approx``."""
    return [value for pair in pairs for value in pair]


@pytest.fixture
def voice_wav(tmp_path: Path) -> Path:
    """Four seconds of a 180 Hz vowel-like buzz, as the pipeline's 16 kHz mono WAV."""
    return write_wav(tmp_path / "audio.wav", voice_like(4.0))


# --- pure cores ----------------------------------------------------------------------------------


def test_windows_are_padded_clipped_sorted_and_merged() -> None:
    windows = redaction_windows([(3.0, 3.2), (0.05, 0.3), (3.3, 3.5)], padding=0.15)
    assert flat(windows) == pytest.approx([0.0, 0.45, 2.85, 3.65])


@pytest.mark.parametrize("bad", [(2.0, 1.0), (float("nan"), 1.0), (0.0, float("inf"))])
def test_malformed_ranges_are_refused(bad: tuple[float, float]) -> None:
    with pytest.raises(ValueError, match="invalid redaction range"):
        redaction_windows([bad])


def test_gain_is_zero_inside_and_fades_outside() -> None:
    gain = keep_gain(0, 100, [(40, 60)], ramp=10)
    assert np.all(gain[40:60] == 0)
    assert np.all(gain[:30] == 1)
    assert np.all(gain[70:] == 1)
    assert np.all(np.diff(gain[30:40]) <= 0)
    assert np.all(np.diff(gain[60:70]) >= 0)
    assert 0 < gain[35] < 1


def test_chunked_redaction_equals_whole() -> None:
    """The tone stays phase-continuous however the stream happens to be chunked."""
    samples = voice_like(1.0)
    windows = [(3000, 9000)]
    whole = redact_chunk(samples, 0, windows, RATE)
    cuts = [0, 1000, 4001, 4002, 8500, len(samples)]
    parts = [redact_chunk(samples[a:b], a, windows, RATE) for a, b in itertools.pairwise(cuts)]
    np.testing.assert_allclose(np.concatenate(parts), whole, atol=1e-6)


def test_semitones_to_ratio() -> None:
    assert pitch_factor(12) == pytest.approx(2.0)
    assert pitch_factor(-4) == pytest.approx(0.7937, abs=1e-4)


# --- what a listener hears ---------------------------------------------------------------------


def test_redacted_words_become_a_tone(voice_wav: Path, tmp_path: Path) -> None:
    result = anonymise_audio(voice_wav, tmp_path / "story.m4a", WORDS)

    assert result.mime_type == "audio/mp4"
    assert flat(result.redacted) == pytest.approx(flat(REDACTED))
    out = decode_mono(result.path)
    assert len(out) / RATE == pytest.approx(4.0, abs=0.05)
    for start, end in INSIDE:
        part = segment(out, start, end)
        assert dominant_hz(part) == pytest.approx(TONE_HZ, abs=5)
        assert rms(part) == pytest.approx(TONE_LEVEL / np.sqrt(2), rel=0.1)
        # The voice's fundamental is gone, not merely covered up.
        assert band_level(part, VOICE_HZ) < 0.01
    for start, end in OUTSIDE:
        part = segment(out, start, end)
        assert dominant_hz(part) == pytest.approx(VOICE_HZ, abs=5)
        assert band_level(part, TONE_HZ) < 0.01


def test_silence_replacement_is_silent(voice_wav: Path, tmp_path: Path) -> None:
    result = anonymise_audio(voice_wav, tmp_path / "story.m4a", WORDS, replacement="silence")
    out = decode_mono(result.path)
    for start, end in INSIDE:
        assert rms(segment(out, start, end)) < 0.002
    for start, end in OUTSIDE:
        assert rms(segment(out, start, end)) > 0.1


def test_mp3_output(voice_wav: Path, tmp_path: Path) -> None:
    result = anonymise_audio(voice_wav, tmp_path / "story.mp3", WORDS, audio_format="mp3")
    assert result.mime_type == "audio/mpeg"
    with av.open(str(result.path)) as container:
        assert container.format.name == "mp3"
    out = decode_mono(result.path)
    assert len(out) / RATE == pytest.approx(4.0, abs=0.05)
    assert dominant_hz(segment(out, *INSIDE[0])) == pytest.approx(TONE_HZ, abs=5)


def test_no_redactions_keeps_the_sound(voice_wav: Path, tmp_path: Path) -> None:
    result = anonymise_audio(voice_wav, tmp_path / "story.m4a", [])
    assert result.redacted == ()
    out = decode_mono(result.path)
    assert dominant_hz(segment(out, 0.2, 3.8)) == pytest.approx(VOICE_HZ, abs=3)


def test_output_carries_no_metadata_from_the_upload(tmp_path: Path) -> None:
    src = write_audio(
        tmp_path / "upload.m4a",
        "mp4",
        "aac",
        seconds=2.0,
        metadata={"title": "Maija's story", "location": f"{GPS_TEXT}+022.2666/"},
    )
    result = anonymise_audio(src, tmp_path / "story.m4a", [(0.5, 0.6)])
    raw = result.path.read_bytes()
    for needle in (GPS_TEXT.encode(), b"Maija", b"Lavf"):
        assert needle not in raw
    with av.open(str(result.path)) as container:
        assert "title" not in container.metadata
        assert "location" not in container.metadata
        (stream,) = container.streams.audio
        assert (stream.codec_context.name, stream.sample_rate, stream.channels) == ("aac", RATE, 1)


@pytest.mark.parametrize(("semitones", "expected"), [(-4.0, 158.7), (3.0, 237.8)])
def test_disguise_shifts_the_pitch_but_not_the_timing(
    tmp_path: Path, semitones: float, expected: float
) -> None:
    src = write_wav(tmp_path / "audio.wav", tone(4.0, RATE, 200.0))
    result = anonymise_audio(
        src, tmp_path / "story.m4a", WORDS, disguise_voice=True, pitch_semitones=semitones
    )
    assert result.disguised
    out = decode_mono(result.path)
    assert len(out) / RATE == pytest.approx(4.0, abs=0.05)
    for start, end in OUTSIDE:
        assert dominant_hz(segment(out, start, end)) == pytest.approx(expected, abs=4)
    # Redaction happens after the disguise: the tone is exact, not pitch-shifted.
    for start, end in INSIDE:
        assert dominant_hz(segment(out, start, end)) == pytest.approx(TONE_HZ, abs=5)


def test_refuses_what_is_not_audio(tmp_path: Path) -> None:
    src = tmp_path / "audio.wav"
    photo().save(src, "PNG")
    dest = tmp_path / "story.m4a"
    with pytest.raises(MediaRejected) as info:
        anonymise_audio(src, dest, [])
    assert info.value.code == RejectCode.NOT_ALLOWED
    assert not dest.exists()


def test_stops_decoding_past_the_length_limit(voice_wav: Path, tmp_path: Path) -> None:
    dest = tmp_path / "story.m4a"
    with pytest.raises(MediaRejected) as info:
        anonymise_audio(voice_wav, dest, [], limits=MediaLimits(max_seconds=1))
    assert info.value.code == RejectCode.TOO_LONG
    assert not dest.exists()


# --- real speech -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def speech_clip() -> Path:
    clip = FLEURS / "fleurs-en-000.ogg"
    if not clip.exists():
        pytest.skip(f"FLEURS speech clip not found at {clip}")
    return clip


def test_real_speech_redacted_and_disguised(speech_clip: Path, tmp_path: Path) -> None:
    original = decode_mono(speech_clip)
    duration = len(original) / RATE
    # The loudest second of speech stands in for a redacted name.
    starts = np.arange(0.5, duration - 1.5, 0.25)
    word_start = float(max(starts, key=lambda s: rms(segment(original, s, s + 1.0))))
    word = (word_start, word_start + 1.0)
    # FLEURS is recorded quietly (peaks around -30 dBFS), so levels are compared, not absolute.
    speech_level = rms(segment(original, *word))
    assert speech_level > 3 * rms(original[: RATE // 4]), "the chosen stretch should hold speech"

    muted = anonymise_audio(speech_clip, tmp_path / "muted.m4a", [word], replacement="silence")
    out = decode_mono(muted.path)
    assert len(out) / RATE == pytest.approx(duration, abs=0.05)
    assert rms(segment(out, *word)) < speech_level / 50
    # Elsewhere the speech is intact: the same waveform, give or take the codec.
    before, after = segment(original, 0.0, word_start - 0.3), segment(out, 0.0, word_start - 0.3)
    assert np.corrcoef(before, after)[0, 1] > 0.95

    disguised = anonymise_audio(
        speech_clip, tmp_path / "disguised.m4a", [word], disguise_voice=True
    )
    shifted = decode_mono(disguised.path)
    assert len(shifted) / RATE == pytest.approx(duration, abs=0.05)
    assert dominant_hz(segment(shifted, word[0] + 0.1, word[1] - 0.1)) == pytest.approx(
        TONE_HZ, abs=5
    )
    # Compared frame by frame (timing is unchanged), leaving the tone out of both.
    quiet = slice(int((word[0] - 0.3) * RATE), int((word[1] + 0.3) * RATE))
    original, shifted = original.copy(), shifted.copy()
    original[quiet] = shifted[quiet] = 0.0
    ratio = pitch_ratio(original, shifted)
    assert ratio == pytest.approx(pitch_factor(-4.0), abs=0.03)
