"""Published media: the spoken personal data is toned out, photos lose metadata and faces,
videos go out whole only with consent to the reporter's image and voice."""

from __future__ import annotations

from pathlib import Path

import av
import pytest
from django.core.files import File
from django.core.files.storage import storages

from stories.domain import publication, redactions
from stories.enums import AssetRole, StoryKind, StoryStatus
from stories.models import MediaAsset, PublishedStory
from tests.factories import StoryFactory, picture_looked_at, transcript_for
from tests.media_pipeline.anonymise.helpers import (
    band_level,
    decode_mono,
    dominant_hz,
    scene_with_face,
    segment,
    voice_like,
)
from tests.media_pipeline.media_factories import (
    assert_clean_image,
    write_jpeg_with_gps,
    write_video,
    write_wav,
)

# What goes out (the sound, the pictures) depends on the media tools, not on the
# database: one CI run.
pytestmark = pytest.mark.single_run

SAID = "I asked Maija Virtanen at the desk and she listened to me for a long time"


def with_recording(story, path: Path) -> None:
    """Store ``path`` as the story's normalised recording, as the pipeline would."""
    asset = story.transcripts.get().asset
    with path.open("rb") as handle:
        asset.file.save("speech.wav", File(handle))


def public_path(field) -> Path:
    return Path(storages["public"].path(field.name))


def approved_spoken_story(drive, folder):
    """An approved audio story saying SAID, recorded and transcribed, personal data found."""
    story = StoryFactory(
        drive=drive,
        kind=StoryKind.AUDIO,
        text="",
        status=StoryStatus.APPROVED,
        consent={"store": True, "publish_text": True, "publish_audio": True},
    )
    transcript_for(story, SAID, seconds_per_word=0.5)
    with_recording(story, write_wav(folder / "speech.wav", voice_like(len(SAID.split()) * 0.5)))
    redactions.detect(story)
    return story


@pytest.fixture
def spoken(drive, tmp_path):
    return approved_spoken_story(drive, tmp_path)


def test_the_name_is_toned_out_of_the_published_audio_and_the_rest_is_kept(spoken):
    copy = publication.publish(spoken)
    assert "[Person 1]" in copy.text
    heard = decode_mono(public_path(copy.audio))
    # "Maija Virtanen" are words 3 and 4: 1.5 s to 2.4 s.
    assert dominant_hz(segment(heard, 1.55, 2.3)) == pytest.approx(1000, abs=15)
    assert band_level(segment(heard, 4.0, 5.0), 1000) < 0.01
    assert copy.duration == pytest.approx(len(SAID.split()) * 0.5, abs=0.1)


def test_a_lifted_name_stays_audible(spoken, curator):
    for span in spoken.redactions.all():
        redactions.decide(span, redact=False, actor=curator)
    heard = decode_mono(public_path(publication.publish(spoken).audio))
    assert band_level(segment(heard, 1.55, 2.3), 1000) < 0.01


def test_without_consent_to_publish_the_voice_there_is_no_audio(drive, tmp_path):
    story = StoryFactory(drive=drive, kind=StoryKind.AUDIO, status=StoryStatus.APPROVED)
    transcript_for(story, SAID)
    with_recording(story, write_wav(tmp_path / "speech.wav", voice_like(3.0)))
    copy = publication.publish(story)
    assert not copy.audio
    assert copy.text


def test_a_rebuild_replaces_the_old_public_file(
    spoken, curator, django_capture_on_commit_callbacks
):
    old = public_path(publication.publish(spoken).audio)
    redactions.decide(spoken.redactions.first(), redact=False, actor=curator)
    with django_capture_on_commit_callbacks(execute=True):
        second = publication.publish(spoken)
    assert public_path(second.audio).exists()
    assert not old.exists()


def test_withdrawal_deletes_the_public_audio(spoken, django_capture_on_commit_callbacks):
    from stories.domain import consent

    path = public_path(publication.publish(spoken).audio)
    with django_capture_on_commit_callbacks(execute=True):
        consent.withdraw(spoken, actor_label="receipt holder")
    assert not path.exists()


def photo_story(drive, path: Path, **consent_scopes: bool):
    scopes = {"store": True, "publish_text": True, **consent_scopes}
    story = StoryFactory(
        drive=drive, kind=StoryKind.PHOTO, status=StoryStatus.APPROVED, consent=scopes
    )
    with path.open("rb") as handle:
        MediaAsset.objects.create(
            story=story, role=AssetRole.ORIGINAL, file=File(handle, name=path.name)
        )
    return story


