"""`make run` under a burst: 50 stories sent at once to the web line of Procfile.dev.

Django's development server listens with a backlog of 10 and reset the rest of a
workshop's burst. `make run` now serves with gunicorn on SQLite (WAL, busy timeout) and
the filesystem broker; here that very command line, from Procfile.dev, takes 50
simultaneous submissions, text and photos, and every one is answered 201 and stored
exactly once.

Only on SQLite: it tests the embedded defaults `make run` uses; the PostgreSQL run skips it.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.db import connection
from PIL import Image

from stories.models import MediaAsset, Story
from tests.deployment.test_process_set import free_port, http
from tests.worker import ROOT, database_url_for_workers, wait_for

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

BURST = 50
CONSENT = {"store": True, "publish_text": True}


def procfile_dev_command(name: str) -> str:
    """The command of one line of Procfile.dev, exactly as honcho would run it."""
    for line in (ROOT / "Procfile.dev").read_text().splitlines():
        process, _, command = line.partition(":")
        if process.strip() == name:
            return command.strip()
    raise AssertionError(f"Procfile.dev has no {name!r} line")


@pytest.fixture
def dev_web(transactional_db, tmp_path):
    """The `web` line of Procfile.dev, on the test's SQLite database and filesystem broker."""
    if connection.vendor != "sqlite":
        pytest.skip("`make run` runs on SQLite; this run is on PostgreSQL")
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_workers(),
        "CELERY_BROKER_URL": "filesystem://",
        "DJANGO_DEBUG": "1",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "PYTHONUNBUFFERED": "1",
    }
    log_path = tmp_path / "web.log"
    with log_path.open("wb") as log:
        web = subprocess.Popen(  # noqa: S602 - a Procfile line is a shell command
            procfile_dev_command("web"),
            shell=True,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        live = wait_for(lambda: http("GET", f"{base}/healthz")[0] == 200, timeout=60)
        assert live, log_path.read_text(errors="replace")
        yield base, log_path
    finally:
        os.killpg(web.pid, signal.SIGTERM)
        try:
            web.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(web.pid, signal.SIGKILL)
            web.wait(timeout=10)


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), "teal").save(buffer, format="PNG")
    return buffer.getvalue()


def multipart(fields: dict[str, str], filename: str, data: bytes) -> tuple[bytes, str]:
    """A multipart/form-data body with text fields and one file named ``files``."""
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{filename}"\r\n'
        "Content-Type: image/png\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def submission(drive: str, title: str, photo: bytes | None) -> tuple[bytes, str]:
    """Every other story is a photo story (multipart); the rest are text (JSON)."""
    if photo is None:
        body = {"drive": drive, "kind": "text", "title": title, "text": "Kirjasto.",
                "consent": CONSENT}  # fmt: skip
        return json.dumps(body).encode(), "application/json"
    fields = {"drive": drive, "kind": "photo", "title": title, "consent": json.dumps(CONSENT)}
    return multipart(fields, "photo.png", photo)


def send(url: str, body: bytes, content_type: str) -> int:
    """POST once, no retry: a reset connection is a story lost, reported as status 0."""
    request = urllib.request.Request(  # noqa: S310 - loopback URL built by the test
        url, data=body, method="POST", headers={"Content-Type": content_type}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def test_fifty_stories_sent_at_once_are_all_taken_exactly_once(dev_web, drive):
    base, log_path = dev_web
    photo = png_bytes()
    bodies = [
        submission(drive.slug, f"burst-{index}", photo if index % 2 else None)
        for index in range(BURST)
    ]
    statuses: list[int] = [0] * BURST
    start = threading.Barrier(BURST)

    def one(index: int) -> None:
        start.wait()
        statuses[index] = send(f"{base}/api/v1/stories/", *bodies[index])

    threads = [threading.Thread(target=one, args=(index,)) for index in range(BURST)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    elapsed = time.monotonic() - began
    print(f"{statuses.count(201)} of {BURST} answered 201 in {elapsed:.2f} s")

    assert statuses == [201] * BURST, (statuses, log_path.read_text(errors="replace")[-4000:])
    with connection.cursor() as cursor:  # readers do not wait for the writer
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
    titles = list(Story.objects.filter(title__startswith="burst-").values_list("title", flat=True))
    assert sorted(titles) == sorted(f"burst-{index}" for index in range(BURST))
    for story in Story.objects.filter(kind="photo", title__startswith="burst-"):
        asset = MediaAsset.objects.get(story=story)
        assert Path(asset.file.path).read_bytes() == photo
