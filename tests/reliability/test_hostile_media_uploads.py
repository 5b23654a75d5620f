"""The hostile-media corpus sent through the API and a real worker: refused or cleaned, never a 500.

Each file is refused at once with a 400 when its first bytes already say it is not
allowed, or reaches ``failed`` with a readable reason, or is processed into derivatives
that carry no metadata. The worker survives all of them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from stories.enums import AssetRole, StoryStatus
from stories.models import MediaAsset, Story
from tests.media_pipeline import media_factories as make
from tests.worker import wait_for

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
CONSENT = json.dumps({"store": True})
SETTLED = {StoryStatus.NEEDS_REVIEW, StoryStatus.FAILED}


def send(client, drive, kind: str, path: Path):
    return client.post(
        "/api/v1/stories/",
        {"drive": drive.slug, "kind": kind, "consent": CONSENT,
         "files": [SimpleUploadedFile(path.name, path.read_bytes())]},
        format="multipart",
    )  # fmt: skip


def settled(story_id: int) -> Story:
    return wait_for(lambda: Story.objects.filter(pk=story_id, status__in=SETTLED).first(), 90)


def refused_at_once(tmp: Path) -> list[tuple[str, str, Path]]:
    local_files = [Path("/etc/passwd"), make.write_audio(tmp / "local.wav", "wav", "pcm_s16le")]
    return [
        ("audio", "zero bytes", _write(tmp / "empty.mp3", b"")),
        ("audio", "an executable renamed .mp3", make.write_elf(tmp / "song.mp3")),
        ("audio", "an HLS playlist", make.write_hls_playlist(tmp / "a.m3u8", local_files)),
        ("audio", "an ffconcat list", make.write_ffconcat(tmp / "b.mp3", local_files)),
        ("photo", "a GIF", make.write_gif(tmp / "c.gif")),
        ("photo", "a zip", make.write_zip(tmp / "d.jpg")),
        ("photo", "a PDF", make.write_pdf(tmp / "e.png")),
    ]


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_files_that_are_plainly_not_media_are_refused_with_a_reason(client_for, drive, tmp_path):
    for kind, what, path in refused_at_once(tmp_path):
        response = send(client_for(), drive, kind, path)
        assert response.status_code == 400, what
        assert response.json()["files"], what
    assert not Story.objects.exists()


def truncated_mp3(tmp: Path) -> Path:
    full = make.write_audio(tmp / "full.mp3", "mp3", "libmp3lame", seconds=3)
    return _write(tmp / "cut.mp3", full.read_bytes()[:700])


def mp4_with_gps(tmp: Path) -> Path:
    location = {"location": "+60.4518+022.2666/"}
    return make.write_video(tmp / "v.mp4", "mp4", "libx264", "aac", metadata=location)


def test_a_recording_cut_off_by_a_lost_signal_keeps_what_was_recorded(
    client_for, drive, worker, tmp_path
):
    response = send(client_for(), drive, "audio", truncated_mp3(tmp_path))
    story = settled(response.json()["id"])
    assert story.status == StoryStatus.NEEDS_REVIEW, story.status_reason
    kept = MediaAsset.objects.get(story=story, role=AssetRole.NORMALISED)
    assert 0 < kept.duration < 3


def test_a_decompression_bomb_fails_with_a_reason(client_for, drive, worker, tmp_path):
    response = send(client_for(), drive, "photo", make.write_huge_png(tmp_path / "huge.png"))
    assert response.status_code == 201
    story = settled(response.json()["id"])
    assert story.status == StoryStatus.FAILED
    assert "too large" in story.status_reason
    assert "Traceback" not in story.status_reason
    # The worker is still there for the next story.
    assert worker.process.poll() is None


@pytest.mark.parametrize(
    ("what", "kind", "make_file"),
    [
        ("an MP4 with GPS", "video", mp4_with_gps),
        ("a JPEG with GPS", "photo", lambda d: make.write_jpeg_with_gps(d / "g.jpg")),
        ("an HTML/PNG polyglot", "photo", lambda d: make.write_png_html_polyglot(d / "p.png")),
    ],
)
def test_media_with_metadata_or_payloads_is_cleaned(
    client_for, drive, worker, tmp_path, what, kind, make_file
):
    response = send(client_for(), drive, kind, make_file(tmp_path))
    assert response.status_code == 201, what
    story = settled(response.json()["id"])
    assert story.status == StoryStatus.NEEDS_REVIEW, (what, story.status_reason)
    derived = MediaAsset.objects.filter(story=story).exclude(role=AssetRole.ORIGINAL)
    assert derived.exists()
    for asset in derived:
        path = Path(asset.file.path)
        if asset.mime_type.startswith("audio/"):
            make.assert_clean_av(path)
        else:
            make.assert_clean_image(path)
        assert b"<script" not in path.read_bytes().lower()
