"""Fault injection: every pipeline step x every fault, through real worker processes.

A worker is stopped exactly at a step by the failpoint of ``stories.domain.failpoints``
(``TARINA_FAILPOINT=STEP:ACTION`` in that worker's environment only):

- **withdraw**: the step pauses; the reporter withdraws meanwhile; the step then runs on.
  Afterwards the story holds no file and no row of personal data.
- **kill**: the worker (main process and pool child) is SIGKILLed at the step; a second
  worker and the sweeper finish the story, exactly once.
- **enospc**: every file-storage write during the step fails. A step that writes no file
  is unaffected; one that does fails the story (or leaves the build to the sweeper), and
  once the disk has room (a second worker) the story finishes exactly once.

What the test process shortens: the heartbeat staleness and the publishing deadline of
the sweeper it calls itself (``TARINA_HEARTBEAT_STALE_SECONDS`` and
``TARINA_STUCK_AFTER_SECONDS``, both 0), instead of waiting out the shipped two minutes
(that wait is ``tests/reliability/test_worker_crash.py``). The outcome table is in
docs/reliability.md.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files import File
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile

from config.celery import app as celery_app
from stories.domain import consent, failpoints, processing, publication, redactions
from stories.domain import publication_media as public_media
from stories.enums import AuditAction, Role, StoryKind, StoryStatus
from stories.models import (
    AuditEvent,
    MediaAsset,
    PublishedStory,
    Redaction,
    Story,
    StoryTheme,
    Transcript,
)
from stories.models.story import story_folder
from stories.tasks import sweep_stuck_stories
from tests.factories import StoryFactory, UserFactory, transcript_for
from tests.media_pipeline.anonymise.helpers import voice_like
from tests.media_pipeline.media_factories import write_jpeg_with_gps, write_wav
from tests.worker import WorkerProcess, database_url_for_workers, wait_for

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WITHDRAW, KILL, ENOSPC = "withdraw", "kill", failpoints.ENOSPC
SAID = "I called Maija Virtanen on 040 123 4567 about the library bus"
STEPS = [
    "validate",
    "normalise",
    pytest.param("transcribe", marks=pytest.mark.slow),  # Whisper is the step
    "personal_data",
    "themes",
    "publish",
]
# The value ``Story.processing_step`` takes while the failpoint holds the worker there.
RECORDED_STEP = {"publish": "publishing"}
PAUSE_SECONDS = "4"
# The lightest story that goes through each step: a photo has no transcription, a text
# story no media steps.
KIND_THROUGH = {
    "validate": StoryKind.PHOTO,
    "normalise": StoryKind.PHOTO,
    "transcribe": StoryKind.AUDIO,
    "personal_data": StoryKind.TEXT,
    "themes": StoryKind.TEXT,
}


def submit(client, drive, kind: str, tmp_path: Path) -> int:
    """A story with personal data in it, submitted through the API; its id."""
    body: dict[str, object] = {
        "drive": drive.slug,
        "kind": kind,
        "text": SAID,
        "consent": json.dumps({"store": True, "publish_text": True}),
    }
    if kind == StoryKind.PHOTO:
        photo = write_jpeg_with_gps(tmp_path / "IMG_0001.jpg")
        body["files"] = [SimpleUploadedFile(photo.name, photo.read_bytes())]
    if kind == StoryKind.AUDIO:
        recording = write_wav(tmp_path / "voice.wav", voice_like(3))
        body["files"] = [SimpleUploadedFile(recording.name, recording.read_bytes())]
        body["text"] = ""
    response = client.post("/api/v1/stories/", body, format="multipart")
    assert response.status_code == 201, response.json()
    return int(response.json()["id"])


def approved_recording(drive, tmp_path: Path) -> Story:
    """An approved voice story ready to publish: a transcript naming someone, a recording."""
    story = StoryFactory(
        drive=drive,
        kind=StoryKind.AUDIO,
        text="",
        status=StoryStatus.APPROVED,
        consent={"store": True, "publish_text": True, "publish_audio": True},
    )
    asset = transcript_for(story, SAID).asset
    recording = write_wav(tmp_path / "speech.wav", voice_like(5))
    with recording.open("rb") as handle:
        asset.file.save("speech.wav", File(handle))
    redactions.detect(story)
    return story


def start_story(step: str, client_for, curator, drive, tmp_path: Path) -> int:
    """Set the story going towards ``step``; its id."""
    if step == "publish":
        story = approved_recording(drive, tmp_path)
        response = client_for(curator).post(f"/api/v1/stories/{story.pk}/publish/")
        assert response.status_code == 202, response.json()
        return story.pk
    return submit(client_for(), drive, KIND_THROUGH[step], tmp_path)


@pytest.fixture
def media_root(settings, tmp_path: Path) -> Path:
    """Media files of this test only, for this process and its workers: the counts of
    files left behind must not see another test's (story ids restart with each test)."""
    root = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": root / "private"}},
        "public": {
            **settings.STORAGES["public"],
            "OPTIONS": {**settings.STORAGES["public"]["OPTIONS"], "location": root / "public"},
        },
    }
    return root


