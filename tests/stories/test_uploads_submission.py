"""Telling a story with finished resumable uploads instead of multipart files."""

from __future__ import annotations

import hashlib
import os
from uuid import UUID

import pytest
from django.core.exceptions import ValidationError

from stories.domain import submission, uploads
from stories.enums import AssetRole, StoryKind
from stories.models import AuditEvent, MediaAsset, Story, Upload
from tests.stories.test_submission import CONSENT, png_upload, wav_upload
from tests.stories.test_uploads import (
    b64,
    create,
    location,
    patch,
    private_media,  # noqa: F401 - autouse fixture
    stored_path,
)


def upload_bytes(client, data: bytes, metadata: str = "", **extra) -> tuple[str, str | None]:
    """Upload ``data`` in two chunks; (upload id, token or None)."""
    response = create(client, len(data), metadata, **extra)
    assert response.status_code == 201, response.content
    url, token = location(response), response.get("Upload-Token")
    auth = {"HTTP_UPLOAD_TOKEN": token} if token else {}
    half = len(data) // 2
    assert patch(client, url, data[:half], 0, **auth).status_code == 204
    assert patch(client, url, data[half:], half, **auth).status_code == 204
    return url.rstrip("/").rsplit("/", 1)[1], token


def submit(client, drive, kind: str, ids: list[str], **headers):
    body = {"drive": drive.slug, "kind": kind, "consent": CONSENT, "uploads": ids}
    return client.post("/api/v1/stories/", body, format="json", **headers)


def test_anonymous_story_from_a_finished_upload(
    client_for, drive, django_capture_on_commit_callbacks
):
    anonymous = client_for()
    data = wav_upload().read()
    metadata = (
        f"drive {b64(drive.slug)},filename {b64('Minun tarinani.WAV')},filetype {b64('audio/wav')}"
    )
    upload_id, token = upload_bytes(anonymous, data, metadata)
    path = stored_path(f"/api/v1/uploads/{upload_id}/")

    with django_capture_on_commit_callbacks(execute=True):
        response = submit(anonymous, drive, "audio", [upload_id], HTTP_UPLOAD_TOKEN=token)
    assert response.status_code == 201, response.json()

    story = Story.objects.get(pk=response.json()["id"])
    asset = story.assets.get()
    assert asset.role == AssetRole.ORIGINAL
    assert (asset.size, asset.mime_type) == (len(data), "audio/wav")
    assert asset.sha256 == hashlib.sha256(data).hexdigest()
    # Moved, not copied: the upload and its file are gone, the asset has the bytes.
    assert not Upload.objects.exists()
    assert not os.path.exists(path)
    assert asset.file.read() == data
    assert "Minun" not in asset.file.name
    assert asset.file.name.endswith(".wav")
    with pytest.raises(ValueError, match="not accessible via a URL"):
        _ = asset.file.url
    event = AuditEvent.objects.get(target_id=str(story.pk), action="story.submitted")
    assert event.data["files"] == 1


def test_signed_in_reporter_mixes_uploads_and_sees_the_assets(
    client_for, drive, reporter, django_capture_on_commit_callbacks
):
    client = client_for(reporter)
    first = png_upload().read()
    second = png_upload("b.png").read()
    ids = [upload_bytes(client, first)[0], upload_bytes(client, second)[0]]
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(client, drive, "photo", ids)
    assert response.status_code == 201, response.json()
    story = client.get(f"/api/v1/stories/{response.json()['id']}/").json()
    assert sorted(a["sha256"] for a in story["assets"]) == sorted(
        hashlib.sha256(d).hexdigest() for d in (first, second)
    )
    assert MediaAsset.objects.filter(story_id=story["id"], role=AssetRole.ORIGINAL).count() == 2


def test_an_upload_is_used_once(client_for, drive, reporter, django_capture_on_commit_callbacks):
    client = client_for(reporter)
    upload_id, _ = upload_bytes(client, wav_upload().read())
    with django_capture_on_commit_callbacks(execute=True):
        assert submit(client, drive, "audio", [upload_id]).status_code == 201
    again = submit(client, drive, "audio", [upload_id])
    assert again.status_code == 400
    assert "uploads" in again.json()


