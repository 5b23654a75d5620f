"""Bad input gets a 400 with field errors, never a 500 and never a half-created story."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings

from stories.models import AuditEvent, ConsentRecord, MediaAsset, Story
from tests.factories import DriveFactory
from tests.stories.test_submission import png_upload, wav_upload

CONSENT = {"store": True}


def post_json(client, body):
    return client.post("/api/v1/stories/", body, format="json")


def assert_nothing_created():
    assert Story.objects.count() == 0
    assert MediaAsset.objects.count() == 0
    assert ConsentRecord.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_unknown_drive(client_for, drive):
    response = post_json(
        client_for(), {"drive": "nowhere", "kind": "text", "text": "x", "consent": CONSENT}
    )
    assert response.status_code == 400
    assert response.json()["drive"] == ["There is no drive called 'nowhere'."]
    assert_nothing_created()


@pytest.mark.parametrize(
    "consent",
    [None, {}, {"store": False, "publish_text": True}, "not json", "[1, 2]", 42],
)
def test_consent_to_store_is_required(client_for, drive, consent):
    body = {"drive": drive.slug, "kind": "text", "text": "x"}
    if consent is not None:
        body["consent"] = consent
    response = post_json(client_for(), body)
    assert response.status_code == 400
    assert "consent" in response.json()
    assert_nothing_created()


def test_closed_drive(client_for, db):
    closed = DriveFactory(is_open=False)
    response = post_json(
        client_for(), {"drive": closed.slug, "kind": "text", "text": "x", "consent": CONSENT}
    )
    assert response.status_code == 400
    assert "closed" in response.json()["drive"][0]
    assert_nothing_created()


def test_drive_without_light_touch_needs_an_account(client_for, db):
    members_only = DriveFactory(allow_light_touch=False)
    response = post_json(
        client_for(), {"drive": members_only.slug, "kind": "text", "text": "x", "consent": CONSENT}
    )
    assert response.status_code == 400
    assert "signed-in" in response.json()["drive"][0]
    assert_nothing_created()


def test_text_story_without_text(client_for, drive):
    response = post_json(
        client_for(), {"drive": drive.slug, "kind": "text", "text": "   ", "consent": CONSENT}
    )
    assert response.status_code == 400
    assert "text" in response.json()
    assert_nothing_created()


def test_unknown_kind_and_bad_language(client_for, drive):
    response = post_json(
        client_for(),
        {"drive": drive.slug, "kind": "poem", "language": "finnish", "consent": CONSENT},
    )
    assert response.status_code == 400
    assert set(response.json()) >= {"kind", "language"}
    assert_nothing_created()


def test_media_story_without_files(client_for, drive):
    response = client_for().post(
        "/api/v1/stories/",
        {"drive": drive.slug, "kind": "audio", "consent": json.dumps(CONSENT)},
        format="multipart",
    )
    assert response.status_code == 400
    assert "files" in response.json()
    assert_nothing_created()


def test_text_story_with_files(client_for, drive):
    response = client_for().post(
        "/api/v1/stories/",
        {
            "drive": drive.slug,
            "kind": "text",
            "text": "x",
            "consent": json.dumps(CONSENT),
            "files": [png_upload()],
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert "files" in response.json()
    assert_nothing_created()


def test_empty_file(client_for, drive):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for().post(
        "/api/v1/stories/",
        {
            "drive": drive.slug,
            "kind": "audio",
            "consent": json.dumps(CONSENT),
            "files": [SimpleUploadedFile("empty.m4a", b"", content_type="audio/mp4")],
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert "files" in response.json()
    assert_nothing_created()


@override_settings(TARINA_MAX_UPLOAD_BYTES=1000)
def test_oversize_file(client_for, drive):
    response = client_for().post(
        "/api/v1/stories/",
        {
            "drive": drive.slug,
            "kind": "audio",
            "consent": json.dumps(CONSENT),
            "files": [wav_upload(seconds=1)],
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert "larger than the limit" in json.dumps(response.json())
    assert_nothing_created()


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=10_000)
def test_oversize_json_body(client_for, drive):
    response = post_json(
        client_for(),
        {"drive": drive.slug, "kind": "text", "text": "x" * 20_000, "consent": CONSENT},
    )
    assert response.status_code == 400
    assert "larger than the limit" in response.json()["detail"]
    assert_nothing_created()


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=10_000)
def test_oversize_multipart_field(client_for, drive):
    response = client_for().post(
        "/api/v1/stories/",
        {
            "drive": drive.slug,
            "kind": "audio",
            "text": "x" * 20_000,
            "consent": json.dumps(CONSENT),
            "files": [wav_upload()],
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert_nothing_created()


def test_overlong_text_is_a_field_error(client_for, drive, settings):
    response = post_json(
        client_for(),
        {"drive": drive.slug, "kind": "text", "text": "x" * 100_001, "consent": CONSENT},
    )
    assert response.status_code == 400
    assert "text" in response.json()
    assert_nothing_created()


def test_malformed_json(client_for, drive):
    response = client_for().generic(
        "POST", "/api/v1/stories/", '{"drive": ', content_type="application/json"
    )
    assert response.status_code == 400
    assert_nothing_created()


@pytest.mark.parametrize(
    ("kind", "make_file", "expected"),
    [
        ("photo", wav_upload, "is a recording"),
        ("audio", png_upload, "is a picture"),
    ],
)
def test_files_must_fit_the_kind_of_story(client_for, drive, kind, make_file, expected):
    response = client_for().post(
        "/api/v1/stories/",
        {"drive": drive.slug, "kind": kind, "consent": json.dumps(CONSENT), "files": [make_file()]},
        format="multipart",
    )
    assert response.status_code == 400
    assert expected in response.json()["files"][0]
    assert_nothing_created()


def test_an_executable_renamed_mp3_is_refused_at_once(client_for, drive):
    from django.core.files.uploadedfile import SimpleUploadedFile

    elf = SimpleUploadedFile("song.mp3", b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "audio/mpeg")
    response = client_for().post(
        "/api/v1/stories/",
        {"drive": drive.slug, "kind": "audio", "consent": json.dumps(CONSENT), "files": [elf]},
        format="multipart",
    )
    assert response.status_code == 400
    assert "song.mp3" in response.json()["files"][0]
    assert_nothing_created()
