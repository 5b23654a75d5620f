"""Audio uploads: accepted containers, 16 kHz mono output, and real duration limits."""

from __future__ import annotations

from pathlib import Path

import av
import pytest

from media_pipeline.media import (
    MediaKind,
    MediaLimits,
    MediaRejected,
    RejectCode,
    Role,
    normalise,
    probe,
    sha256_file,
)
from tests.media_pipeline.media_factories import (
    GPS_LOCATION,
    assert_clean_av,
    encoder_available,
    forge_flac_length,
    write_audio,
    write_mp3_with_cover,
)

LIMITS = MediaLimits(max_bytes=50_000_000, max_seconds=60, max_image_pixels=10_000_000)

# name, muxer, encoder, sample rate, layout, expected container label, codec, mime
AUDIO_CASES = [
    ("clip.wav", "wav", "pcm_s16le", 48_000, "stereo", "wav", "pcm_s16le", "audio/wav"),
    ("clip.flac", "flac", "flac", 44_100, "mono", "flac", "flac", "audio/flac"),
    ("clip.opus", "ogg", "libopus", 48_000, "mono", "ogg", "opus", "audio/ogg"),
    ("clip.ogg", "ogg", "vorbis", 44_100, "stereo", "ogg", "vorbis", "audio/ogg"),
    ("clip.mp3", "mp3", "libmp3lame", 44_100, "stereo", "mp3", "mp3", "audio/mpeg"),
    ("clip.m4a", "ipod", "aac", 48_000, "mono", "m4a", "aac", "audio/mp4"),
    ("clip.aac", "adts", "aac", 44_100, "mono", "aac", "aac", "audio/aac"),
    ("clip.webm", "webm", "libopus", 48_000, "stereo", "webm", "opus", "audio/webm"),
    ("clip.amr", "amr", "libopencore_amrnb", 8_000, "mono", "amr", "amr_nb", "audio/amr"),
    ("clip.3gp", "3gp", "libopencore_amrnb", 8_000, "mono", "3gp", "amr_nb", "audio/3gpp"),
]


@pytest.mark.parametrize(
    ("name", "muxer", "encoder", "rate", "layout", "container", "codec", "mime"),
    AUDIO_CASES,
    ids=[case[0] for case in AUDIO_CASES],
)
def test_audio_is_probed_and_normalised_to_16k_mono(
    tmp_path: Path,
    name: str,
    muxer: str,
    encoder: str,
    rate: int,
    layout: str,
    container: str,
    codec: str,
    mime: str,
) -> None:
    if not encoder_available(encoder):
        pytest.skip(f"PyAV's bundled FFmpeg has no {encoder} encoder")
    # The vorbis encoder bundled with FFmpeg is marked experimental.
    options = {"strict": "experimental"} if encoder == "vorbis" else None
    src = write_audio(
        tmp_path / name,
        muxer,
        encoder,
        rate=rate,
        layout=layout,
        seconds=1.5,
        options=options,
        metadata={"title": "Haastattelu", "location": GPS_LOCATION},
    )

    info = probe(src, LIMITS)

    assert info.kind is MediaKind.AUDIO
    assert (info.container, info.audio_codec, info.mime_type) == (container, codec, mime)
    assert info.has_audio
    assert not info.has_video
    assert info.sample_rate == rate
    assert info.duration == pytest.approx(1.5, abs=0.1)
    assert info.size_bytes == src.stat().st_size

    derived = normalise(src, info, tmp_path / "out", LIMITS)

    assert [d.role for d in derived] == [Role.NORMALISED_AUDIO]
    (audio,) = derived
    assert audio.mime_type == "audio/wav"
    assert audio.sha256 == sha256_file(audio.path)
    assert audio.size_bytes == audio.path.stat().st_size
    assert audio.duration == pytest.approx(1.5, abs=0.1)
    with av.open(str(audio.path)) as out:
        stream = out.streams.audio[0]
        assert stream.codec_context.name == "pcm_s16le"
        assert stream.rate == 16_000
        assert stream.codec_context.layout.nb_channels == 1
        frames = sum(f.samples for f in out.decode(stream))
    assert frames / 16_000 == pytest.approx(audio.duration, abs=0.01)
    assert_clean_av(audio.path)


