"""Faults: a worker SIGKILLed while it builds stories' public copies; then the planted-data
leak scan of the publishing acceptance test over every public surface.

The same fault in the middle of a transcription is
``tests/stories/test_pipeline.py::test_worker_killed_mid_transcription_leaves_exactly_one_transcript``.
"""

from __future__ import annotations

import time

import pytest
from django.core.files import File
from django.core.files.storage import storages

from stories.domain import consent, publication, redactions
from stories.domain import publication_media as public_media
from stories.enums import AuditAction, StoryKind, StoryStatus
from stories.models import AuditEvent, PublishedStory, Story
from stories.tasks import sweep_stuck_stories
from tests.factories import StoryFactory, transcript_for
from tests.media_pipeline.anonymise.helpers import voice_like
from tests.media_pipeline.media_factories import write_wav
from tests.stories.test_privacy_acceptance import assert_nothing_planted, public_surfaces
from tests.worker import WorkerProcess, database_url_for_workers, wait_for

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SAID = "I asked Maija Virtanen at the desk and she listened to me for a long time"
SPOKEN_NAME = ["Maija", "Virtanen"]
# The second recording is long enough that building its public copy (muting, voice
# disguise, AAC) takes seconds even on a fast, idle machine: the kill lands inside it.
RECORDING_SECONDS = (20, 600)


@pytest.fixture
def approved_recordings(drive, tmp_path) -> list[Story]:
    """Two approved voice stories, transcribed, with a name to tone out of each."""
    stories = []
    for n, seconds in enumerate(RECORDING_SECONDS):
        recording = write_wav(tmp_path / f"speech-{n}.wav", voice_like(seconds))
        story = StoryFactory(
            drive=drive,
            kind=StoryKind.AUDIO,
            text="",
            status=StoryStatus.APPROVED,
            disguise_voice=True,
            consent={"store": True, "publish_text": True, "publish_audio": True},
        )
        asset = transcript_for(story, SAID).asset
        with recording.open("rb") as handle:
            asset.file.save("speech.wav", File(handle))
        redactions.detect(story)
        stories.append(story)
    return stories


def published_collection(client, ids: list[int]) -> str:
    """A published collection of the stories, for the public surfaces to list; its slug."""
    collection = client.post("/api/v1/collections/", {"title": "After the fault"}).json()
    for story_id in ids:
        added = client.post(f"/api/v1/collections/{collection['id']}/stories/", {"story": story_id})
        assert added.status_code in {200, 201}, added.json()
    published = client.post(f"/api/v1/collections/{collection['id']}/publish/")
    assert published.status_code in {200, 202}, published.json()
    return str(collection["slug"])


def events(story: Story, action: AuditAction, **data: str) -> int:
    lookups = {f"data__{key}": value for key, value in data.items()}
    return AuditEvent.objects.filter(
        action=action, target_type="stories.story", target_id=str(story.pk), **lookups
    ).count()


def public_files(story: Story) -> set[str]:
    """Every file in the story's folder in the public storage."""
    folder = public_media.public_folder(story)
    try:
        return {f"{folder}/{name}" for name in storages["public"].listdir(folder)[1]}
    except FileNotFoundError:
        return set()


def test_worker_killed_mid_publishing_publishes_each_story_exactly_once(
    client_for, curator, approved_recordings, tmp_path, settings
):
    ids = [story.pk for story in approved_recordings]
    first = WorkerProcess(database_url_for_workers(), tmp_path / "first.log")
    first.start()
    try:
        for story_id in ids:
            response = client_for(curator).post(f"/api/v1/stories/{story_id}/publish/")
            assert response.status_code == 202, response.json()
        # Kill once the first story is out and the second is being built.
        wait_for(lambda: Story.objects.get(pk=ids[0]).status == StoryStatus.PUBLISHED, 120)
        building = wait_for(
            lambda: Story.objects.filter(pk=ids[1], processing_step=publication.PUBLISHING).first(),
            timeout=30,
            interval=0.05,
        )
        time.sleep(0.5)  # well inside a build that takes a few seconds
    finally:
        first.kill()

    building.refresh_from_db()
    assert building.status == StoryStatus.APPROVED, "the kill came after the build finished"
    assert building.processing_step == publication.PUBLISHING

    second = WorkerProcess(database_url_for_workers(), tmp_path / "second.log")
    second.start()
    try:
        # What Celery beat does every few minutes, with a deadline that has passed.
        settings.TARINA_STUCK_AFTER_SECONDS = 0
        assert building.pk in sweep_stuck_stories()
        wait_for(
            lambda: (
                Story.objects.filter(pk__in=ids, status=StoryStatus.PUBLISHED).count() == len(ids)
            ),
            timeout=180,
        )
        # Let any twin task queued for an already published story run too.
        wait_for(lambda: not Story.objects.filter(pk__in=ids).exclude(processing_step="").exists())
        collection = published_collection(client_for(curator), ids)
    finally:
        second.stop()

    # The planted-data scan of the publishing acceptance test, after the fault: the name
    # spoken in both recordings reaches no public answer, feed, export or file.
    # (Theme feeds are left out: these stories were given no theme by a curator.)
    for name, body in public_surfaces(client_for(), collection, ids, theme=None).items():
        assert_nothing_planted(name, body, planted=SPOKEN_NAME)

    for story in approved_recordings:
        copy = PublishedStory.objects.get(story=story)
        assert copy.audio.size > 10_000
        assert "[Person 1]" in copy.text
        assert events(story, AuditAction.STORY_PUBLISHED) == 1
        assert events(story, AuditAction.STORY_TRANSITIONED, to="published") == 1
        # One set of derivatives: the interrupted build left no second copy behind.
        assert public_files(story) == {copy.audio.name}

    # Withdrawal still takes everything of a story down, wherever it was interrupted.
    consent.withdraw(building, actor_label="receipt holder")
    assert not PublishedStory.objects.filter(story=building).exists()
    assert public_files(building) == set()
