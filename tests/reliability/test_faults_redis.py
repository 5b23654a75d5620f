"""Faults: the Redis broker SIGKILLed and restarted while stories are in the pipeline.

A private ``redis-server`` on a free port, with the append-only file on as in
``docker/compose.yaml``, stands in for the broker; the machine's shared Redis is never
touched. The test process and the worker both use it, whatever ``CELERY_BROKER_URL`` says.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import kombu.pools
import pytest
import redis
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from config.celery import app as celery_app
from stories.enums import AuditAction, StoryStatus
from stories.models import AuditEvent, Story
from stories.tasks import sweep_stuck_stories
from tests.worker import WorkerProcess, database_url_for_workers, wait_for

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server"),
]

BEFORE, DURING = 12, 4
TEXT = "The night bus driver waited for me at the stop when he saw me running, story {n}."


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RedisServer:
    """A throwaway ``redis-server``: started, SIGKILLed and started again on one port."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [
            "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
            "--dir", str(self.folder), "--appendonly", "yes", "--save", "",
            "--maxmemory-policy", "noeviction",
        ]  # fmt: skip
        with (self.folder / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=log)
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        wait_for(lambda: self._answers(client), timeout=20, interval=0.1)

    @staticmethod
    def _answers(client: redis.Redis) -> bool:
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            return False

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@contextmanager
def broker_at(url: str) -> Iterator[None]:
    """Point this process's Celery app at ``url`` (its pools are rebuilt), then back."""
    conf = celery_app.conf
    saved = conf.broker_url, conf.broker_transport_options

    def switch(to: str, options: dict[str, object]) -> None:
        kombu.pools.reset()  # closes and forgets every pooled connection and producer
        conf.broker_url, conf.broker_transport_options = to, options
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    switch(url, {"visibility_timeout": 3 * 60 * 60})
    try:
        yield
    finally:
        switch(*saved)


@pytest.fixture
def private_redis(tmp_path, monkeypatch) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    try:
        with broker_at(server.url), monkeypatch.context() as env:
            # For the worker process (Celery reads it before its own settings, too).
            env.setenv("CELERY_BROKER_URL", server.url)
            yield server
    finally:
        server.kill()


def submit(client, drive, n: int) -> int:
    started = time.monotonic()
    response = client.post(
        "/api/v1/stories/",
        {"drive": drive.slug, "kind": "text", "text": TEXT.format(n=n),
         "consent": json.dumps({"store": True})},
        format="multipart",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    assert time.monotonic() - started < 15  # the reporter is not kept waiting on the broker
    return int(response.json()["id"])


def submit_photo(client, drive, tmp_path: Path) -> int:
    """A 24-megapixel photo: checking and normalising it keeps the worker busy a while."""
    path = tmp_path / "IMG_2048.jpg"
    ramp = Image.linear_gradient("L").resize((6000, 4000))
    flipped = ramp.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    Image.merge("RGB", (ramp, flipped, ramp.transpose(Image.Transpose.FLIP_TOP_BOTTOM))).save(path)
    response = client.post(
        "/api/v1/stories/",
        {"drive": drive.slug, "kind": "photo", "consent": json.dumps({"store": True}),
         "files": [SimpleUploadedFile(path.name, path.read_bytes())]},
        format="multipart",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    return int(response.json()["id"])


def reviewed(ids: list[int]) -> int:
    return Story.objects.filter(pk__in=ids, status=StoryStatus.NEEDS_REVIEW).count()


def test_stories_in_flight_complete_after_redis_restarts(
    client_for, drive, private_redis, tmp_path, settings
):
    worker = WorkerProcess(database_url_for_workers(), tmp_path / "worker.log")
    worker.start()
    try:
        photo = submit_photo(client_for(), drive, tmp_path)
        ids = [photo] + [submit(client_for(), drive, n) for n in range(BEFORE)]
        # The broker goes while the worker is normalising the photo ...
        wait_for(lambda: Story.objects.filter(pk=photo, processing_step="normalise"), 60, 0.02)
        private_redis.kill()
        down_at = time.monotonic()
        # ... so queueing the photo's next step finds no broker. Reporters keep submitting
        # meanwhile: their stories are stored.
        ids += [submit(client_for(), drive, BEFORE + n) for n in range(DURING)]
        wait_for(lambda: Story.objects.filter(pk=photo, processing_percent__gte=40), 60, 0.1)
        time.sleep(2)  # Celery's publish retries (about a second) run out
        private_redis.start()
        # A broker that was away is no reason to fail a reporter's story.
        assert Story.objects.get(pk=photo).status == StoryStatus.PROCESSING
        outage = time.monotonic() - down_at
        done_before_sweep = wait_for_quiet(ids)

        # What Celery beat does every few minutes, with deadlines that have passed.
        settings.TARINA_STUCK_AFTER_SECONDS = 0
        settings.TARINA_UNQUEUED_AFTER_SECONDS = 0
        swept = sweep_stuck_stories()
        wait_for(lambda: reviewed(ids) == len(ids), timeout=180)
        wait_for_quiet(ids)
    finally:
        worker.stop()

    print(
        f"redis down {outage:.1f} s; {done_before_sweep}/{len(ids)} stories in review "
        f"before the sweep, {len(swept)} re-queued by it"
    )
    assert set(swept) <= set(ids)
    assert not Story.objects.filter(
        status__in=[StoryStatus.SUBMITTED, StoryStatus.PROCESSING, StoryStatus.FAILED]
    ).exists()
    for story_id in ids:
        moves = AuditEvent.objects.filter(
            action=AuditAction.STORY_TRANSITIONED, target_id=str(story_id), data__to="needs_review"
        )
        assert moves.count() == 1, f"story {story_id} reached review {moves.count()} times"


def wait_for_quiet(ids: list[int], quiet: float = 4.0, timeout: float = 120) -> int:
    """Wait until no story has changed for ``quiet`` seconds; how many are in review."""
    deadline = time.monotonic() + timeout
    last, since = None, time.monotonic()
    while time.monotonic() < deadline:
        state = list(Story.objects.filter(pk__in=ids).values_list("status", "updated_at"))
        if state != last:
            last, since = state, time.monotonic()
        elif time.monotonic() - since >= quiet:
            break
        time.sleep(0.2)
    return reviewed(ids)
