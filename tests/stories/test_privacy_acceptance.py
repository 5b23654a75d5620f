"""The whole flow with planted personal data: nothing planted reaches any public surface.

Stories in four languages carry names, phone numbers, e-mail addresses, national identity
numbers, IBANs and street addresses; a photo and a video carry GPS positions. They are
submitted, processed by a real worker, approved with the default redactions and published
in a collection. Then every public endpoint, feed, export and public media file is fetched
and searched for every planted value. After a withdrawal the story is gone from all of them.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from stories.enums import Role, StoryStatus
from stories.models import Story
from tests.factories import UserFactory
from tests.media_pipeline.media_factories import GPS_TEXT, write_jpeg_with_gps, write_video
from tests.worker import wait_for

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

STORIES = {
    "en": (
        "My name is Jonathan Miller and I live at 221 Baker Street. Call me on "
        "+44 20 7946 0958 or write to jon.miller@example.org. My bank account is "
        "GB82 WEST 1234 5698 7654 32 and my isikukood is 37605030299. The support worker "
        "finally listened to me and we planned the next steps together."
    ),
    "fi": (
        "Olen Aino Korhonen ja asun osoitteessa Mannerheimintie 12 B 7. Numeroni on "
        "040 123 4567 ja sähköpostini aino.korhonen@example.fi. Henkilötunnukseni on "
        "131052-308T ja tilini FI21 1234 5600 0007 85. Sosiaalityöntekijä kuunteli minua."
    ),
    "sv": (
        "Jag heter Lars Lindqvist och bor på Storgatan 14 i Vaasa. Ring 070-123 45 67 "
        "eller mejla lars.lindqvist@example.se. Mitt personnummer är 880320-0016 och mitt "
        "konto SE45 5000 0000 0583 9825 7466. Personalen lyssnade verkligen på mig."
    ),
    "de": (
        "Ich bin Petra Schneider und wohne in der Hauptstraße 12. Meine Nummer ist "
        "+49 30 1234567, meine E-Mail petra.schneider@example.de, meine Steuer-ID "
        "36574261809 und mein Konto DE89 3704 0044 0532 0130 00. Im Amt hat man mir "
        "endlich zugehört."
    ),
}
PLANTED = [
    "Jonathan", "Miller", "221 Baker Street", "7946 0958", "jon.miller@example.org",
    "GB82 WEST", "37605030299",
    "Aino", "Korhonen", "Mannerheimintie 12", "040 123 4567", "aino.korhonen@example.fi",
    "131052-308T", "FI21 1234",
    "Lars", "Lindqvist", "Storgatan 14", "070-123 45 67", "lars.lindqvist@example.se",
    "880320-0016", "SE45 5000",
    "Petra", "Schneider", "Hauptstraße 12", "1234567", "petra.schneider@example.de",
    "36574261809", "DE89 3704",
    "hannele.reporter", GPS_TEXT, "22.2666", "022.2666",
]  # fmt: skip
CONSENT = {"store": True, "publish_text": True, "publish_audio": True, "research": True}
# Consent to the words never covers a picture: photos and videos come with the picture scope.
MEDIA_CONSENT = {**CONSENT, "publish_image": True}
PUBLISHED_OR_NOT = {StoryStatus.PUBLISHED, StoryStatus.FAILED}


def _compact(text: str) -> str:
    return re.sub(r"[\s\-.()]", "", text)


def assert_nothing_planted(name: str, body: bytes, planted: Iterable[str] = PLANTED) -> None:
    """No planted value, as written or with its spaces and dashes removed."""
    text = body.decode("utf-8", errors="replace")
    squeezed = _compact(text)
    for value in planted:
        assert value not in text, f"{value!r} leaked into {name}"
        if len(_compact(value)) >= 7:
            assert _compact(value) not in squeezed, f"{value!r} leaked into {name}"


def submit(client, drive, language: str, text: str) -> int:
    response = client.post(
        "/api/v1/stories/",
        {"drive": drive.slug, "kind": "text", "language": language, "title": "Kuultu",
         "text": text, "consent": CONSENT},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def looked_at_picture(curator, pk: int) -> dict[str, str]:
    """Look at the picture that would be published, as the console shows it; the approval
    then names it."""
    picture = curator.get(f"/api/v1/stories/{pk}/picture/").json()
    if not picture["fingerprint"]:
        return {}
    assert curator.get(picture["preview"]).status_code == 200
    return {"picture": picture["fingerprint"]}


def submit_media(client, drive, kind: str, path: Path) -> tuple[int, str]:
    response = client.post(
        "/api/v1/stories/",
        {"drive": drive.slug, "kind": kind, "consent": json.dumps(MEDIA_CONSENT),
         "files": [SimpleUploadedFile(path.name, path.read_bytes())]},
        format="multipart",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    return response.json()["id"], response.json()["receipt"]


def settled(ids: list[int], statuses: set[str], timeout: float = 300) -> list[Story]:
    def done() -> list[Story] | None:
        found = list(Story.objects.filter(pk__in=ids, status__in=statuses))
        return found if len(found) == len(ids) else None

    return wait_for(done, timeout=timeout)


def public_file(url: str) -> bytes:
    name = url.split(settings.PUBLIC_MEDIA_URL, 1)[1]
    with storages["public"].open(name) as handle:
        return handle.read()


def public_id(pk: int) -> str:
    """A story's public id: public surfaces name it by that, never by its row id."""
    return str(Story.objects.values_list("public_id", flat=True).get(pk=pk))


