"""Resumable uploads with object storage (TARINA_STORAGE=s3), against moto's S3.

No web process may keep any part of an upload on its own disk: each chunk becomes a piece
in the bucket, the row counts the pieces, and the last chunk joins them into one object.
Offsets, HEAD, a cut and its resume, a checksum refusal, a lost race, expiry and the move
into a story all work on the bucket alone (before: creation answered 500).
"""

from __future__ import annotations

import hashlib
import os
from datetime import timedelta

import boto3
import pytest
from django.core.cache import cache
from django.utils import timezone
from moto import mock_aws

from stories.domain import uploads
from stories.models import Story, Upload
from tests.stories.test_submission import CONSENT, wav_upload
from tests.stories.test_uploads import CutBody, b64, checksum, create, head, location, patch

TUS = {"HTTP_TUS_RESUMABLE": "1.0.0"}
BUCKET = "tarina-private"
REGION = "eu-north-1"


@pytest.fixture
def s3(settings, monkeypatch):
    """The private store is an S3 bucket (moto), configured as config/settings.py does."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("s3", region_name=REGION)
        client.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": BUCKET,
                    "location": "private",
                    "region_name": REGION,
                    "default_acl": "private",
                    "file_overwrite": False,
                    "querystring_auth": True,
                },
            },
        }
        cache.clear()
        yield client


def keys(client, prefix: str = "private/uploads/") -> list[str]:
    listed = client.list_objects_v2(Bucket=BUCKET, Prefix=prefix)
    return sorted(item["Key"] for item in listed.get("Contents", []))


def body(client, key: str) -> bytes:
    return bytes(client.get_object(Bucket=BUCKET, Key=key)["Body"].read())


def test_an_upload_goes_in_pieces_resumes_after_a_cut_and_is_joined(s3, client_for, reporter):
    client = client_for(reporter)
    data = os.urandom(300_000)
    created = create(client, len(data))
    assert created.status_code == 201, created.content
    url = location(created)
    assert keys(s3) == []  # nothing stored until bytes arrive

    assert patch(client, url, data[:100_000], 0).status_code == 204
    assert head(client, url)["Upload-Offset"] == "100000"
    assert patch(client, url, data[:10], 0).status_code == 409  # stale offset
    cut = client.generic(
        "PATCH", url, b"ignored", content_type="application/offset+octet-stream",
        HTTP_UPLOAD_OFFSET="100000", CONTENT_LENGTH="200000",
        **{"wsgi.input": CutBody(data[100_000:150_000])}, **TUS,
    )  # fmt: skip
    assert cut.status_code == 400
    assert cut["Upload-Offset"] == "150000"  # what arrived was kept
    bad = patch(client, url, data[150_000:], 150_000, HTTP_UPLOAD_CHECKSUM=checksum("sha1", b"x"))
    assert bad.status_code == 460
    assert len(keys(s3)) == 2  # the refused chunk left no piece

    assert patch(client, url, data[150_000:], 150_000).status_code == 204
    finished = head(client, url)
    assert finished["Upload-Offset"] == str(len(data))
    assert finished["Upload-Sha256"] == hashlib.sha256(data).hexdigest()
    upload = Upload.objects.get()
    assert upload.parts == []
    assert keys(s3) == [f"private/{upload.path}"]  # one object, the pieces are gone
    assert body(s3, f"private/{upload.path}") == data


def test_of_two_patches_at_one_offset_only_the_first_counts(s3, client_for, reporter):
    """Without a shared disk there is no lock: the conditional UPDATE decides, and the
    loser's piece is deleted. The loser's body here sends the winner's PATCH mid-read."""
    client = client_for(reporter)
    url = location(create(client, 10))
    upload = Upload.objects.get()

    class RacedBody:
        sent = False

        def read(self, size: int = -1) -> bytes:
            if not self.sent:
                self.sent = True
                assert patch(client, url, b"winner", 0).status_code == 204
                return b"LOSER!"
            return b""

    with pytest.raises(uploads.OffsetMismatch) as lost:
        uploads.append(upload, offset=0, stream=RacedBody(), count=6)
    assert lost.value.current == 6
    upload.refresh_from_db()
    assert [size for _name, size in upload.parts] == [6]
    assert len(keys(s3)) == 1
    assert body(s3, f"private/{upload.parts[0][0]}") == b"winner"


def test_a_finished_upload_moves_into_the_story_inside_the_bucket(
    s3, client_for, drive, django_capture_on_commit_callbacks
):
    anonymous = client_for()
    data = wav_upload().read()
    metadata = f"drive {b64(drive.slug)},filename {b64('Minun.wav')},filetype {b64('audio/wav')}"
    created = create(anonymous, len(data), metadata)
    url, token = location(created), created["Upload-Token"]
    assert patch(anonymous, url, data[:1000], 0, HTTP_UPLOAD_TOKEN=token).status_code == 204
    assert patch(anonymous, url, data[1000:], 1000, HTTP_UPLOAD_TOKEN=token).status_code == 204
    upload_id = url.rstrip("/").rsplit("/", 1)[1]

    with django_capture_on_commit_callbacks(execute=True):
        response = anonymous.post(
            "/api/v1/stories/",
            {"drive": drive.slug, "kind": "audio", "consent": CONSENT, "uploads": [upload_id]},
            format="json",
            HTTP_UPLOAD_TOKEN=token,
        )
    assert response.status_code == 201, response.json()

    asset = Story.objects.get(pk=response.json()["id"]).assets.get()
    assert asset.sha256 == hashlib.sha256(data).hexdigest()
    assert not Upload.objects.exists()
    assert keys(s3) == []  # moved, not copied
    assert body(s3, f"private/{asset.file.name}") == data


def test_a_photo_named_as_audio_is_refused_from_the_bucket(s3, client_for, reporter, drive):
    client = client_for(reporter)
    data = b"\x89PNG\r\n\x1a\n" + os.urandom(2000)
    url = location(create(client, len(data)))
    assert patch(client, url, data, 0).status_code == 204
    upload_id = url.rstrip("/").rsplit("/", 1)[1]
    response = client.post(
        "/api/v1/stories/",
        {"drive": drive.slug, "kind": "audio", "consent": CONSENT, "uploads": [upload_id]},
        format="json",
    )
    assert response.status_code == 400, response.json()
    assert Upload.objects.filter(pk=upload_id).exists()


def test_expired_uploads_and_stray_pieces_are_removed_from_the_bucket(s3, client_for, reporter):
    client = client_for(reporter)
    url = location(create(client, 10))
    assert patch(client, url, b"abc", 0).status_code == 204
    stray = "private/uploads/0123abcd.parts/0000000000000000-ff"  # a crashed PATCH's piece
    s3.put_object(Bucket=BUCKET, Key=stray, Body=b"x")
    later = timezone.now() + timedelta(days=3)

    assert head(client, url).status_code == 200
    assert uploads.remove_expired(now=later) == 2
    assert not Upload.objects.exists()
    assert keys(s3) == []


def test_an_empty_upload_is_complete_at_once(s3, client_for, reporter):
    client = client_for(reporter)
    url = location(create(client, 0))
    assert head(client, url)["Upload-Sha256"] == hashlib.sha256(b"").hexdigest()
    assert client.delete(url, **TUS).status_code == 204
    assert keys(s3) == []