def test_without_the_token_an_anonymous_upload_cannot_be_used(client_for, drive):
    anonymous = client_for()
    upload_id, _ = upload_bytes(anonymous, wav_upload().read(), f"drive {b64(drive.slug)}")
    assert submit(anonymous, drive, "audio", [upload_id]).status_code == 400
    wrong = submit(anonymous, drive, "audio", [upload_id], HTTP_UPLOAD_TOKEN="not-it")
    assert wrong.status_code == 400
    assert Upload.objects.count() == 1
    assert not Story.objects.exists()


def test_several_anonymous_uploads_with_their_tokens(
    client_for, drive, django_capture_on_commit_callbacks
):
    anonymous = client_for()
    meta = f"drive {b64(drive.slug)}"
    one, token_one = upload_bytes(anonymous, png_upload().read(), meta)
    two, token_two = upload_bytes(anonymous, png_upload("2.png").read(), meta)
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(
            anonymous, drive, "photo", [one, two], HTTP_UPLOAD_TOKEN=f"{token_one}, {token_two}"
        )
    assert response.status_code == 201, response.json()
    assert Story.objects.get().assets.count() == 2


def test_someone_elses_upload_cannot_be_used(client_for, drive, reporter, other_reporter):
    upload_id, _ = upload_bytes(client_for(reporter), wav_upload().read())
    response = submit(client_for(other_reporter), drive, "audio", [upload_id])
    assert response.status_code == 400
    assert Upload.objects.filter(owner=reporter).exists()


def test_an_unfinished_upload_cannot_be_used(client_for, drive, reporter):
    client = client_for(reporter)
    response = create(client, 100)
    upload_id = location(response).rstrip("/").rsplit("/", 1)[1]
    refused = submit(client, drive, "audio", [upload_id])
    assert refused.status_code == 400
    assert "not finished" in str(refused.json())


def test_the_quick_media_checks_run_on_uploads(client_for, drive, reporter):
    client = client_for(reporter)
    picture, _ = upload_bytes(client, png_upload().read(), f"filename {b64('kuva.png')}")
    response = submit(client, drive, "audio", [picture])
    assert response.status_code == 400
    assert "kuva.png is a picture" in str(response.json())
    junk, _ = upload_bytes(client, b"not a media file at all")
    assert submit(client, drive, "audio", [junk]).status_code == 400
    # Nothing was consumed: both uploads can still be used or deleted.
    assert Upload.objects.count() == 2


def test_a_text_story_takes_no_uploads(client_for, drive, reporter):
    client = client_for(reporter)
    upload_id, _ = upload_bytes(client, wav_upload().read())
    body = {"drive": drive.slug, "kind": "text", "text": "Hi", "consent": CONSENT}
    response = client.post("/api/v1/stories/", {**body, "uploads": [upload_id]}, format="json")
    assert response.status_code == 400


def test_a_rolled_back_submission_leaves_the_upload_usable(
    client_for, drive, reporter, django_capture_on_commit_callbacks
):
    """A later failure in the same submission must not lose an upload already attached."""
    client = client_for(reporter)
    good, _ = upload_bytes(client, wav_upload().read())
    picture, _ = upload_bytes(client, png_upload().read())
    found = uploads.for_submission([UUID(good), UUID(picture)], reporter, [])
    # Straight to the domain, past the serializer's checks: the picture fails in attach().
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        submission.submit(
            submission.SubmissionRequest(
                drive=drive,
                kind=StoryKind.AUDIO,
                consent_scopes=CONSENT,
                uploads=found,
                reporter=reporter,
            )
        )
    assert not Story.objects.exists()
    assert not MediaAsset.objects.exists()
    upload = Upload.objects.get(pk=good)
    assert os.path.getsize(stored_path(f"/api/v1/uploads/{good}/")) == upload.length
    with django_capture_on_commit_callbacks(execute=True):
        assert submit(client, drive, "audio", [good]).status_code == 201
