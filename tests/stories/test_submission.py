"""Telling a story through the API: every kind, with and without an account."""

from __future__ import annotations

import io
import json
import wave

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from stories.domain import receipts, submission
from stories.enums import AssetRole, StoryStatus
from stories.models import AuditEvent, ConsentRecord, MediaAsset, Story

CONSENT = {"store": True, "publish_text": True, "publish_audio": False, "research": True}


def wav_upload(name: str = "story.wav", seconds: float = 0.5) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(b"\x00\x00" * int(16000 * seconds))
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="audio/wav")


def png_upload(name: str = "photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), "teal").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def mp4_upload(name: str = "clip.mp4") -> SimpleUploadedFile:
    import av
    import numpy as np

    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for _ in range(5):
            frame = av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8), format="rgb24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="video/mp4")


def submit_media(client, drive, kind: str, *files: SimpleUploadedFile, **fields):
    body = {"drive": drive.slug, "kind": kind, "consent": json.dumps(CONSENT), **fields}
    return client.post("/api/v1/stories/", {**body, "files": list(files)}, format="multipart")


def test_anonymous_text_story_gets_id_status_and_receipt(client_for, drive):
    response = client_for().post(
        "/api/v1/stories/",
        {
            "drive": drive.slug,
            "kind": "text",
            "title": "Kirjastoauto",
            "text": "Kirjastoauto pysähtyy kylässämme.",
            "language": "FI",
            "consent": CONSENT,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {"id", "status", "receipt"}
    assert body["status"] == StoryStatus.SUBMITTED
    story = Story.objects.get(pk=body["id"])
    assert story.reporter is None
    assert story.language == "fi"
    # Only the hash of the receipt is stored.
    assert story.receipt_hash == receipts.digest(body["receipt"])
    assert body["receipt"] not in json.dumps(list(Story.objects.values()), default=str)


def test_signed_in_reporter_owns_the_story(client_for, drive, reporter):
    response = client_for(reporter).post(
        "/api/v1/stories/",
        {"drive": drive.slug, "kind": "text", "text": "Hello", "consent": CONSENT},
        format="json",
    )
    assert response.status_code == 201
    assert Story.objects.get(pk=response.json()["id"]).reporter == reporter


@pytest.mark.parametrize(
    ("kind", "make_files"),
    [
        ("audio", lambda: [wav_upload()]),
        ("photo", lambda: [png_upload(), png_upload("second.png")]),
        ("video", lambda: [mp4_upload()]),
    ],
)
def test_media_story_keeps_each_file_privately_with_its_hash(client_for, drive, kind, make_files):
    files = make_files()
    response = submit_media(client_for(), drive, kind, *files, title="Mun tarina")
    assert response.status_code == 201, response.json()
    story = Story.objects.get(pk=response.json()["id"])
    assets = list(story.assets.order_by("pk"))
    assert [a.role for a in assets] == [AssetRole.ORIGINAL] * len(files)
    for asset, upload in zip(assets, files, strict=True):
        upload.seek(0)
        content = upload.read()
        assert asset.size == len(content)
        assert asset.file.read() == content
        # The reporter's own file name never reaches storage.
        assert upload.name not in asset.file.name
        # Originals live in storage without a URL.
        with pytest.raises(ValueError, match="not accessible via a URL"):
            _ = asset.file.url


def test_consent_is_recorded_with_the_drive_consent_version_and_language(client_for, drive):
    response = client_for().post(
        "/api/v1/stories/",
        {"drive": drive.slug, "kind": "text", "text": "Moi", "language": "fi", "consent": CONSENT},
        format="json",
    )
    record = ConsentRecord.objects.get(story_id=response.json()["id"])
    assert (record.consent_version, record.consent_language) == (1, "fi")
    assert record.scopes == ["store", "publish_text", "research"]
    assert record.withdrawn_at is None


def test_consent_text_falls_back_to_the_drive_default_language(client_for, drive):
    response = client_for().post(
        "/api/v1/stories/",
        {"drive": drive.slug, "kind": "text", "text": "Hej", "language": "sv", "consent": CONSENT},
        format="json",
    )
    record = ConsentRecord.objects.get(story_id=response.json()["id"])
    assert record.consent_language == "en"


def test_submission_is_audited(client_for, drive):
    response = client_for().post(
        "/api/v1/stories/",
        {"drive": drive.slug, "kind": "text", "text": "Hello", "consent": CONSENT},
        format="json",
    )
    event = AuditEvent.objects.get(target_id=str(response.json()["id"]))
    assert event.action == "story.submitted"
    assert event.actor is None


def test_each_story_gets_a_different_receipt(client_for, drive):
    bodies = [
        client_for()
        .post(
            "/api/v1/stories/",
            {"drive": drive.slug, "kind": "text", "text": f"Story {i}", "consent": CONSENT},
            format="json",
        )
        .json()
        for i in range(5)
    ]
    assert len({body["receipt"] for body in bodies}) == 5
    assert MediaAsset.objects.count() == 0


def test_the_rules_report_every_field_before_kind_and_files(drive):
    form = submission.FormInput(
        drive=drive, kind="photo", consent_scopes={}, title="x" * 300, theme_slugs=["nope"]
    )
    with pytest.raises(submission.InvalidSubmission) as invalid:
        submission.read_form(form)
    # A photo story without a photo is not mentioned until the fields themselves are fine.
    assert list(invalid.value.errors) == ["title", "consent", "themes"]


def test_the_rules_turn_a_good_form_into_a_request(drive):
    form = submission.FormInput(
        drive=drive, kind="text", consent_scopes=CONSENT, title="  Bus  ", text="It never came."
    )
    request = submission.read_form(form)
    assert (request.kind, request.title, request.text) == ("text", "Bus", "It never came.")
    assert submission.submit(request).story.title == "Bus"


def test_an_account_that_cannot_submit_is_refused_not_corrected(drive):
    nobody = User.objects.create_user("no-role")
    form = submission.FormInput(drive=drive, kind="text", consent_scopes=CONSENT, reporter=nobody)
    with pytest.raises(submission.SubmissionRefused):
        submission.read_form(form)
