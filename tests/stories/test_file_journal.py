"""No orphan file by construction: derivatives and public copies are journaled first."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db import IntegrityError
from PIL import Image

from stories.domain import consent, ingest
from stories.enums import AssetRole, StoryKind, StoryStatus
from stories.models import MediaAsset, StoredFileIntent
from stories.storage import PrivateFileSystemStorage
from tests.factories import StoryFactory


class HookedStorage(PrivateFileSystemStorage):
    """The private storage, with a hook run after each file is saved (fault injection)."""

    after_save: Callable[[str], None] | None = None

    def _save(self, name: str, content: object) -> str:
        saved = super()._save(name, content)
        if HookedStorage.after_save is not None:
            HookedStorage.after_save(saved)
        return saved


@pytest.fixture
def hooked_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": f"{__name__}.HookedStorage",
            "OPTIONS": {"location": tmp_path / "private"},
        },
    }
    yield tmp_path / "private"
    HookedStorage.after_save = None


def photo_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1600, 1200), (120, 160, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def photo_story() -> tuple[object, MediaAsset]:
    story = StoryFactory(kind=StoryKind.PHOTO, status=StoryStatus.PROCESSING)
    original = MediaAsset(story=story, role=AssetRole.ORIGINAL, mime_type="image/jpeg")
    original.file.save("photo.jpg", ContentFile(photo_bytes()), save=True)
    return story, original


def files_under(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_withdrawal_while_the_photo_is_normalised_leaves_no_file(hooked_media):
    story, original = photo_story()
    info = ingest.validate(story, original)
    saved: list[str] = []

    def withdraw_after_the_last_derivative(name: str) -> None:
        saved.append(name)
        if len(saved) == 3:  # the cleaned copy and both thumbnails are on disk
            consent.withdraw(story, actor_label="reporter")

    HookedStorage.after_save = withdraw_after_the_last_derivative

    with pytest.raises(IntegrityError):
        ingest.normalise_original(original, info)

    assert len(saved) == 3
    assert files_under(hooked_media) == []
    assert not MediaAsset.objects.filter(story=story).exists()
    assert not StoredFileIntent.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_normalised_photo_owns_its_files_and_leaves_no_intent(hooked_media):
    story, original = photo_story()
    info = ingest.validate(story, original)

    derived = ingest.normalise_original(original, info)

    assert len(derived) == 3
    names = {asset.file.name for asset in derived} | {original.file.name}
    on_disk = {str(path.relative_to(hooked_media)) for path in files_under(hooked_media)}
    assert on_disk == names
    assert not StoredFileIntent.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_crash_after_a_store_leaves_an_intent_naming_the_file(hooked_media):
    story, original = photo_story()
    info = ingest.validate(story, original)

    def crash(name: str) -> None:
        raise SystemExit("worker killed")  # BaseException, like a SIGTERM in Python

    HookedStorage.after_save = crash
    with pytest.raises(SystemExit):
        ingest.normalise_original(original, info)

    # The writer cleaned up after itself; had the process died for real, the intent
    # would still be there for the reconciler (see test_media_reconciler.py).
    assert files_under(hooked_media) == [hooked_media / original.file.name]
    assert not StoredFileIntent.objects.exists()
