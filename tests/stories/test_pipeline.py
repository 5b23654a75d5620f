"""Uploads go through a real worker: validated, normalised, transcribed, ready for review."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from media_pipeline.speech.audio import decode_audio
from stories.enums import AssetRole, StoryStatus
from stories.models import MediaAsset, Story, Transcript
from stories.tasks import sweep_stuck_stories
from tests.media_pipeline.media_factories import assert_clean_image, write_jpeg_with_gps, write_wav
from tests.worker import WorkerProcess, database_url_for_workers, wait_for

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
CONSENT = json.dumps({"store": True, "publish_text": True})
DONE = {StoryStatus.NEEDS_REVIEW, StoryStatus.FAILED}


def upload(client, drive, kind: str, path: Path, **fields):
    response = client.post(
        "/api/v1/stories/",
        {"drive": drive.slug, "kind": kind, "consent": CONSENT, **fields,
         "files": [SimpleUploadedFile(path.name, path.read_bytes())]},
        format="multipart",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    return response.json()


def processed(story_id: int, timeout: float = 240) -> Story:
    return wait_for(
        lambda: Story.objects.filter(pk=story_id, status__in=DONE).first(), timeout=timeout
    )


def joined_speech(fleurs_dir: Path, out: Path, clips: list[str]) -> Path:
    """Several FLEURS clips decoded and joined into one longer 16 kHz recording."""
    parts = []
    for name in clips:
        parts.append(decode_audio(fleurs_dir / name))
        parts.append(np.zeros(8000, dtype=np.float32))
    return write_wav(out, np.concatenate(parts))


@pytest.mark.slow
def test_phone_recording_is_transcribed_in_its_language(client_for, drive, worker, fleurs_dir):
    body = upload(client_for(), drive, "audio", fleurs_dir / "fleurs-de-001.ogg")

    story = processed(body["id"])

    assert story.status == StoryStatus.NEEDS_REVIEW, story.status_reason
    transcript = Transcript.objects.get(story=story)
    assert transcript.language == "de"
    assert story.language == "de"  # adopted from the speech, since none was given
    assert len(transcript.text.split()) > 5
    words = [w for s in transcript.segments for w in s["words"]]
    assert words
    assert all(w["start"] <= w["end"] for w in words)
    roles = set(MediaAsset.objects.filter(story=story).values_list("role", flat=True))
    assert roles == {AssetRole.ORIGINAL, AssetRole.NORMALISED}
    receipt = client_for().get(f"/api/v1/receipts/{body['receipt']}/").json()
    assert receipt == {"status": "needs_review", "reason": "", "processing_percent": 100}


def test_photo_with_gps_is_cleaned_and_thumbnailed(client_for, drive, worker, tmp_path):
    original = write_jpeg_with_gps(tmp_path / "IMG_0001.jpg")
    assert Image.open(original).getexif().get_ifd(0x8825)  # the original has GPS

    story = processed(upload(client_for(), drive, "photo", original)["id"])

    assert story.status == StoryStatus.NEEDS_REVIEW, story.status_reason
    derived = MediaAsset.objects.filter(story=story, role=AssetRole.DERIVATIVE)
    assert sorted(a.variant for a in derived) == ["image", "image_thumb_1280", "image_thumb_320"]
    for asset in derived:
        assert_clean_image(Path(asset.file.path))
    assert not Transcript.objects.filter(story=story).exists()


def test_truncated_recording_fails_with_a_reason_the_reporter_can_read(
    client_for, drive, worker, fleurs_dir, tmp_path
):
    broken = tmp_path / "broken.ogg"
    broken.write_bytes((fleurs_dir / "fleurs-en-000.ogg").read_bytes()[:200])

    body = upload(client_for(), drive, "audio", broken)
    story = processed(body["id"], timeout=60)

    assert story.status == StoryStatus.FAILED
    receipt = client_for().get(f"/api/v1/receipts/{body['receipt']}/").json()
    assert receipt["status"] == "failed"
    assert receipt["reason"]
    assert "Traceback" not in receipt["reason"]


@pytest.mark.slow
def test_worker_killed_mid_transcription_leaves_exactly_one_transcript(
    client_for, drive, fleurs_dir, tmp_path, settings
):
    recording = joined_speech(
        fleurs_dir, tmp_path / "long.wav", [f"fleurs-en-00{i}.ogg" for i in range(6)]
    )
    first = WorkerProcess(database_url_for_workers(), tmp_path / "first.log")
    first.start()
    try:
        body = upload(client_for(), drive, "audio", recording)
        wait_for(
            lambda: Story.objects.filter(pk=body["id"], processing_step="transcribe").exists(),
            timeout=120,
        )
    finally:
        first.kill()
    assert Story.objects.get(pk=body["id"]).status == StoryStatus.PROCESSING

    second = WorkerProcess(database_url_for_workers(), tmp_path / "second.log")
    second.start()
    try:
        # What Celery beat does every few minutes, with a deadline that has passed.
        settings.TARINA_STUCK_AFTER_SECONDS = 0
        assert body["id"] in sweep_stuck_stories()
        story = processed(body["id"])
    finally:
        second.stop()

    assert story.status == StoryStatus.NEEDS_REVIEW, story.status_reason
    assert Transcript.objects.filter(story=story).count() == 1
    assert MediaAsset.objects.filter(story=story, role=AssetRole.NORMALISED).count() == 1
