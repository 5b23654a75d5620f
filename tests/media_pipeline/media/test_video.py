"""Video uploads: allowed codecs, sound track extraction, clean upright posters."""

from __future__ import annotations

from pathlib import Path

import av
import pytest
from PIL import Image

from media_pipeline.media import (
    MediaKind,
    MediaLimits,
    MediaRejected,
    RejectCode,
    Role,
    normalise,
    probe,
)
from tests.media_pipeline.media_factories import (
    GPS_LOCATION,
    GPS_TEXT,
    assert_clean_av,
    assert_clean_image,
    encoder_available,
    pixel,
    write_video,
)

LIMITS = MediaLimits(max_bytes=50_000_000, max_seconds=60, max_image_pixels=10_000_000)

# name, muxer, video encoder, audio encoder, size, container, (video codec, audio codec), mime
VIDEO_CASES = [
    ("clip.mp4", "mp4", "libx264", "aac", (64, 48), "mp4", ("h264", "aac"), "video/mp4"),
    ("clip.mov", "mov", "libx264", "aac", (64, 48), "mov", ("h264", "aac"), "video/quicktime"),
    ("hevc.mp4", "mp4", "libx265", "aac", (64, 48), "mp4", ("hevc", "aac"), "video/mp4"),
    ("vp8.webm", "webm", "libvpx", "libopus", (64, 48), "webm", ("vp8", "opus"), "video/webm"),
    ("vp9.webm", "webm", "libvpx-vp9", "libopus", (64, 48), "webm", ("vp9", "opus"), "video/webm"),
    ("av1.webm", "webm", "libsvtav1", "libopus", (64, 64), "webm", ("av1", "opus"), "video/webm"),
    (
        "old.3gp",
        "3gp",
        "h263",
        "libopencore_amrnb",
        (176, 144),
        "3gp",
        ("h263", "amr_nb"),
        "video/3gpp",
    ),
]


@pytest.mark.parametrize(
    ("name", "muxer", "vcodec", "acodec", "size", "container", "codecs", "mime"),
    VIDEO_CASES,
    ids=[case[0] for case in VIDEO_CASES],
)
def test_video_gives_audio_and_poster(
    tmp_path: Path,
    name: str,
    muxer: str,
    vcodec: str,
    acodec: str,
    size: tuple[int, int],
    container: str,
    codecs: tuple[str, str],
    mime: str,
) -> None:
    for encoder in (vcodec, acodec):
        if not encoder_available(encoder):
            pytest.skip(f"PyAV's bundled FFmpeg has no {encoder} encoder")
    width, height = size
    audio_rate = 8_000 if acodec == "libopencore_amrnb" else 48_000
    src = write_video(
        tmp_path / name, muxer, vcodec, acodec, width=width, height=height, audio_rate=audio_rate
    )

    info = probe(src, LIMITS)

    assert info.kind is MediaKind.VIDEO
    assert info.container == container
    assert info.mime_type == mime
    assert (info.video_codec, info.audio_codec) == codecs
    assert info.codecs == codecs
    assert (info.width, info.height) == (width, height)
    assert info.has_video
    assert info.has_audio
    assert info.duration == pytest.approx(1.0, abs=0.1)

    derived = normalise(src, info, tmp_path / "out", LIMITS)
    roles = [d.role for d in derived]
    assert roles == [Role.NORMALISED_AUDIO, Role.POSTER, Role.THUMBNAIL, Role.THUMBNAIL]
    audio, poster = derived[0], derived[1]
    assert audio.duration == pytest.approx(1.0, abs=0.1)
    with av.open(str(audio.path)) as out:
        assert out.streams.audio[0].rate == 16_000
    assert poster.mime_type == "image/jpeg"
    assert poster.path.suffix == ".jpg"
    assert (poster.width, poster.height) == (width, height)
    with Image.open(poster.path) as im:
        assert im.format == "JPEG"
        assert im.size == (width, height)


