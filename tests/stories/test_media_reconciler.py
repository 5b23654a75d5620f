"""The media reconciler: orphan files deleted, missing files reported and repaired."""

from __future__ import annotations

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.core.management.base import CommandError
from moto import mock_aws

from stories import tasks
from stories.domain import dispatch, media_reconciler
from stories.enums import AssetRole, StoryStatus
from stories.models import MediaAsset, MediaCheckRun, StoredFileIntent
from tests.factories import StoryFactory


@pytest.fixture
def filesystem_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "stories.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private"},
        },
        "public": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "public", "base_url": "/media/public/"},
        },
    }
    settings.TARINA_MEDIA_ORPHAN_GRACE_SECONDS = 0


@pytest.fixture
def s3_media(settings, monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-north-1")
    with mock_aws():
        client = boto3.client("s3", region_name="eu-north-1")
        for bucket in ("tarina-private", "tarina-public"):
            client.create_bucket(
                Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-north-1"}
            )
        common = {"region_name": "eu-north-1", "file_overwrite": False}
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {**common, "bucket_name": "tarina-private", "location": "private"},
            },
            "public": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {**common, "bucket_name": "tarina-public", "location": "public"},
            },
        }
        settings.TARINA_MEDIA_ORPHAN_GRACE_SECONDS = 0
        yield client


def plant(db_story_status: str = StoryStatus.NEEDS_REVIEW) -> dict[str, object]:
    """A story with an original and a derivative, one file planted with no row (orphan) and
    one row whose file was lost (missing)."""
    story = StoryFactory(status=db_story_status)
    original = MediaAsset(story=story, role=AssetRole.ORIGINAL)
    original.file.save("photo.jpg", ContentFile(b"original"), save=True)
    lost = MediaAsset(story=story, role=AssetRole.DERIVATIVE, source=original, variant="image")
    lost.file.save("image.jpg", ContentFile(b"derived"), save=True)
    storages["default"].delete(lost.file.name)
    orphan = storages["default"].save(
        f"stories/{story.pk}/derivative/left-behind.jpg", ContentFile(b"no row")
    )
    return {"story": story, "original": original, "lost": lost, "orphan": orphan}


def assert_found_then_repaired(planted: dict[str, object], capsys) -> None:
    private = storages["default"]
    original, lost = planted["original"], planted["lost"]
    assert isinstance(original, MediaAsset)
    assert isinstance(lost, MediaAsset)

    with pytest.raises(CommandError, match="2 problem"):
        call_command("check_media")
    out = capsys.readouterr().out
    assert f"orphan  default:{planted['orphan']} (no owning row)" in out
    assert f"missing default:{lost.file.name}" in out
    assert private.exists(str(planted["orphan"]))  # a report changes nothing
    assert MediaAsset.objects.filter(pk=lost.pk).exists()

    call_command("check_media", "--repair")
    assert not private.exists(str(planted["orphan"]))
    assert not MediaAsset.objects.filter(pk=lost.pk).exists()
    assert private.exists(original.file.name)  # owned files are never touched
    call_command("check_media")  # clean now: no CommandError
    run = MediaCheckRun.objects.order_by("-finished_at")[1]
    assert (run.orphans_found, run.orphans_deleted, run.missing_found) == (1, 1, 1)


def test_the_command_reports_then_repairs_an_orphan_and_a_missing_file(
    db, filesystem_media, capsys
):
    assert_found_then_repaired(plant(), capsys)


def test_the_command_does_the_same_on_s3(db, s3_media, capsys):
    assert_found_then_repaired(plant(), capsys)


def test_the_beat_task_repairs(db, filesystem_media, settings):
    planted = plant()
    assert settings.CELERY_BEAT_SCHEDULE["reconcile-media"]["task"] == dispatch.RECONCILE_MEDIA
    assert tasks.reconcile_media.name == dispatch.RECONCILE_MEDIA

    result = tasks.reconcile_media()

    assert result["orphans_deleted"] == 1
    assert result["missing_repaired"] == 1
    assert not storages["default"].exists(str(planted["orphan"]))


def test_the_beat_task_repairs_on_s3(db, s3_media):
    planted = plant()
    assert tasks.reconcile_media()["orphans_deleted"] == 1
    key = f"private/{planted['orphan']}"
    assert s3_media.list_objects_v2(Bucket="tarina-private", Prefix=key)["KeyCount"] == 0


def test_young_unowned_files_wait_but_a_withdrawn_storys_go_at_once(db, filesystem_media, settings):
    settings.TARINA_MEDIA_ORPHAN_GRACE_SECONDS = 3600
    live, gone = StoryFactory(), StoryFactory(status=StoryStatus.WITHDRAWN)
    private, public = storages["default"], storages["public"]
    in_flight = private.save(f"stories/{live.pk}/derivative/new.jpg", ContentFile(b"x"))
    leftover = private.save(f"stories/{gone.pk}/derivative/old.jpg", ContentFile(b"x"))
    public_leftover = public.save(
        f"{media_reconciler.publication_media.public_folder(gone)}/copy.jpg", ContentFile(b"x")
    )

    report = media_reconciler.check(repair=True)

    assert {f.name for f in report.orphans} == {leftover, public_leftover}
    assert private.exists(in_flight)
    assert not private.exists(leftover)
    assert not public.exists(public_leftover)


def test_a_stale_intent_left_by_a_crash_takes_its_file_with_it(db, filesystem_media):
    story = StoryFactory()
    name = f"stories/{story.pk}/derivative/crashed.jpg"
    StoredFileIntent.objects.create(storage="default", name=name, story_id=story.pk)
    storages["default"].save(name, ContentFile(b"written, never committed"))
    StoredFileIntent.objects.create(storage="public", name="stories/x/never.jpg", story_id=story.pk)

    report = media_reconciler.check(repair=True)

    assert [(f.name, f.reason) for f in report.orphans] == [(name, "stale intent")]
    assert len(report.stale_intents) == 1  # the one whose bytes never landed
    assert not storages["default"].exists(name)
    assert not StoredFileIntent.objects.exists()
