"""Curators fetch a story's originals; nobody else can, and nothing on the way keeps a copy."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import boto3
import pytest
from django.core.files.base import ContentFile
from moto import mock_aws

from stories.enums import AssetRole, StoryKind, StoryStatus
from stories.models import MediaAsset
from tests.factories import StoryFactory

ORIGINAL_BYTES = b"RIFF" + bytes(range(256)) * 4


@pytest.fixture
def private_root(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": tmp_path}},
    }
    return tmp_path


def story_with_original(reporter):
    story = StoryFactory(
        reporter=reporter, kind=StoryKind.AUDIO, status=StoryStatus.NEEDS_REVIEW, language="fi"
    )
    asset = MediaAsset(story=story, role=AssetRole.ORIGINAL, mime_type="audio/wav")
    asset.file.save("original.wav", ContentFile(ORIGINAL_BYTES), save=True)
    return story, asset


def test_a_curator_downloads_the_original_and_nothing_may_cache_it(
    client_for, private_root, reporter, curator
):
    story, asset = story_with_original(reporter)
    response = client_for(curator).get(f"/api/v1/stories/{story.pk}/files/{asset.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == ORIGINAL_BYTES
    assert response["Cache-Control"] == "private, no-store, max-age=0"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("reporter", 403), ("other_reporter", 403), ("service", 403)],
)
def test_only_curators_get_originals(request, client_for, private_root, reporter, who, status):
    story, asset = story_with_original(reporter)
    user = None if who == "anonymous" else request.getfixturevalue(who)
    response = client_for(user).get(f"/api/v1/stories/{story.pk}/files/{asset.pk}/")
    assert response.status_code == status
    assert ORIGINAL_BYTES not in response.content


def test_a_file_of_another_story_is_not_found(client_for, private_root, reporter, curator):
    story, _ = story_with_original(reporter)
    _, elsewhere = story_with_original(reporter)
    response = client_for(curator).get(f"/api/v1/stories/{story.pk}/files/{elsewhere.pk}/")
    assert response.status_code == 404


def test_with_object_storage_curators_get_a_signed_url_that_expires(
    client_for, settings, monkeypatch, reporter, curator
):
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-north-1",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        boto3.client("s3", region_name="eu-north-1").create_bucket(
            Bucket="tarina-private",
            CreateBucketConfiguration={"LocationConstraint": "eu-north-1"},
        )
        # The private bucket as config/settings.py builds it for TARINA_STORAGE=s3.
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": "tarina-private",
                    "region_name": "eu-north-1",
                    "location": "private",
                    "default_acl": "private",
                    "querystring_auth": True,
                    "querystring_expire": 300,
                    "signature_version": "s3v4",
                },
            },
        }
        story, asset = story_with_original(reporter)
        response = client_for(curator).get(f"/api/v1/stories/{story.pk}/files/{asset.pk}/")

    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store, max-age=0"
    location = urlparse(response["Location"])
    query = parse_qs(location.query)
    assert query["X-Amz-Expires"] == ["300"]
    assert "X-Amz-Signature" in query
    assert location.path.endswith(asset.file.name)
