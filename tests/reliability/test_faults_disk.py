"""A full disk: uploads answer 507 and keep their offset, the worker waits, withdrawal works,
and health says so first. A real tmpfs where the tests run as root (mount works), and a
storage whose writes raise ENOSPC (fault injection at the storage boundary) elsewhere."""

from __future__ import annotations

import errno
import hashlib
import subprocess
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from stories import tasks
from stories.domain import consent, diskspace, health, workflow
from stories.enums import AssetRole, StoryKind, StoryStatus
from stories.models import MediaAsset, Story
from stories.storage import PrivateFileSystemStorage
from tests.factories import StoryFactory
from tests.stories.test_file_journal import photo_bytes
from tests.stories.test_submission import png_upload, submit_media
from tests.stories.test_uploads import create, head, location, patch

MIB = 1024 * 1024


class FullStorage(PrivateFileSystemStorage):
    """The private storage on a disk with no room left: every new file fails."""

    def _save(self, name: str, content: object) -> str:
        raise OSError(errno.ENOSPC, "No space left on device")


@pytest.fixture
def tmpfs(tmp_path):
    """``mount(size)``: a real tmpfs of ``size`` bytes; ``resize(size)`` grows it."""
    mounted: list[Path] = []

    def mount(size: int) -> Path:
        target = tmp_path / f"tmpfs{len(mounted)}"
        target.mkdir()
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(target)],
            capture_output=True,
        )
        if done.returncode:
            pytest.skip("cannot mount a tmpfs here (needs root)")
        mounted.append(target)
        return target

    yield mount
    for target in mounted:
        subprocess.run(["umount", "-l", str(target)], check=False)


def resize(target: Path, size: int) -> None:
    subprocess.run(["mount", "-o", f"remount,size={size}", str(target)], check=True)


@pytest.fixture
def full_private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": f"{__name__}.FullStorage",
            "OPTIONS": {"location": tmp_path / "private"},
        },
    }


def test_a_tus_patch_on_a_full_disk_answers_507_and_resumes_later(
    settings, tmpfs, client_for, reporter
):
    disk = tmpfs(2 * MIB)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "stories.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": disk / "private"},
        },
    }
    client = client_for(reporter)
    data = bytes(range(256)) * (3 * MIB // 256)
    url = location(create(client, len(data)))
    assert patch(client, url, data[:MIB], 0).status_code == 204

    refused = patch(client, url, data[MIB:], MIB)

    assert refused.status_code == 507
    assert "resume from offset 1048576" in refused.json()["detail"]
    assert refused["Upload-Offset"] == str(MIB)
    assert head(client, url)["Upload-Offset"] == str(MIB)

    resize(disk, 8 * MIB)  # an operator made room
    assert patch(client, url, data[MIB:], MIB).status_code == 204
    done = head(client, url)
    assert done["Upload-Sha256"] == hashlib.sha256(data).hexdigest()


def test_a_multipart_submission_on_a_full_disk_answers_507_and_stores_nothing(
    full_private_storage, client_for, drive
):
    response = submit_media(client_for(), drive, "photo", png_upload())

    assert response.status_code == 507
    assert "no room" in response.json()["detail"]
    assert not Story.objects.exists()


def test_the_worker_waits_for_space_instead_of_failing_the_story(
    db, settings, tmp_path, full_private_storage
):
    settings.STORAGES = {  # originals readable, new files refused
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": tmp_path}},
    }
    story = StoryFactory(kind=StoryKind.PHOTO, status=StoryStatus.SUBMITTED)
    (tmp_path / "photo.jpg").write_bytes(photo_bytes())
    MediaAsset.objects.create(story=story, role=AssetRole.ORIGINAL, file="photo.jpg")

    assert diskspace.StorageFull in tasks.RETRY_OPTIONS["autoretry_for"]
    # Called directly, Celery's autoretry re-raises: a worker would retry it with backoff.
    with pytest.raises(diskspace.StorageFull):
        tasks.process_story(story.pk)

    story.refresh_from_db()
    assert story.status == StoryStatus.PROCESSING
    assert workflow.claim(story.pk) is not None  # the retry picks it up again


def test_a_withdrawal_on_a_full_disk_still_erases(
    db, tmp_path, full_private_storage, django_capture_on_commit_callbacks
):
    story = StoryFactory(kind=StoryKind.PHOTO, status=StoryStatus.NEEDS_REVIEW)
    (tmp_path / "private").mkdir()
    (tmp_path / "private" / "photo.jpg").write_bytes(b"personal")
    MediaAsset.objects.create(story=story, role=AssetRole.ORIGINAL, file="photo.jpg")

    with pytest.raises(OSError, match="No space left"):  # the disk really is full
        MediaAsset(story=story).file.save("x.jpg", ContentFile(b"x"))
    # Erasing only deletes and unlinks: it needs no new space.
    with django_capture_on_commit_callbacks(execute=True):
        assert consent.withdraw(story, actor_label="reporter")

    assert not (tmp_path / "private" / "photo.jpg").exists()


def fill(path: Path) -> None:
    """Write until the disk refuses."""
    with path.open("wb") as handle:
        while True:
            handle.write(b"\0" * 65536)
            handle.flush()


def test_the_reserve_gives_a_withdrawal_room_on_a_really_full_disk(settings, tmpfs):
    disk = tmpfs(4 * MIB)
    settings.VAR_DIR = disk
    settings.TARINA_DISK_RESERVE_BYTES = MIB
    assert diskspace.ensure_reserve()
    with pytest.raises(OSError, match="No space left") as full:
        fill(disk / "filler")
    assert diskspace.is_full(full.value)

    def journal() -> int:  # what SQLite does first: write its journal
        return (disk / "journal").write_bytes(b"j" * 512 * 1024)

    assert diskspace.with_reserve(journal) == 512 * 1024
    assert not diskspace.reserve_path().exists()


def test_health_reports_low_disk_space_before_it_runs_out(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.TARINA_MIN_FREE_BYTES = diskspace.free_bytes(tmp_path) * 10

    ok, body = health.report()

    assert not ok
    assert body["checks"]["disk"]["ok"] is False
    assert "Low disk space" in body["checks"]["disk"]["detail"]
    settings.TARINA_MIN_FREE_BYTES = 1
    assert health.check_disk().ok
