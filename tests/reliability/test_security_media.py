"""Media delivery: originals only to curators and never cached; public media served so that a
browser cannot be made to run it; a separate media origin by configuration."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.test import Client
from django.urls import clear_url_caches

from stories.enums import AssetRole, StoryKind, StoryStatus
from stories.models import MediaAsset
from tests.factories import StoryFactory

ROOT = Path(__file__).resolve().parents[2]
HTML_IN_A_JPEG = b"\xff\xd8\xff\xe0<html><script>alert(document.cookie)</script></html>"


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": tmp_path / "private"}},
        "public": {
            **settings.STORAGES["public"],
            "OPTIONS": {"location": tmp_path / "public", "base_url": "/media/public/"},
        },
    }
    return tmp_path


@pytest.fixture
def served_public_media(settings, media_root):
    """config.urls with TARINA_SERVE_PUBLIC_MEDIA on, as in a try-out without a proxy."""
    import config.urls

    settings.TARINA_SERVE_PUBLIC_MEDIA = True
    importlib.reload(config.urls)
    clear_url_caches()
    yield media_root
    settings.TARINA_SERVE_PUBLIC_MEDIA = False
    importlib.reload(config.urls)
    clear_url_caches()


@pytest.fixture
def recording(db, drive, reporter, media_root):
    """Reporter A's story with an original and a normalised recording in private storage."""
    story = StoryFactory(
        drive=drive, reporter=reporter, kind=StoryKind.AUDIO, status=StoryStatus.NEEDS_REVIEW
    )
    for role, name in ((AssetRole.ORIGINAL, "original.m4a"), (AssetRole.NORMALISED, "n.wav")):
        asset = MediaAsset(story=story, role=role, mime_type="audio/wav")
        asset.file.save(name, ContentFile(b"RIFF" + bytes(64)), save=True)
    return story


def test_public_media_is_not_sniffed_is_sandboxed_and_named(served_public_media):
    storages["public"].save("stories/x.jpg", ContentFile(HTML_IN_A_JPEG))
    response = Client().get("/media/public/stories/x.jpg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Content-Disposition"] == 'inline; filename="x.jpg"'
    assert response["Cache-Control"].startswith("public")


def test_public_media_is_kept_a_minute_then_revalidated(served_public_media):
    """A withdrawn voice must not live on in caches for an hour: short max-age, validators."""
    storages["public"].save("stories/voice.m4a", ContentFile(b"not really audio"))
    client = Client()
    first = client.get("/media/public/stories/voice.m4a")
    assert first.status_code == 200
    assert first["Cache-Control"] == "public, max-age=60, must-revalidate"
    assert first["ETag"].startswith('"')
    assert first["Last-Modified"]
    again = client.get("/media/public/stories/voice.m4a", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again["Cache-Control"] == "public, max-age=60, must-revalidate"
    since = client.get(
        "/media/public/stories/voice.m4a", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]
    )
    assert since.status_code == 304
    storages["public"].delete("stories/voice.m4a")  # what withdrawal does
    gone = client.get("/media/public/stories/voice.m4a", HTTP_IF_NONE_MATCH=first["ETag"])
    assert gone.status_code == 404


def test_the_proxy_and_object_storage_send_the_same_short_cache_lifetime():
    nginx = (ROOT / "docker" / "nginx" / "tarina.conf.template").read_text()
    settings_text = (ROOT / "config" / "settings.py").read_text()
    assert 'add_header Cache-Control "public, max-age=60, must-revalidate" always;' in nginx
    assert "expires 1h" not in nginx
    assert '"CacheControl": "public, max-age=60, must-revalidate"' in settings_text
    assert "max-age=3600" not in nginx + settings_text


def test_originals_are_not_under_the_public_media_url(served_public_media, recording):
    original = recording.assets.get(role=AssetRole.ORIGINAL)
    client = Client()
    for path in (
        f"/media/public/../private/{original.file.name}",
        f"/media/public/%2e%2e/private/{original.file.name}",
        f"/media/private/{original.file.name}",
        f"/media/{original.file.name}",
    ):
        assert client.get(path).status_code in {400, 404}, path
    with pytest.raises(ValueError, match="not accessible via a URL"):
        default_storage.url(original.file.name)


def test_the_recording_reaches_curators_only_and_is_never_cached(
    client, recording, reporter, other_reporter, curator, service
):
    url = f"/console/stories/{recording.pk}/media"
    assert client.get(url).status_code == 302  # to the sign-in page
    for person in (reporter, other_reporter, service):  # the owner too: not in the console
        client.force_login(person)
        assert client.get(url).status_code == 403
    client.force_login(curator)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"RIFF")


def test_the_api_never_gives_a_file_url_for_a_story(client_for, recording, reporter, curator):
    for person in (reporter, curator):
        body = client_for(person).get(f"/api/v1/stories/{recording.pk}/").json()
        assert len(body["assets"]) == 2
        text = str(body)
        assert "/media/" not in text
        assert "original.m4a" not in text


def test_the_media_origin_is_one_environment_variable(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TARINA_"))}
    env.update(
        TARINA_VAR_DIR=str(tmp_path),
        DJANGO_SECRET_KEY="tests-only-" + "k" * 50,
        TARINA_PUBLIC_MEDIA_URL="https://media.example.org/public/",
        TARINA_SERVE_PUBLIC_MEDIA="1",
    )
    probe = (
        "from django.core.files.storage import storages; from django.urls import resolve;"
        "print(storages['public'].url('stories/a.jpg'));"
        "print(resolve('/public/stories/a.jpg').func.__name__)"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--verbosity", "0", "-c", probe],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "https://media.example.org/public/stories/a.jpg",
        "serve_public",
    ]
