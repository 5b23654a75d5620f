"""Load: 200 stories submitted at once over HTTP, one worker; none is lost.

The stories are text (the pipeline's light path: checks, themes, personal data), sent by
16 concurrent clients to a live server, as a full workshop room on one network would.
The test prints how long submitting took and how long the queue took to drain.
"""

from __future__ import annotations

import http.client
import json
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest

from stories.enums import AuditAction, StoryStatus
from stories.models import AuditEvent, Story
from tests.worker import WorkerProcess, database_url_for_workers, wait_for

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

STORIES = 200
CLIENTS = 16
TEMPLATES = [
    "The library bus came on time today and the driver helped me with the steps ({n}).",
    "I waited three hours at the health centre and nobody told us why ({n}).",
    "Maija at the housing office called me back the same day, which never happened before ({n}).",
    "The new form asks for my national id twice and I gave up halfway ({n}).",
]


def post_story(base_url: str, slug: str, n: int) -> tuple[int, int]:
    """Submit one text story over a fresh connection; (HTTP status, story id)."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname or "localhost", parts.port, timeout=120)
    body = json.dumps(
        {
            "drive": slug,
            "kind": "text",
            "text": TEMPLATES[n % len(TEMPLATES)].format(n=n),
            "consent": {"store": True},
        }
    )
    try:
        connection.request("POST", "/api/v1/stories/", body, {"Content-Type": "application/json"})
        response = connection.getresponse()
        payload = json.loads(response.read() or b"{}")
        return response.status, int(payload.get("id", 0))
    finally:
        connection.close()


def test_two_hundred_stories_at_once_all_reach_review(drive, live_server, tmp_path, settings):
    # Everyone in the room shares one address: the limits are tested elsewhere.
    for name in ("ADDRESS", "ACCOUNT", "DRIVE"):
        setattr(settings, f"TARINA_SUBMISSION_THROTTLE_{name}", "100000/hour")
    worker = WorkerProcess(database_url_for_workers(), tmp_path / "worker.log")
    worker.start()
    try:
        started = time.monotonic()
        with ThreadPoolExecutor(CLIENTS) as pool:
            answers = list(
                pool.map(lambda n: post_story(live_server.url, drive.slug, n), range(STORIES))
            )
        submitted = time.monotonic()
        assert [status for status, _ in answers] == [201] * STORIES
        ids = [story_id for _, story_id in answers]

        def reviewed() -> bool:
            done = Story.objects.filter(pk__in=ids, status=StoryStatus.NEEDS_REVIEW).count()
            return done == STORIES

        wait_for(reviewed, timeout=900, interval=0.5)
        drained = time.monotonic()
    finally:
        worker.stop()

    print(
        f"{STORIES} stories: submitted in {submitted - started:.1f} s by {CLIENTS} clients; "
        f"queue drained {drained - started:.1f} s after the first submission "
        f"({drained - submitted:.1f} s after the last; "
        f"{STORIES / (drained - started):.1f} stories/s through one worker)"
    )
    assert len(set(ids)) == STORIES
    assert Story.objects.filter(drive=drive).count() == STORIES
    for story_id in ids:
        moves = AuditEvent.objects.filter(
            action=AuditAction.STORY_TRANSITIONED, target_id=str(story_id), data__to="needs_review"
        )
        assert moves.count() == 1