def public_surfaces(
    client, collection: str, story_ids: list[int], theme: str | None = "empathy"
) -> dict[str, bytes]:
    """Every public answer about the published stories, and every public media file
    (with ``theme``'s feeds, when the stories were given that theme)."""
    urls = [
        "/api/v1/feed/",
        "/api/v1/feed/?q=listened",
        f"/api/v1/public/collections/{collection}/",
        f"/api/v1/public/collections/{collection}/export.csv",
        f"/api/v1/public/collections/{collection}/export.json",
        *[f"/feeds/collections/{collection}.{ext}" for ext in ("atom", "rss", "json")],
        *[f"/feeds/themes/{theme}.{ext}" for ext in ("atom", "rss", "json") if theme],
        *[f"/api/v1/public/stories/{public_id(pk)}/" for pk in story_ids],
    ]
    bodies = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        bodies[url] = (
            b"".join(response.streaming_content) if response.streaming else response.content
        )
    export = client.get(f"/api/v1/public/collections/{collection}/export.zip")
    archive = zipfile.ZipFile(
        io.BytesIO(b"".join(export.streaming_content) if export.streaming else export.content)
    )
    for member in archive.namelist():
        bodies[f"export.zip:{member}"] = archive.read(member)
    for item in client.get("/api/v1/feed/").json()["results"]:
        for key in ("audio_url", "image_url", "video_url"):
            if item.get(key):
                bodies[item[key]] = public_file(item[key])
    return bodies


def test_planted_personal_data_never_reaches_a_public_surface(client_for, drive, worker, tmp_path):
    reporter = UserFactory(username="hannele.reporter", role=Role.REPORTER)
    curator = UserFactory(username="kuraattori", role=Role.CURATOR)
    as_reporter, as_curator, public = client_for(reporter), client_for(curator), client_for()
    ids = [submit(as_reporter, drive, lang, text) for lang, text in STORIES.items()]
    photo = write_jpeg_with_gps(tmp_path / "IMG_2041.jpg")
    video = write_video(
        tmp_path / "VID_2042.mp4", "mp4", "libx264", "aac", frames=20,
        metadata={"location": f"+{GPS_TEXT}+022.2666/", "title": "Jonathan Miller"},
    )  # fmt: skip
    photo_id, _ = submit_media(public, drive, "photo", photo)
    video_id, video_receipt = submit_media(public, drive, "video", video)
    ids += [photo_id, video_id]

    for story in settled(ids, {StoryStatus.NEEDS_REVIEW, StoryStatus.FAILED}):
        assert story.status == StoryStatus.NEEDS_REVIEW, (story.pk, story.status_reason)
    for pk in ids:
        as_curator.post(f"/api/v1/stories/{pk}/themes/", {"theme": "empathy", "action": "add"})
        approval = looked_at_picture(as_curator, pk)
        answer = as_curator.post(f"/api/v1/stories/{pk}/approve/", approval, format="json")
        assert answer.status_code == 200
    collection = as_curator.post("/api/v1/collections/", {"title": "Heard at last"}).json()
    for pk in ids:
        as_curator.post(f"/api/v1/collections/{collection['id']}/stories/", {"story": pk})
    published = as_curator.post(f"/api/v1/collections/{collection['id']}/publish/").json()
    assert sorted(published["queued"]) == sorted(ids), published
    for story in settled(ids, PUBLISHED_OR_NOT):
        assert story.status == StoryStatus.PUBLISHED, (story.pk, story.status_reason)

    surfaces = public_surfaces(public, collection["slug"], ids)
    feed_ids = {item["id"] for item in public.get("/api/v1/feed/").json()["results"]}
    assert feed_ids == {public_id(pk) for pk in ids}
    for name, body in surfaces.items():
        assert_nothing_planted(name, body)
    images = [body for name, body in surfaces.items() if name.endswith(".jpg")]
    # The photo and the video's poster frame, each served publicly and inside the zip export.
    assert len(images) == 4
    for body in images:
        assert not Image.open(io.BytesIO(body)).getexif()

    as_withdrawn = public.post("/api/v1/withdrawals/", {"receipt": video_receipt}, format="json")
    assert as_withdrawn.status_code == 200
    video_public_id = public_id(video_id)
    assert public.get(f"/api/v1/public/stories/{video_public_id}/").status_code == 404
    remaining = [pk for pk in ids if pk != video_id]
    after = public_surfaces(public, collection["slug"], remaining)
    for url in surfaces:
        if url.startswith(settings.PUBLIC_MEDIA_URL) and url not in after:
            assert not storages["public"].exists(url.split(settings.PUBLIC_MEDIA_URL, 1)[1])
    for body in after.values():
        assert video_public_id.encode() not in body
    feed_ids = {item["id"] for item in public.get("/api/v1/feed/").json()["results"]}
    assert feed_ids == {public_id(pk) for pk in remaining}
