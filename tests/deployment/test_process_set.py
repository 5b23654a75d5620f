"""The production process set without Docker: the Procfile, run by honcho, as an operator would.

gunicorn with the production settings, a ``media`` worker, a ``transcribe`` worker and beat
start against the test database and the run's broker (PostgreSQL and Redis in CI's second
run). A reporter's story goes in over real HTTP and comes out in review; the probes say the
deployment is ready; a warm stop ends every process.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.worker import ROOT, database_url_for_workers, wait_for

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CONSENT = {"store": True, "publish_text": True}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def http(method: str, url: str, body: dict | None = None) -> tuple[int, dict]:
    """A JSON request with the standard library; an HTTP error is an answer, not a failure."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310 - loopback URL built by the test
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")
    except OSError:
        return 0, {}


@pytest.fixture
def process_set(transactional_db, tmp_path, provisioned_models):
    """``honcho start`` on the Procfile, with the environment docs/deployment.md names."""
    port = free_port()
    venv_bin = str(Path(sys.executable).parent)
    env = {
        **os.environ,
        "PATH": f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}",
        "DATABASE_URL": database_url_for_workers(),
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "process-set-test-key-" + "x" * 40,
        "TARINA_REQUIRE_SECRET_KEY": "1",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "2",
        "MEDIA_CONCURRENCY": "1",
        "TARINA_LOG_FORMAT": "json",
        "PYTHONUNBUFFERED": "1",
    }
    log_path = tmp_path / "honcho.log"
    with log_path.open("wb") as log:
        honcho = subprocess.Popen(
            [sys.executable, "-m", "honcho", "--procfile", "Procfile", "start"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # one process group: a stuck child cannot outlive the test
        )
    base = f"http://127.0.0.1:{port}"
    try:
        yield base, honcho, log_path
    finally:
        if honcho.poll() is None:
            honcho.send_signal(signal.SIGTERM)
            try:
                honcho.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(honcho.pid, signal.SIGKILL)
                honcho.wait(timeout=10)


def test_the_procfile_serves_and_processes_a_story_and_stops_warmly(process_set, drive):
    base, honcho, log_path = process_set

    def log() -> str:
        return log_path.read_text(errors="replace")[-6000:]

    live = wait_for(lambda: http("GET", f"{base}/healthz")[0] == 200, timeout=90)
    assert live, log()
    answers: list[tuple[int, dict]] = []

    def is_ready() -> bool:
        answers.append(http("GET", f"{base}/readyz"))
        return answers[-1][0] == 200

    try:
        wait_for(is_ready, timeout=120, interval=1)
    except AssertionError:
        pytest.fail(f"not ready: {answers[-1]}\n{log()}")
    assert answers[-1][1]["status"] == "ok"

    status, created = http(
        "POST",
        f"{base}/api/v1/stories/",
        {"drive": drive.slug, "kind": "text", "text": "The library listened to us.",
         "consent": CONSENT},
    )  # fmt: skip
    assert status == 201, (created, log())
    receipts: list[tuple[int, dict]] = []

    def reviewed() -> bool:
        receipts.append(
            http("POST", f"{base}/api/v1/receipts/lookup/", {"receipt": created["receipt"]})
        )
        return receipts[-1][1].get("status") == "needs_review"

    # Receipts are throttled against guessing: poll like a patient phone.
    wait_for(reviewed, timeout=120, interval=3)
    assert receipts[-1][0] == 200

    honcho.send_signal(signal.SIGTERM)
    assert honcho.wait(timeout=60) is not None
    output = log_path.read_text(errors="replace")
    for process in ("web", "media", "transcribe", "beat"):
        assert f"{process}.1 started" in output, process
        assert f"{process}.1 stopped" in output, process
    # The finishing step ran on the media worker and wrote a JSON log line about the story.
    assert f'"story_id": {created["id"]}' in output, output