def test_flac_output_and_info_round_trip(tmp_path: Path) -> None:
    src = write_audio(tmp_path / "memo.m4a", "ipod", "aac", seconds=1.0)
    info = probe(src, LIMITS)
    assert type(info).from_dict(info.to_dict()) == info

    (audio,) = normalise(src, info, tmp_path / "out", LIMITS, audio_format="flac")

    assert audio.path.suffix == ".flac"
    assert audio.mime_type == "audio/flac"
    with av.open(str(audio.path)) as out:
        assert out.streams.audio[0].rate == 16_000
        assert out.streams.audio[0].codec_context.layout.nb_channels == 1
    assert audio.to_dict()["role"] == "normalised_audio"


def test_output_is_deterministic(tmp_path: Path) -> None:
    src = write_audio(tmp_path / "clip.ogg", "ogg", "libopus", seconds=1.0)
    info = probe(src, LIMITS)
    first = normalise(src, info, tmp_path / "a", LIMITS)[0]
    second = normalise(src, info, tmp_path / "b", LIMITS)[0]
    assert first.sha256 == second.sha256


def test_too_long_is_rejected_while_probing(tmp_path: Path) -> None:
    src = write_audio(tmp_path / "long.wav", "wav", "pcm_s16le", rate=8_000, seconds=5)
    with pytest.raises(MediaRejected) as caught:
        probe(src, MediaLimits(max_seconds=2))
    assert caught.value.code == RejectCode.TOO_LONG
    assert "2 s limit" in caught.value.reason


def test_decoding_is_capped_at_the_limit(tmp_path: Path) -> None:
    src = write_audio(tmp_path / "long.mp3", "mp3", "libmp3lame", seconds=4)
    info = probe(src, LIMITS)
    out = tmp_path / "out"
    # Pretend the probe was fooled: the decoder itself must stop at the limit.
    with pytest.raises(MediaRejected) as caught:
        normalise(src, info, out, MediaLimits(max_seconds=1.5))
    assert caught.value.code == RejectCode.TOO_LONG
    assert not any(out.iterdir()), "a partial output must not be left behind"


def test_header_claiming_400_hours_is_not_believed(tmp_path: Path) -> None:
    src = forge_flac_length(write_audio(tmp_path / "liar.flac", "flac", "flac", seconds=1.0))
    with av.open(str(src)) as container:
        assert container.duration is not None
        assert container.duration / 1e6 > 100 * 3600, "the forged header should claim hours"

    info = probe(src, LIMITS)

    assert info.duration == pytest.approx(1.0, abs=0.05)
    (audio,) = normalise(src, info, tmp_path / "out", LIMITS)
    assert audio.duration == pytest.approx(1.0, abs=0.05)


def test_size_limit(tmp_path: Path) -> None:
    src = write_audio(tmp_path / "clip.wav", "wav", "pcm_s16le", seconds=1.0)
    with pytest.raises(MediaRejected) as caught:
        probe(src, MediaLimits(max_bytes=1000))
    assert caught.value.code == RejectCode.TOO_LARGE
    assert "too large" in caught.value.reason


def test_missing_file_is_not_the_uploaders_fault(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        probe(tmp_path / "nope.wav", LIMITS)


def test_cover_art_does_not_make_an_mp3_a_video(tmp_path: Path) -> None:
    src = write_mp3_with_cover(tmp_path / "podcast.mp3")
    with av.open(str(src)) as container:
        assert len(container.streams.video) == 1, "fixture must carry cover art"

    info = probe(src, LIMITS)

    assert info.kind is MediaKind.AUDIO
    assert info.codecs == ("mp3",)
    assert not info.has_video
    assert [d.role for d in normalise(src, info, tmp_path / "out", LIMITS)] == [
        Role.NORMALISED_AUDIO
    ]
