"""Faults: the worker's main process SIGKILLed (OOM killer, ``kill -9``), as under `make run`.

Its pool child must die with it (``PR_SET_PDEATHSIG``), and a story it was transcribing
must reach review within minutes on the shipped settings: the step's heartbeat goes stale,
Celery beat's sweeper re-queues it, a new worker finishes it, exactly once.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from stories.enums import AssetRole, AuditAction, StoryStatus
from stories.models import AuditEvent, Drive, MediaAsset, Story, Transcript
from stories.tasks import sweep_stuck_stories
from tests.stories.test_pipeline import joined_speech, upload
from tests.worker import WorkerProcess, alive, database_url_for_workers, wait_for

# One CI run: what this adds to tests/reliability/test_fault_injection.py (which kills a
# worker at every step on both databases) is the shipped timing and the process tree,
# neither of which depends on the database.
pytestmark = [
    pytest.mark.integration,
    pytest.mark.single_run,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# The brief's bound, and what the shipped settings give: stale after 120 s, swept every 60 s.
RECOVERY_LIMIT_SECONDS = 5 * 60


def submit_text(client: APIClient, drive: Drive) -> int:
    """Submit a short text story through the API; its id."""
    body = {
        "drive": drive.slug,
        "kind": "text",
        "text": "The bus never came.",
        "consent": {"store": True},
    }
    response = client.post("/api/v1/stories/", body, format="json")
    assert response.status_code == 201, response.json()
    return int(response.json()["id"])


def beat_worker(tmp_path: Path, name: str) -> WorkerProcess:
    """A worker with Celery beat inside it and the shipped schedule, as `make run` starts it."""
    return WorkerProcess(
        database_url_for_workers(),
        tmp_path / f"{name}.log",
        extra_args=("--beat", "--schedule", str(tmp_path / "celerybeat-schedule")),
    )


def reap(pids: list[int]) -> None:
    """SIGKILL whichever of ``pids`` is still alive."""
    for pid in pids:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


def test_children_die_with_the_worker(client_for, drive, tmp_path):
    # As `make run` starts it: beat embedded (a child that outlived a SIGKILLed worker
    # before), and the pool child held inside a step, busy as in Whisper.
    worker = WorkerProcess(
        database_url_for_workers(),
        tmp_path / "worker.log",
        extra_args=("--beat", "--schedule", str(tmp_path / "celerybeat-schedule")),
        env={"TARINA_FAILPOINT": "themes:pause", "TARINA_FAILPOINT_SECONDS": "30"},
    )
    worker.start()
    try:
        story_id = submit_text(client_for(), drive)
        wait_for(lambda: Story.objects.filter(pk=story_id, processing_step="themes").exists())
    finally:
        children = worker.kill_main_process()

    assert len(children) == 2, "a pool child and the embedded beat"
    try:
        wait_for(lambda: not any(alive(pid) for pid in children), timeout=5, interval=0.05)
    finally:
        reap(children)  # when the test fails: no orphan left behind on the machine
    assert Story.objects.get(pk=story_id).status == StoryStatus.PROCESSING


def test_a_slow_step_that_beats_is_never_swept(client_for, drive, tmp_path, settings):
    # A step held for 14 s, beating every second; the sweeper, told that 5 s without a
    # beat means dead, runs again and again meanwhile: the step's first stamp alone
    # would have gone stale, the beats keep the story its own.
    worker = WorkerProcess(
        database_url_for_workers(),
        tmp_path / "worker.log",
        env={
            "TARINA_FAILPOINT": "themes:pause",
            "TARINA_FAILPOINT_SECONDS": "14",
            "TARINA_HEARTBEAT_SECONDS": "1",
        },
    )
    worker.start()
    settings.TARINA_HEARTBEAT_STALE_SECONDS = 5
    try:
        story_id = submit_text(client_for(), drive)
        wait_for(lambda: Story.objects.filter(pk=story_id, processing_step="themes").exists())
        swept = []
        for _ in range(10):
            time.sleep(1)
            swept += sweep_stuck_stories()
        story = wait_for(
            lambda: Story.objects.filter(pk=story_id, status=StoryStatus.NEEDS_REVIEW).first()
        )
    finally:
        worker.stop()

    assert swept == []
    assert story.processing_attempts == 1
    assert story.heartbeat_at is None


@pytest.mark.slow
def test_worker_killed_mid_transcription_reaches_review_once_on_shipped_settings(
    client_for, drive, fleurs_dir, tmp_path
):
    # Nothing is shortened: the shipped heartbeat, staleness and beat schedule.
    assert settings.TARINA_HEARTBEAT_STALE_SECONDS == 120
    assert settings.CELERY_BEAT_SCHEDULE["sweep-stuck-stories"]["schedule"] == 60
    recording = joined_speech(
        fleurs_dir, tmp_path / "long.wav", [f"fleurs-en-00{i}.ogg" for i in range(6)]
    )
    first = beat_worker(tmp_path, "first")
    first.start()
    try:
        story_id = upload(client_for(), drive, "audio", recording)["id"]
        wait_for(
            lambda: Story.objects.filter(pk=story_id, processing_step="transcribe").exists(),
            timeout=180,
        )
        time.sleep(2)  # inside Whisper, not at the step's first line
    finally:
        children = first.kill_main_process()
    killed_at = time.monotonic()
    assert Story.objects.get(pk=story_id).status == StoryStatus.PROCESSING
    try:
        wait_for(lambda: not any(alive(pid) for pid in children), timeout=5, interval=0.05)
    finally:
        reap(children)

    second = beat_worker(tmp_path, "second")
    second.start()
    try:
        story = wait_for(
            lambda: Story.objects.filter(pk=story_id, status=StoryStatus.NEEDS_REVIEW).first(),
            timeout=RECOVERY_LIMIT_SECONDS,
            interval=1,
        )
        recovered = time.monotonic() - killed_at
        print(f"SIGKILL to needs_review: {recovered:.0f} s")
        time.sleep(5)  # room for a twin task to (wrongly) finish it a second time
    finally:
        second.stop()

    assert Transcript.objects.filter(story=story).count() == 1
    assert MediaAsset.objects.filter(story=story, role=AssetRole.NORMALISED).count() == 1
    to_review = AuditEvent.objects.filter(
        action=AuditAction.STORY_TRANSITIONED,
        target_type="stories.story",
        target_id=str(story_id),
        data__to=StoryStatus.NEEDS_REVIEW,
    )
    assert to_review.count() == 1
    assert "re-enqueueing" in second.log_path.read_text()