def worker_at(step: str, action: str, media_root: Path, name: str) -> WorkerProcess:
    """A worker that stops at ``step`` with ``action``."""
    env = {failpoints.VARIABLE: f"{step}:{action}", "TARINA_FAILPOINT_SECONDS": PAUSE_SECONDS}
    return started(media_root, name, env)


def started(media_root: Path, name: str, env: dict[str, str] | None = None) -> WorkerProcess:
    """A worker on this test's media folders."""
    worker = WorkerProcess(
        database_url_for_workers(),
        media_root.parent / f"{name}.log",
        env={"DJANGO_MEDIA_ROOT": str(media_root), **(env or {})},
    )
    worker.start()
    return worker


def idle(worker: WorkerProcess) -> bool:
    """Whether the worker is running no task right now."""
    # Replies travel through the broker; on a loaded machine one second can be too short.
    replies = celery_app.control.inspect(destination=[worker.name], timeout=3).active() or {}
    return replies.get(worker.name) == []


def wait_until_idle(worker: WorkerProcess, timeout: float) -> None:
    """Wait until the worker runs no task; a failure shows the end of the worker's log."""
    try:
        wait_for(lambda: idle(worker), timeout=timeout, interval=0.5)
    except AssertionError as late:
        raise AssertionError(f"{late}; the worker's log ends:\n{worker.log()}") from None


def at_step(story_id: int, step: str) -> Callable[[], bool]:
    recorded = RECORDED_STEP.get(step, step)
    return lambda: Story.objects.filter(pk=story_id, processing_step=recorded).exists()


def files_in(storage_name: str, folder: str) -> list[str]:
    """Every file under ``folder`` of a storage, recursively."""
    storage = storages[storage_name]
    found: list[str] = []
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            folders, files = storage.listdir(current)
        except FileNotFoundError:
            continue
        pending.extend(f"{current}/{name}" for name in folders)
        found.extend(f"{current}/{name}" for name in files)
    return found


def personal_data_left(story: Story) -> dict[str, int]:
    """Everything that could still hold the story's personal data, counted."""
    story.refresh_from_db()
    return {
        "text fields": int(bool(story.title or story.text or story.place)),
        "media rows": MediaAsset.objects.filter(story=story).count(),
        "transcripts": Transcript.objects.filter(story=story).count(),
        "personal-data spans": Redaction.objects.filter(story=story).count(),
        "theme evidence": StoryTheme.objects.filter(story=story).exclude(evidence=[]).count(),
        "public copies": PublishedStory.objects.filter(story=story).count(),
        "private files": len(files_in("default", story_folder(story.pk))),
        "public files": len(files_in("public", public_media.public_folder(story))),
    }


def transitions_to(story_id: int, status: StoryStatus) -> int:
    return AuditEvent.objects.filter(
        action=AuditAction.STORY_TRANSITIONED, target_id=str(story_id), data__to=status
    ).count()


def assert_finished_once(story_id: int, step: str) -> None:
    """One move to review (or one publication), and no duplicate of anything it made."""
    if step == "publish":
        assert transitions_to(story_id, StoryStatus.PUBLISHED) == 1
        events = AuditEvent.objects.filter(
            action=AuditAction.STORY_PUBLISHED, target_id=str(story_id)
        )
        assert events.count() == 1
        copy = PublishedStory.objects.get(story_id=story_id)
        story = Story.objects.get(pk=story_id)
        assert files_in("public", public_media.public_folder(story)) == [copy.audio.name]
        return
    assert transitions_to(story_id, StoryStatus.NEEDS_REVIEW) == 1
    derived = list(
        MediaAsset.objects.filter(story_id=story_id, source__isnull=False).values_list(
            "source_id", "variant"
        )
    )
    assert len(derived) == len(set(derived)), "a derivative was made twice"
    stored = {a.file.name for a in MediaAsset.objects.filter(story_id=story_id)}
    assert set(files_in("default", story_folder(story_id))) == stored, "a file with no row"
    normalised_audio = MediaAsset.objects.filter(
        story_id=story_id, role="normalised", mime_type__startswith="audio"
    ).count()
    assert Transcript.objects.filter(story_id=story_id).count() == normalised_audio