@pytest.mark.parametrize("muxer", ["mp4", "mov"])
def test_location_never_reaches_derivatives(tmp_path: Path, muxer: str) -> None:
    src = write_video(
        tmp_path / f"trip.{muxer}",
        muxer,
        "libx264",
        "aac",
        metadata={"location": GPS_LOCATION, "title": "Kauppatori"},
    )
    with av.open(str(src)) as original:
        assert original.metadata.get("location") == GPS_LOCATION, "fixture must carry GPS"
    if muxer == "mov":
        assert GPS_TEXT.encode() in src.read_bytes()

    info = probe(src, LIMITS)
    derived = normalise(src, info, tmp_path / "out", LIMITS)

    assert {d.role for d in derived} == {Role.NORMALISED_AUDIO, Role.POSTER, Role.THUMBNAIL}
    for item in derived:
        if item.role is Role.NORMALISED_AUDIO:
            assert_clean_av(item.path)
        else:
            assert_clean_image(item.path)
        assert b"Kauppatori" not in item.path.read_bytes()


def test_rotated_phone_video_gets_an_upright_poster(tmp_path: Path) -> None:
    # Display matrix -90: FFmpeg's player turns the picture 90 degrees clockwise.
    src = write_video(tmp_path / "portrait.mov", "mov", "libx264", "aac", rotation=-90)

    info = probe(src, LIMITS)
    assert (info.width, info.height) == (48, 64)

    poster = next(
        d for d in normalise(src, info, tmp_path / "out", LIMITS) if d.role is Role.POSTER
    )
    with Image.open(poster.path) as im:
        assert im.size == (48, 64)
        # The red band at the top of each encoded frame ends up on the right.
        right, left = pixel(im.convert("RGB"), (44, 32)), pixel(im.convert("RGB"), (3, 32))
    assert right[0] > 180
    assert right[1] < 80
    assert left[0] < 100


def test_silent_video_has_only_a_poster(tmp_path: Path) -> None:
    src = write_video(tmp_path / "silent.webm", "webm", "libvpx")
    info = probe(src, LIMITS)
    assert info.has_video
    assert not info.has_audio
    assert info.audio_codec is None
    roles = [d.role for d in normalise(src, info, tmp_path / "out", LIMITS)]
    assert roles == [Role.POSTER, Role.THUMBNAIL, Role.THUMBNAIL]


def test_video_over_the_pixel_limit_is_rejected(tmp_path: Path) -> None:
    src = write_video(tmp_path / "big.mp4", "mp4", "libx264", width=640, height=480, frames=2)
    with pytest.raises(MediaRejected) as caught:
        probe(src, MediaLimits(max_image_pixels=100_000))
    assert caught.value.code == RejectCode.TOO_MANY_PIXELS


def test_disallowed_video_codec_is_rejected(tmp_path: Path) -> None:
    # MJPEG in QuickTime is real (old cameras) but not on our allow-list.
    src = tmp_path / "camera.mov"
    with av.open(str(src), "w", format="mov") as container:
        stream = container.add_stream("mjpeg", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuvj420p"
        for i in range(3):
            frame = av.VideoFrame(64, 48, "yuvj420p")
            frame.pts = i
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    with pytest.raises(MediaRejected) as caught:
        probe(src, LIMITS)
    assert caught.value.code == RejectCode.CODEC_NOT_ALLOWED
    assert "mjpeg" in caught.value.reason


def test_latin1_tags_from_old_phones_are_not_an_error(tmp_path: Path) -> None:
    src = tmp_path / "tags.mp4"
    with av.open(str(src), "w", format="mp4", metadata_encoding="latin-1") as container:
        container.metadata["title"] = "Pääkallo ja Äänekoski"
        stream = container.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(3):
            frame = av.VideoFrame(64, 48, "yuv420p")
            frame.pts = i
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    assert "Pääkallo".encode("latin-1") in src.read_bytes()

    info = probe(src, LIMITS)

    assert info.kind is MediaKind.VIDEO
    assert normalise(src, info, tmp_path / "out", LIMITS)[0].role is Role.POSTER
