"""Published video derivatives: an anonymised poster frame and the anonymised sound."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from media_pipeline.anonymise import (
    anonymise_video_audio,
    anonymise_video_poster,
    extract_audio_track,
    poster_image,
)
from media_pipeline.anonymise.audio import TONE_HZ
from media_pipeline.anonymise.video import poster_time
from media_pipeline.media import MediaLimits, MediaRejected, RejectCode
from tests.media_pipeline.media_factories import (
    GPS_LOCATION,
    GPS_TEXT,
    assert_clean_image,
    encoder_available,
    pixel,
    write_video,
)

from .helpers import RATE, decode_mono, dominant_hz, scene_with_face, segment

pytestmark = pytest.mark.skipif(
    not (encoder_available("libx264") and encoder_available("aac")),
    reason="needs FFmpeg's libx264 and aac encoders",
)


def write_face_video(path: Path, *, seconds: float = 2.0, fps: int = 10) -> Path:
    """An H.264 MP4 whose frames show a drawn face (the factories' clips have none)."""
    scene, _ = scene_with_face(320, 240, 80, (20, 20))
    pixels = np.asarray(scene)
    with av.open(str(path), "w", format="mp4") as container:
        container.metadata["location"] = GPS_LOCATION
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        for i in range(int(seconds * fps)):
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts = i
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


def _frame_index(image: Image.Image) -> int:
    # The factories paint frame i's lower part with grey level 40 + i.
    return round(pixel(image, (image.width // 2, image.height - 4))[0]) - 40


def test_poster_time() -> None:
    assert poster_time(None) == 1.0
    assert poster_time(10.0) == 1.0
    assert poster_time(1.0) == 0.5


@pytest.mark.parametrize(("frames", "expected"), [(10, 5), (30, 10)])
def test_poster_is_a_second_in_or_the_middle(tmp_path: Path, frames: int, expected: int) -> None:
    src = write_video(tmp_path / "clip.mp4", "mp4", "libx264", frames=frames, fps=10)
    image = poster_image(src)
    assert image.size == (64, 48)
    assert abs(_frame_index(image) - expected) <= 1


def test_poster_is_upright_and_clean(tmp_path: Path) -> None:
    src = write_video(
        tmp_path / "clip.mp4",
        "mp4",
        "libx264",
        "aac",
        rotation=90,
        metadata={"location": GPS_LOCATION, "title": "At Maija's"},
    )
    result = anonymise_video_poster(src, tmp_path / "poster.jpg")
    assert (result.width, result.height) == (48, 64)
    assert_clean_image(result.path)
    assert GPS_TEXT.encode() not in result.path.read_bytes()
    assert b"Maija" not in result.path.read_bytes()


def test_faces_in_the_poster_are_blurred(tmp_path: Path) -> None:
    src = write_face_video(tmp_path / "interview.mp4")
    blurred = anonymise_video_poster(src, tmp_path / "poster.jpg")
    kept = anonymise_video_poster(src, tmp_path / "kept.jpg", blur_faces=False)
    assert blurred.faces_found == 1
    assert kept.faces_found == 0
    assert not kept.faces_blurred
    assert_clean_image(blurred.path)
    (face,) = blurred.faces
    with Image.open(blurred.path) as a, Image.open(kept.path) as b:
        crop = (face.x, face.y, face.right, face.bottom)
        diff = np.abs(
            np.asarray(a.crop(crop).convert("L"), np.int16)
            - np.asarray(b.crop(crop).convert("L"), np.int16)
        )
    assert diff.mean() > 10


def test_sound_track_is_extracted(tmp_path: Path) -> None:
    src = write_video(tmp_path / "clip.mp4", "mp4", "libx264", "aac", frames=20, fps=10)
    wav = extract_audio_track(src, tmp_path / "track.wav")
    assert wav is not None
    samples = decode_mono(wav)
    assert len(samples) / RATE == pytest.approx(2.0, abs=0.1)
    assert dominant_hz(samples) == pytest.approx(440.0, abs=5)


def test_silent_video_has_no_track(tmp_path: Path) -> None:
    src = write_video(tmp_path / "clip.mp4", "mp4", "libx264")
    assert extract_audio_track(src, tmp_path / "track.wav") is None
    assert anonymise_video_audio(src, tmp_path / "story.m4a", [(0.1, 0.2)]) is None


def test_video_sound_is_anonymised(tmp_path: Path) -> None:
    src = write_video(tmp_path / "clip.mp4", "mp4", "libx264", "aac", frames=30, fps=10)
    result = anonymise_video_audio(src, tmp_path / "story.m4a", [(1.2, 1.6)])
    assert result is not None
    out = decode_mono(result.path)
    assert len(out) / RATE == pytest.approx(3.0, abs=0.1)
    assert dominant_hz(segment(out, 1.1, 1.7)) == pytest.approx(TONE_HZ, abs=5)
    assert dominant_hz(segment(out, 0.2, 0.9)) == pytest.approx(440.0, abs=5)


def test_oversized_frames_are_refused(tmp_path: Path) -> None:
    src = write_video(tmp_path / "clip.mp4", "mp4", "libx264")
    with pytest.raises(MediaRejected) as info:
        anonymise_video_poster(
            src, tmp_path / "poster.jpg", limits=MediaLimits(max_image_pixels=1000)
        )
    assert info.value.code == RejectCode.TOO_MANY_PIXELS


def test_pictures_are_not_videos(tmp_path: Path) -> None:
    src = tmp_path / "clip.mp4"
    Image.new("RGB", (8, 8)).save(src, "PNG")
    with pytest.raises(MediaRejected) as info:
        poster_image(src)
    assert info.value.code == RejectCode.NOT_ALLOWED