def test_a_published_photo_has_no_metadata(drive, tmp_path):
    story = photo_story(drive, write_jpeg_with_gps(tmp_path / "IMG_1.jpg"), publish_image=True)
    picture_looked_at(story)
    copy = publication.publish(story)
    assert_clean_image(public_path(copy.image))


@pytest.mark.parametrize(("allowed", "blurred"), [(False, 1), (True, 0)])
def test_faces_are_blurred_unless_consent_allows_the_face(drive, tmp_path, allowed, blurred):
    path = tmp_path / "face.jpg"
    scene_with_face()[0].save(path, "JPEG")
    story = photo_story(drive, path, publish_image=True, publish_face=allowed)
    picture_looked_at(story)
    assert publication.publish(story).faces_blurred == blurred


def video_story(drive, folder: Path, **consent_scopes: bool):
    """A spoken video with a place and a name in its metadata, transcribed as SAID."""
    folder.mkdir(exist_ok=True)
    scopes = {"store": True, "publish_text": True, "publish_audio": True, **consent_scopes}
    story = StoryFactory(
        drive=drive, kind=StoryKind.VIDEO, text="", status=StoryStatus.APPROVED, consent=scopes
    )
    transcript_for(story, SAID, seconds_per_word=0.5)
    with_recording(story, write_wav(folder / "speech.wav", voice_like(len(SAID.split()) * 0.5)))
    original = write_video(
        folder / "VID_2042.mp4", "mp4", "libx264", "aac", frames=40, fps=10, rotation=90,
        metadata={"location": "+60.1699+024.9384/", "title": "Maija Virtanen"},
    )  # fmt: skip
    with original.open("rb") as handle:
        MediaAsset.objects.create(
            story=story, role=AssetRole.ORIGINAL, file=File(handle, name=original.name)
        )
    redactions.detect(story)
    return story


def test_a_video_is_published_only_with_consent_to_the_face_and_the_voice(drive, tmp_path):
    anonymised = video_story(drive, tmp_path / "a", publish_image=True)
    picture_looked_at(anonymised)
    voice_only = publication.publish(anonymised)
    assert not voice_only.video
    assert voice_only.audio
    assert voice_only.image

    story = video_story(drive, tmp_path / "b", publish_image=True, publish_face=True)
    picture_looked_at(story)
    copy = publication.publish(story)
    published = public_path(copy.video)
    data = published.read_bytes()
    assert b"60.1699" not in data
    assert b"Virtanen" not in data
    with av.open(str(published)) as container:
        assert not {k: v for k, v in container.metadata.items() if k in {"location", "title"}}
        frame = next(container.decode(video=0))
        assert frame.rotation == 90  # a phone's upright video stays upright
    # The sound is the anonymised audio: the spoken name is toned out here too.
    heard = decode_mono(published)
    assert dominant_hz(segment(heard, 1.55, 2.3)) == pytest.approx(1000, abs=15)


def test_withdrawal_deletes_the_public_video(drive, tmp_path, django_capture_on_commit_callbacks):
    from stories.domain import consent

    story = video_story(drive, tmp_path, publish_image=True, publish_face=True)
    picture_looked_at(story)
    path = public_path(publication.publish(story).video)
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        consent.withdraw(story, actor_label="receipt holder")
    assert not path.exists()


def test_a_curator_hears_the_preview_exactly_as_it_would_be_published(
    spoken, client_for, curator, tmp_path
):
    response = client_for(curator).get(f"/api/v1/stories/{spoken.pk}/preview/audio/")
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/mp4"
    assert response["Cache-Control"] == "private, no-store, max-age=0"
    heard_file = tmp_path / "preview.m4a"
    heard_file.write_bytes(b"".join(response.streaming_content))
    heard = decode_mono(heard_file)
    assert dominant_hz(segment(heard, 1.55, 2.3)) == pytest.approx(1000, abs=15)
    # A preview publishes nothing.
    assert not PublishedStory.objects.filter(story=spoken).exists()


def test_no_preview_audio_without_consent_to_the_voice_or_for_reporters(
    drive, client_for, curator, reporter, spoken, tmp_path
):
    silent = StoryFactory(drive=drive, kind=StoryKind.AUDIO, status=StoryStatus.APPROVED)
    transcript_for(silent, SAID)
    with_recording(silent, write_wav(tmp_path / "speech.wav", voice_like(3.0)))
    answer = client_for(curator).get(f"/api/v1/stories/{silent.pk}/preview/audio/")
    assert answer.status_code == 404
    assert "No audio would be published" in answer.json()["detail"]
    assert (
        client_for(reporter).get(f"/api/v1/stories/{spoken.pk}/preview/audio/").status_code == 403
    )
    assert client_for().get(f"/api/v1/stories/{spoken.pk}/preview/audio/").status_code == 401
