"""Recovery: docker/backup.sh, then docker/restore.sh into an empty database and media
folder; every public surface reads the same afterwards. PostgreSQL only.

Both sides are read by the same fresh ``manage.py`` process, as a restored host would
serve them: only ``DATABASE_URL`` and ``DJANGO_MEDIA_ROOT`` differ.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files import File
from django.db import connection
from django.utils import timezone

from stories.domain import publication
from stories.enums import AssetRole, StoryKind, StoryStatus, ThemeSource, ThemeTagState
from stories.models import MediaAsset, StoryTheme, Theme
from tests.factories import CollectionFactory, StoryFactory, picture_looked_at, published_story
from tests.media_pipeline.media_factories import write_jpeg_with_gps
from tests.worker import ROOT, database_url_for_workers

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Run in a fresh process against one database and media folder: every public surface,
# byte for byte, and the checksum of every file a published story or an original names.
READ_SURFACES = """
import hashlib, json, os
from django.test import Client
from stories.models import MediaAsset, PublishedStory
client = Client()
pages = {}
for url in json.loads(os.environ["SURFACES"]):
    response = client.get(url)
    pages[url] = [response.status_code, response.get("ETag"), response.content.decode()]
files = {}
for copy in PublishedStory.objects.order_by("pk"):
    for field in (copy.audio, copy.image):
        if field:
            with field.open("rb") as handle:
                files[field.name] = hashlib.sha256(handle.read()).hexdigest()
for asset in MediaAsset.objects.order_by("pk"):
    with asset.file.open("rb") as handle:
        files[asset.file.name] = hashlib.sha256(handle.read()).hexdigest()
print(json.dumps({"pages": pages, "files": files}))
"""


def read_surfaces(database_url: str, media_root: Path, urls: list[str]) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_MEDIA_ROOT": str(media_root),
        "SURFACES": json.dumps(urls),
    }
    command = [sys.executable, "manage.py", "shell", "-c", READ_SURFACES]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, check=True, timeout=120)
    return json.loads(done.stdout.decode().strip().splitlines()[-1])


def run_script(name: str, *args: str, **env: str) -> str:
    done = subprocess.run(
        [str(ROOT / "docker" / name), *args],
        env={**os.environ, **env},
        capture_output=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout.decode().strip()


@pytest.fixture
def empty_database():
    """A new, empty PostgreSQL database next to the test database; dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restored"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield database_url_for_workers().rsplit("/", 1)[0] + f"/{name}"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def published(drive, tmp_path) -> tuple[list[str], int]:
    """Published stories in a theme and a collection, one with a public photo: the public
    URLs that show them, and the photo story's id."""
    # The shipped taxonomy is migration data; in CI's long PostgreSQL run an earlier
    # transactional test may have left it flushed, so the theme is made here if missing.
    theme, _ = Theme.objects.get_or_create(
        slug="power", defaults={"constellation": "ethical_compass", "labels": {"en": "Power"}}
    )
    collection = CollectionFactory(slug="being-heard", published_at=timezone.now())
    for n in range(3):
        published_story(
            story__drive=drive,
            title=f"Heard at last, part {n}",
            text=f"The council asked us first this time ({n}) & we said <no>.",
            published_at=timezone.now() - timedelta(hours=n),
            themes=[theme],
            collections=(collection,),
        )
    photo = StoryFactory(
        drive=drive,
        kind=StoryKind.PHOTO,
        status=StoryStatus.APPROVED,
        consent={"store": True, "publish_text": True, "publish_image": True},
    )
    with write_jpeg_with_gps(tmp_path / "IMG_0001.jpg").open("rb") as handle:
        MediaAsset.objects.create(
            story=photo, role=AssetRole.ORIGINAL, file=File(handle, name="IMG_0001.jpg")
        )
    StoryTheme.objects.create(
        story=photo, theme=theme, source=ThemeSource.CURATOR, state=ThemeTagState.CONFIRMED
    )
    picture_looked_at(photo)
    copy = publication.publish(photo)
    assert copy.image
    ids = theme.publications.values_list("public_id", flat=True)
    stories = [f"/api/v1/public/stories/{public_id}/" for public_id in ids]
    urls = [
        "/api/v1/feed/",
        "/api/v1/public/collections/being-heard/",
        *[f"/feeds/themes/power.{fmt}" for fmt in ("atom", "rss", "json")],
        *[f"/feeds/collections/being-heard.{fmt}" for fmt in ("atom", "rss", "json")],
        *stories,
    ]
    return urls, photo


def test_a_restored_backup_serves_identical_feeds(published, empty_database, tmp_path):
    urls, photo = published
    media_root = Path(settings.MEDIA_ROOT)
    before = read_surfaces(database_url_for_workers(), media_root, urls)
    assert all(status == 200 for status, _, _ in before["pages"].values()), before["pages"]
    assert "Heard at last, part 2" in before["pages"]["/feeds/themes/power.atom"][2]

    backup = Path(run_script("backup.sh", str(tmp_path / "backups"),
                             DATABASE_URL=database_url_for_workers(),
                             DJANGO_MEDIA_ROOT=str(media_root)))  # fmt: skip
    assert sorted(p.name for p in backup.iterdir()) == [
        "SHA256SUMS", "database.dump", "media.tar.gz"
    ]  # fmt: skip
    restored_media = tmp_path / "restored-media"
    run_script("restore.sh", str(backup),
               DATABASE_URL=empty_database, DJANGO_MEDIA_ROOT=str(restored_media))  # fmt: skip

    after = read_surfaces(empty_database, restored_media, urls)
    assert after["pages"] == before["pages"]
    assert after["files"] == before["files"]
    assert len(before["files"]) >= 3  # the photo's original, its derivative and public copy

    def on_disk(name: str) -> bool:
        return any((restored_media / store / name).is_file() for store in ("private", "public"))

    assert all(on_disk(name) for name in after["files"])

    # A story withdrawn after the backup was taken is withdrawn again on the restored copy.
    restored_env = {"DATABASE_URL": empty_database, "DJANGO_MEDIA_ROOT": str(restored_media)}
    done = subprocess.run(
        [sys.executable, "manage.py", "withdraw_stories", str(photo.pk)],
        cwd=ROOT, env={**os.environ, **restored_env}, capture_output=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr.decode()
    assert b"Withdrew 1 of 1 stories." in done.stdout
    purged = read_surfaces(empty_database, restored_media, urls)
    assert purged["pages"][f"/api/v1/public/stories/{photo.public_id}/"][0] == 404
    feed_items = [
        len(json.loads(surfaces["pages"]["/feeds/themes/power.json"][2])["items"])
        for surfaces in (after, purged)
    ]
    assert feed_items == [4, 3]
    gone = set(after["files"]) - set(purged["files"])
    # The photo's original, the anonymised picture a curator looked at, and its public copy.
    assert len(gone) == 3
    assert not [name for name in gone if on_disk(name)]

    # Restoring over live data is refused.
    refused = subprocess.run(
        [str(ROOT / "docker" / "restore.sh"), str(backup)],
        env={**os.environ, "DATABASE_URL": empty_database, "DJANGO_MEDIA_ROOT": str(tmp_path)},
        capture_output=True,
        timeout=60,
    )
    assert refused.returncode == 2
    assert b"restore into an empty one" in refused.stderr