def finished(story_id: int, step: str) -> Story | None:
    done = StoryStatus.PUBLISHED if step == "publish" else StoryStatus.NEEDS_REVIEW
    return Story.objects.filter(pk=story_id, status=done, processing_step__in=["", "done"]).first()


@pytest.fixture
def curator_user(db):
    return UserFactory(username="fault-curator", role=Role.CURATOR)


@pytest.mark.parametrize("step", STEPS)
def test_withdrawn_at_step_leaves_no_personal_data(
    step, client_for, curator_user, drive, media_root, tmp_path
):
    worker = worker_at(step, failpoints.PAUSE, media_root, "paused")
    try:
        story_id = start_story(step, client_for, curator_user, drive, tmp_path)
        wait_for(at_step(story_id, step), timeout=120)
        story = Story.objects.get(pk=story_id)
        assert consent.withdraw(story, actor_label="receipt holder")
        # The paused step now runs on, on a story that is gone; wait until it is over.
        wait_until_idle(worker, timeout=180)
    finally:
        worker.stop()

    assert Story.objects.get(pk=story_id).status == StoryStatus.WITHDRAWN
    assert personal_data_left(story) == dict.fromkeys(personal_data_left(story), 0)


@pytest.mark.parametrize("step", STEPS)
def test_worker_killed_at_step_finishes_once(
    step, client_for, curator_user, drive, media_root, tmp_path, settings
):
    first = worker_at(step, failpoints.KILL, media_root, "killed")
    try:
        story_id = start_story(step, client_for, curator_user, drive, tmp_path)
        wait_for(at_step(story_id, step), timeout=120)
        assert first.process is not None
        first.process.wait(timeout=30)  # it killed itself at the step
    finally:
        first.kill()

    second = started(media_root, "clean")
    try:
        settings.TARINA_HEARTBEAT_STALE_SECONDS = 0
        settings.TARINA_STUCK_AFTER_SECONDS = 0
        assert story_id in sweep_stuck_stories()
        wait_for(lambda: finished(story_id, step), timeout=180)
        wait_until_idle(second, timeout=30)  # any twin task done too
    finally:
        second.stop()

    assert_finished_once(story_id, step)


# The steps that write files: a full disk stops them (the others do not notice it).
WRITES_FILES = {"normalise", "publish"}


def settled(story_id: int, step: str) -> bool:
    """Whether the first worker is through with the story (a failed build leaves it
    approved and marked ``publishing``, for the sweeper)."""
    story = Story.objects.get(pk=story_id)
    if step == "publish":
        return story.processing_step == publication.PUBLISHING or bool(finished(story_id, step))
    if step == "normalise":
        # A full disk is transient: the step failed and waits for its retry.
        return story.status == StoryStatus.PROCESSING and story.processing_step == "normalise"
    return story.status in (StoryStatus.NEEDS_REVIEW, StoryStatus.FAILED)


@pytest.mark.parametrize("step", STEPS)
def test_storage_full_at_step_then_finishes_once(
    step, client_for, curator_user, drive, media_root, tmp_path, settings
):
    first = worker_at(step, failpoints.ENOSPC, media_root, "full")
    try:
        story_id = start_story(step, client_for, curator_user, drive, tmp_path)
        wait_for(lambda: settled(story_id, step) and idle(first), timeout=120, interval=0.5)
    finally:
        first.stop()

    story = Story.objects.get(pk=story_id)
    if step not in WRITES_FILES:
        assert finished(story_id, step), (story.status, story.status_reason)
    elif step == "normalise":
        assert story.status == StoryStatus.PROCESSING  # waiting for room, not failed
        assert files_in("default", story_folder(story_id)) == [
            MediaAsset.objects.get(story=story).file.name  # the original, nothing partial
        ]
    else:
        assert story.status == StoryStatus.APPROVED  # not published, not lost

    second = started(media_root, "clean")
    try:
        if story.status == StoryStatus.FAILED:
            processing.retry(story, actor=curator_user)
        elif step in WRITES_FILES:
            # The retry may have left with the first worker: the sweeper queues it again.
            settings.TARINA_STUCK_AFTER_SECONDS = 0
            assert story_id in sweep_stuck_stories()
        wait_for(lambda: finished(story_id, step), timeout=180)
        wait_until_idle(second, timeout=30)
    finally:
        second.stop()

    assert_finished_once(story_id, step)
