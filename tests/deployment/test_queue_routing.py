"""Scale-out: a `media` worker and a `transcribe` worker share one story's pipeline.

Two real worker processes, each on one queue, as on two hosts. The story must reach
review, ``transcribe_story`` must run on the transcribe worker only and ``process_story``
and ``finish_story`` on the media worker only, and the request id of the submission must
appear in both workers' logs (it travels in the task headers).
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from stories.enums import StoryStatus
from stories.models import Story, Transcript
from tests.conftest import FLEURS
from tests.media_pipeline.media_factories import write_wav
from tests.worker import WorkerProcess, database_url_for_workers, wait_for

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DONE = {StoryStatus.NEEDS_REVIEW, StoryStatus.FAILED}


def recording(tmp_path: Path) -> Path:
    """A short real speech clip when the FLEURS clips are there, else two seconds of tone."""
    clip = FLEURS / "fleurs-en-000.ogg"
    if clip.is_file():
        return clip
    t = np.arange(32_000) / 16_000
    return write_wav(tmp_path / "tone.wav", 0.3 * np.sin(2 * np.pi * 440 * t))


def tasks_run(log: str) -> set[str]:
    """Names of the tasks a worker received, from its log."""
    return set(re.findall(r"Task media_pipeline\.tasks\.(\w+)\[[0-9a-f-]+\] received", log))


@pytest.fixture
def split_workers(transactional_db, tmp_path, provisioned_models):
    url = database_url_for_workers()
    media = WorkerProcess(url, tmp_path / "media.log", queues="media")
    transcribe = WorkerProcess(url, tmp_path / "transcribe.log", queues="transcribe")
    media.start()
    try:
        transcribe.start()
    except Exception:
        media.stop()
        raise
    yield media, transcribe
    transcribe.stop()
    media.stop()


def test_each_queue_runs_on_its_own_worker(client_for, drive, split_workers, tmp_path, settings):
    media, transcribe = split_workers
    settings.TARINA_HEALTH_TIMEOUT_SECONDS = 3
    request_id = f"routing-{uuid.uuid4().hex}"
    path = recording(tmp_path)

    ready = client_for().get("/readyz")
    assert ready.status_code == 200, ready.json()
    queues = ready.json()["checks"]["workers"]["extra"]["queues"]
    assert queues == {"media": [media.name], "transcribe": [transcribe.name]}

    response = client_for().post(
        "/api/v1/stories/",
        {
            "drive": drive.slug,
            "kind": "audio",
            "consent": json.dumps({"store": True}),
            "files": [SimpleUploadedFile(path.name, path.read_bytes())],
        },
        format="multipart",
        HTTP_X_REQUEST_ID=request_id,
    )
    assert response.status_code == 201, response.json()
    assert response["X-Request-ID"] == request_id
    story_id = response.json()["id"]

    story = wait_for(
        lambda: Story.objects.filter(pk=story_id, status__in=DONE).first(), timeout=240
    )
    assert story.status == StoryStatus.NEEDS_REVIEW, story.status_reason
    assert Transcript.objects.filter(story=story).exists()
    assert {"validate", "normalise", "transcribe", "themes"} <= set(story.processing_timings)

    # The last task's log lines may lag behind the database by a moment.
    wait_for(lambda: "finish_story" in tasks_run(media.log_path.read_text()), timeout=20)
    media_log = media.log_path.read_text(errors="replace")
    transcribe_log = transcribe.log_path.read_text(errors="replace")
    assert tasks_run(media_log) == {"process_story", "finish_story"}, media_log[-3000:]
    assert tasks_run(transcribe_log) == {"transcribe_story"}, transcribe_log[-3000:]

    # One request id follows the story from the web request through both workers.
    assert f"req={request_id}" in media_log
    assert f"req={request_id}" in transcribe_log
    assert f"story={story_id}" in transcribe_log
