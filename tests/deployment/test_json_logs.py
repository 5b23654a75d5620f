"""With ``TARINA_LOG_FORMAT=json``, every line gunicorn and a Celery worker write is JSON.

Real processes, started as production starts them (``config/gunicorn.py``; ``celery
--app config worker``), their stdout and stderr read whole: gunicorn's own lines, its
access lines, Django's warnings about 4xx answers, Python warnings, and Celery's start-up,
connection and ready lines. Each must parse as JSON, carry a time with a UTC offset, and
where it is about a request, that request's id.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.worker import ROOT, wait_for

pytestmark = pytest.mark.integration

REQUEST_ID = "logtest-0123456789"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def json_env() -> dict[str, str]:
    return {**os.environ, "TARINA_LOG_FORMAT": "json", "PYTHONUNBUFFERED": "1"}


def stop(process: subprocess.Popen[bytes]) -> None:
    """Warm shutdown (SIGTERM), as systemd or Compose stop it; killed if it hangs."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def json_lines(*paths: Path) -> list[dict[str, Any]]:
    """Every line of the files as JSON (a line that is not fails the test, named)."""
    records = []
    for path in paths:
        for line in path.read_text().splitlines():
            if line.strip():
                try:
                    records.append(json.loads(line))
                except ValueError:
                    pytest.fail(f"not JSON in {path.name}: {line!r}")
    return records


def assert_times_carry_an_offset(records: list[dict[str, Any]]) -> None:
    for record in records:
        assert record["time"].endswith("+00:00"), record


@pytest.fixture
def gunicorn(tmp_path) -> Iterator[tuple[str, Path, Path]]:
    port = free_port()
    out, err = tmp_path / "gunicorn.out", tmp_path / "gunicorn.err"
    env = {
        **json_env(),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "2",
    }
    command = [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi"]
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            [*command, "--config", "config/gunicorn.py"],
            cwd=ROOT,
            env=env,
            stdout=stdout,
            stderr=stderr,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _answers(base), timeout=60)
        yield base, out, err
    finally:
        stop(process)


def _answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_gunicorn_lines_are_json_with_request_ids(gunicorn):
    base, out, err = gunicorn
    headers = {"X-Request-ID": REQUEST_ID}
    assert httpx.get(f"{base}/api/v1/no-such-thing/", headers=headers).status_code == 404
    assert httpx.get(f"{base}/api/v1/feed/?since=soon", headers=headers).status_code == 400
    time.sleep(1)  # the access lines are written after the answers

    records = json_lines(out, err)
    assert_times_carry_an_offset(records)
    assert any(r["logger"] == "gunicorn.error" for r in records)
    access = [r for r in records if r["logger"] == "gunicorn.access"]
    mine = [r for r in access if r.get("request_id") == REQUEST_ID]
    assert {(r["method"], r["status"]) for r in mine} == {("GET", 404), ("GET", 400)}
    assert all(isinstance(r["duration_ms"], int) for r in mine)
    warnings = [r for r in records if r["logger"] == "django.request"]
    assert {r["status_code"] for r in warnings} == {400, 404}
    assert all(r["request_id"] == REQUEST_ID for r in warnings), warnings


def test_celery_worker_lines_are_json(tmp_path):
    out, err = tmp_path / "celery.out", tmp_path / "celery.err"
    name = f"logtest-{uuid.uuid4().hex[:8]}"
    command = [sys.executable, "-m", "celery", "--app", "config", "worker", "--pool", "solo"]
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            [*command, "--queues", name, "--hostname", f"{name}@localhost", "--without-gossip"],
            cwd=ROOT,
            env=json_env(),
            stdout=stdout,
            stderr=stderr,
        )
    try:
        wait_for(lambda: "ready." in err.read_text() + out.read_text(), timeout=60)
    finally:
        stop(process)

    records = json_lines(out, err)
    assert_times_carry_an_offset(records)
    messages = [r["message"] for r in records if r["logger"].startswith("celery")]
    assert f"{name}@localhost ready." in messages
    assert any(m.startswith(f"{name}@localhost starting: queues {name}") for m in messages)
