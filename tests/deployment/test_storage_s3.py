"""TARINA_STORAGE=s3: originals private with signed, expiring URLs; derivatives public.

The settings are read in a subprocess with the S3 variables set (settings are module-level);
the storages they describe are then exercised against moto's S3 in this process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import boto3
import pytest
from django.core.files.base import ContentFile
from moto import mock_aws
from storages.backends.s3 import S3Storage

ROOT = Path(__file__).resolve().parents[2]
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


def storages_from_settings(**env: str) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.STORAGES, default=str))"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **env}
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def s3_storages() -> dict:
    return storages_from_settings(
        TARINA_STORAGE="s3",
        TARINA_S3_PRIVATE_BUCKET="tarina-private",
        TARINA_S3_PUBLIC_BUCKET="tarina-public",
        AWS_S3_REGION_NAME="eu-north-1",
    )


@pytest.fixture
def s3(monkeypatch):
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "eu-north-1",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("s3", region_name="eu-north-1")
        for bucket in ("tarina-private", "tarina-public"):
            client.create_bucket(
                Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-north-1"}
            )
        yield client


def build(config: dict) -> S3Storage:
    assert config["BACKEND"] == "storages.backends.s3.S3Storage"
    return S3Storage(**config["OPTIONS"])


def test_local_filesystem_is_the_default():
    storages = storages_from_settings()
    assert storages["default"]["BACKEND"] == "stories.storage.PrivateFileSystemStorage"
    assert storages["public"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"


def test_private_objects_get_signed_urls_that_expire(s3, s3_storages):
    private = build(s3_storages["default"])
    name = private.save("originals/recording.m4a", ContentFile(b"voice"))

    url = urlparse(private.url(name))
    query = parse_qs(url.query)

    assert url.netloc.startswith("tarina-private.") or "tarina-private" in url.path
    assert "X-Amz-Signature" in query
    assert query["X-Amz-Expires"] == ["300"]
    key = f"private/{name}"
    assert s3.get_object(Bucket="tarina-private", Key=key)["Body"].read() == b"voice"


def test_private_objects_never_get_a_public_acl(s3, s3_storages):
    assert s3_storages["default"]["OPTIONS"]["default_acl"] == "private"
    private = build(s3_storages["default"])
    name = private.save("originals/photo.jpg", ContentFile(b"jpeg"))

    grants = s3.get_object_acl(Bucket="tarina-private", Key=f"private/{name}")["Grants"]

    assert grants
    assert all(grant["Grantee"].get("URI") != ALL_USERS for grant in grants)
    assert {grant["Permission"] for grant in grants} == {"FULL_CONTROL"}


def test_public_derivatives_get_plain_urls(s3, s3_storages):
    public = build(s3_storages["public"])
    name = public.save("stories/1/clip.m4a", ContentFile(b"anonymised"))

    url = public.url(name)

    assert "tarina-public" in url
    assert "X-Amz-" not in url
    assert "Signature" not in url
    assert urlparse(url).path.endswith(f"/public/{name}")


def test_public_prefix_in_the_same_bucket_when_no_public_bucket_is_given():
    storages = storages_from_settings(TARINA_STORAGE="s3", TARINA_S3_PRIVATE_BUCKET="one")
    assert storages["public"]["OPTIONS"]["bucket_name"] == "one"
    assert storages["public"]["OPTIONS"]["location"] == "public"
    assert storages["default"]["OPTIONS"]["location"] == "private"


def test_an_unknown_storage_is_refused():
    with pytest.raises(subprocess.CalledProcessError):
        storages_from_settings(TARINA_STORAGE="ftp")
