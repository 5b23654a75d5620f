"""A story's picture: consent that means what it says, text and faces blurred, and a curator
who looked at exactly the picture that goes out."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

import av
import numpy as np
import pytest
from django.apps import apps
from django.core.files import File
from django.core.files.storage import storages
from PIL import Image

from media_pipeline.anonymise import read_words
from stories.domain import consent_state, pictures, publication, review
from stories.domain import publication_media as media
from stories.enums import AssetRole, StoryKind, StoryStatus
from stories.models import AuditEvent, MediaAsset, PublishedStory
from tests.factories import StoryFactory, picture_looked_at
from tests.media_pipeline.anonymise.helpers import scene_with_name_tag
from tests.media_pipeline.media_factories import assert_clean_image, write_video

NAME = "Anna Svensson"


def _detail(im: Image.Image, box: tuple[int, int, int, int]) -> float:
    """How much fine detail a region has: the spread of its horizontal differences."""
    grey = np.asarray(im.convert("L").crop(box), dtype=np.float64)
    return float(np.abs(np.diff(grey, axis=1)).std())


def _words(path: Path) -> set[str]:
    with Image.open(path) as im:
        return {w.text for w in read_words(im)}


def public_path(field) -> Path:
    return Path(storages["public"].path(field.name))


def photo_story(drive, folder: Path, status=StoryStatus.APPROVED, **scopes: bool):
    """A photo of a face above a name tag, with the given consent besides store."""
    scene, face, _ = scene_with_name_tag(NAME)
    path = folder / "IMG_0042.jpg"
    scene.save(path, "JPEG", quality=95)
    story = StoryFactory(
        drive=drive, kind=StoryKind.PHOTO, status=status, consent={"store": True, **scopes}
    )
    with path.open("rb") as handle:
        MediaAsset.objects.create(
            story=story, role=AssetRole.ORIGINAL, file=File(handle, name=path.name)
        )
    return story, scene, face


def test_publish_image_publishes_the_picture_with_the_face_and_the_name_blurred(
    drive, tmp_path, client_for
):
    story, scene, face = photo_story(drive, tmp_path, publish_text=True, publish_image=True)
    picture_looked_at(story)
    copy = publication.publish(story)
    public = public_path(copy.image)
    assert_clean_image(public)
    assert not _words(public) & {"Anna", "Svensson"}
    with Image.open(public) as out:
        assert _detail(out, face) < _detail(scene, face) / 3
    assert copy.faces_blurred == 1
    body = client_for().get(f"/api/v1/public/stories/{story.public_id}/").json()
    assert body["image_url"]
    assert body["video_url"] is None


def test_the_published_file_is_the_one_the_curator_looked_at(drive, tmp_path):
    story, _, _ = photo_story(drive, tmp_path, publish_image=True)
    picture_looked_at(story)
    seen = pictures.derivative(story, pictures.plan(story, consent_state.current(story)))
    with seen.file.open("rb") as handle:
        expected = handle.read()
    assert public_path(publication.publish(story).image).read_bytes() == expected


def test_publish_face_shows_the_face_but_still_blurs_the_name(drive, tmp_path):
    story, scene, face = photo_story(drive, tmp_path, publish_image=True, publish_face=True)
    picture_looked_at(story)
    copy = publication.publish(story)
    public = public_path(copy.image)
    assert copy.faces_blurred == 0
    assert not _words(public) & {"Anna", "Svensson"}
    with Image.open(public) as out:
        assert _detail(out, face) > _detail(scene, face) * 0.7


def test_publish_text_alone_never_publishes_a_picture(drive, tmp_path, client, client_for):
    story, _, _ = photo_story(drive, tmp_path, publish_text=True, publish_face=True)
    assert publication.why_not_publishable(story) is None  # the words may still go out
    copy = publication.publish(story)
    assert copy.text
    assert not copy.image
    assert not copy.video
    body = client_for().get(f"/api/v1/public/stories/{story.public_id}/").json()
    assert body["image_url"] is None
    assert body["video_url"] is None
    feed = client_for().get("/api/v1/feed/").json()["results"]
    assert [(s["image_url"], s["video_url"]) for s in feed] == [(None, None)]
    assert "<img" not in client.get(f"/stories/{story.public_id}/").content.decode()
    with pytest.raises(FileNotFoundError):
        storages["public"].listdir(media.public_folder(story))
    assert publication.preview(story)["image"] == ""


def video_story(drive, folder: Path, **scopes: bool):
    scopes = {"store": True, "publish_text": True, "publish_audio": True, **scopes}
    story = StoryFactory(
        drive=drive, kind=StoryKind.VIDEO, text="", status=StoryStatus.APPROVED, consent=scopes
    )
    original = write_video(folder / "VID_1.mp4", "mp4", "libx264", "aac", frames=30, fps=10)
    with original.open("rb") as handle:
        MediaAsset.objects.create(
            story=story, role=AssetRole.ORIGINAL, file=File(handle, name=original.name)
        )
    return story


@pytest.mark.parametrize(
    ("scopes", "still", "moving"),
    [
        ({}, False, False),
        ({"publish_image": True}, True, False),
        ({"publish_image": True, "publish_face": True}, True, True),
    ],
)
def test_a_video_goes_out_whole_only_with_consent_to_the_face(
    drive, tmp_path, scopes, still, moving
):
    story = video_story(drive, tmp_path, **scopes)
    if still:
        picture_looked_at(story)
    copy = publication.publish(story)
    assert bool(copy.image) is still
    assert bool(copy.video) is moving


def test_an_unseen_picture_cannot_be_published_and_the_reason_says_what_to_do(drive, tmp_path):
    story, _, _ = photo_story(drive, tmp_path, publish_image=True)
    with pytest.raises(publication.NotPublishable, match="look at the picture"):
        publication.publish(story)


def test_a_picture_changed_after_approval_needs_a_fresh_picture_looked_at(
    drive, tmp_path, curator, client_for
):
    story, _, _ = photo_story(drive, tmp_path, StoryStatus.NEEDS_REVIEW, publish_image=True)
    api = client_for(curator)
    seen = api.get(f"/api/v1/stories/{story.pk}/picture/").json()["fingerprint"]
    answer = api.post(f"/api/v1/stories/{story.pk}/approve/", {"picture": seen}, format="json")
    assert answer.status_code == 200
    box = {"x": 0.5, "y": 0.5, "width": 0.2, "height": 0.2}
    api.put(f"/api/v1/stories/{story.pk}/picture/boxes/", {"boxes": [box]}, format="json")
    refused = api.post(f"/api/v1/stories/{story.pk}/publish/")
    assert refused.status_code == 409
    assert "changed since a curator looked" in refused.json()["detail"]
    stale = api.post(f"/api/v1/stories/{story.pk}/picture/seen/", {"fingerprint": seen})
    assert stale.status_code == 409
    fresh = api.get(f"/api/v1/stories/{story.pk}/picture/").json()["fingerprint"]
    assert api.get(f"/api/v1/stories/{story.pk}/picture/preview/").status_code == 200
    ok = api.post(f"/api/v1/stories/{story.pk}/picture/seen/", {"fingerprint": fresh})
    assert ok.json()["seen"] is True
    assert api.post(f"/api/v1/stories/{story.pk}/publish/").status_code == 202


def test_approval_with_a_stale_picture_is_refused(drive, tmp_path, curator, client_for):
    story, _, _ = photo_story(drive, tmp_path, StoryStatus.NEEDS_REVIEW, publish_image=True)
    answer = client_for(curator).post(
        f"/api/v1/stories/{story.pk}/approve/", {"picture": "0" * 64}, format="json"
    )
    assert answer.status_code == 409
    assert "Look at it again" in answer.json()["detail"]
    story.refresh_from_db()
    assert story.status == StoryStatus.NEEDS_REVIEW


@pytest.mark.parametrize(
    "boxes",
    [
        "nope",
        [{"x": 0.9, "y": 0.1, "width": 0.2, "height": 0.1}],
        [{"x": 0.1, "y": 0.1, "width": 0, "height": 0.1}],
        [{"x": 0.1, "y": 0.1, "width": 0.1}],
        [{"x": "a", "y": 0.1, "width": 0.1, "height": 0.1}],
        [{"x": 0.1, "y": 0.1, "width": 0.1, "height": 0.1}] * 51,
    ],
)
def test_bad_boxes_are_refused_with_400(drive, tmp_path, curator, client_for, boxes):
    story, _, _ = photo_story(drive, tmp_path, publish_image=True)
    answer = client_for(curator).put(
        f"/api/v1/stories/{story.pk}/picture/boxes/", {"boxes": boxes}, format="json"
    )
    assert answer.status_code == 400
    story.refresh_from_db()
    assert story.picture_boxes == []


def test_reporters_cannot_reach_the_picture_api(drive, tmp_path, reporter, client_for):
    story, _, _ = photo_story(drive, tmp_path, publish_image=True)
    api = client_for(reporter)
    assert api.get(f"/api/v1/stories/{story.pk}/picture/preview/").status_code in (403, 404)
    box = {"x": 0.1, "y": 0.1, "width": 0.1, "height": 0.1}
    put = api.put(f"/api/v1/stories/{story.pk}/picture/boxes/", {"boxes": [box]}, format="json")
    assert put.status_code in (403, 404)


def test_marking_a_region_on_a_published_story_takes_its_picture_down_until_looked_at(
    drive, tmp_path, curator
):
    story, _, _ = photo_story(drive, tmp_path, publish_image=True)
    picture_looked_at(story)
    publication.publish(story)
    story.refresh_from_db()
    review.mark_picture_regions(story, pictures.parse_boxes([]), actor=curator)
    copy = publication.publish(story)
    assert copy.image  # nothing changed: the same boxes, the same picture
    box = [{"x": 0.0, "y": 0.0, "width": 0.5, "height": 0.5}]
    review.mark_picture_regions(story, pictures.parse_boxes(box), actor=curator)
    assert not publication.publish(story).image
    review.confirm_picture(story, picture_looked_at(story), actor=curator)
    assert publication.publish(story).image
    assert AuditEvent.objects.filter(data__picture_boxes=1).exists()


def test_face_without_the_picture_is_refused_on_submission(drive, client_for):
    consent = {"store": True, "publish_text": True, "publish_face": True}
    answer = client_for().post(
        "/api/v1/stories/",
        {"drive": drive.slug, "kind": "text", "text": "Hello there.", "consent": consent},
        format="json",
    )
    assert answer.status_code == 400
    assert "publish_face" in str(answer.json())


def test_the_migration_takes_down_published_pictures(
    drive, tmp_path, django_capture_on_commit_callbacks
):
    story, _, _ = photo_story(drive, tmp_path, publish_text=True, publish_image=True)
    picture_looked_at(story)
    copy = publication.publish(story)
    path = public_path(copy.image)
    migration = import_module("stories.migrations.0011_picture_consent_and_blur")
    with django_capture_on_commit_callbacks(execute=True):
        migration.take_down_unreviewed_pictures(apps, None)
    copy = PublishedStory.objects.get(pk=copy.pk)
    assert not copy.image
    assert copy.text  # the words stay published
    assert copy.fingerprint == ""
    assert not path.exists()


def write_name_tag_video(path: Path, seconds: int = 3, fps: int = 10) -> Path:
    """An MP4 whose every frame shows a face above a name tag (no sound)."""
    scene = scene_with_name_tag(NAME, width=640, height=480)[0]
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 640, 480, "yuv420p"
        for _ in range(seconds * fps):
            for packet in stream.encode(av.VideoFrame.from_image(scene)):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


def test_a_video_showing_a_name_is_published_only_as_an_anonymised_still(drive, tmp_path):
    scopes = {"store": True, "publish_audio": True, "publish_image": True, "publish_face": True}
    story = StoryFactory(
        drive=drive, kind=StoryKind.VIDEO, status=StoryStatus.APPROVED, consent=scopes
    )
    original = write_name_tag_video(tmp_path / "VID_9.mp4")
    with original.open("rb") as handle:
        MediaAsset.objects.create(
            story=story, role=AssetRole.ORIGINAL, file=File(handle, name=original.name)
        )
    picture_looked_at(story)
    copy = publication.publish(story)
    assert not copy.video  # frames copied as they are would show the name
    assert copy.image
    assert not _words(public_path(copy.image)) & {"Anna", "Svensson"}
