"""Receipts stay out of URLs and logs: looked up by POST, the old path deprecated, and any
receipt-shaped string scrubbed from every log line, checked against real server processes."""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from config.logging import ReceiptFilter, scrub_receipts
from stories.domain import receipts
from tests.factories import story_with_receipt
from tests.worker import ROOT, database_url_for_workers, wait_for

LOOKUP = "/api/v1/receipts/lookup/"


def spellings(receipt: str) -> list[str]:
    """The ways a receipt can be written: as issued, without dashes, in lower case."""
    plain = receipts.normalise(receipt)
    return [receipt, plain, plain.lower(), receipt.lower(), receipt.replace("-", " ")]


# --- The API ----------------------------------------------------------------------------


def test_a_receipt_is_looked_up_in_the_body(client_for, db):
    story, receipt = story_with_receipt()
    response = client_for().post(LOOKUP, {"receipt": receipt.lower()}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == story.status
    unknown = client_for().post(LOOKUP, {"receipt": receipts.issue()[0]}, format="json")
    assert unknown.status_code == 404
    assert client_for().post(LOOKUP, {}, format="json").status_code == 400
    assert client_for().post(LOOKUP, {"receipt": ["x"]}, format="json").status_code == 400


def test_the_receipt_in_the_path_still_answers_and_says_it_is_deprecated(client_for, db):
    story, receipt = story_with_receipt()
    response = client_for().get(f"/api/v1/receipts/{receipt}/")
    assert response.status_code == 200
    assert response.json()["status"] == story.status
    assert response["Deprecation"].startswith("@")
    assert response["Sunset"].endswith("GMT")
    assert 'rel="successor-version"' in response["Link"]
    assert "/api/v1/receipts/lookup/" in response["Link"]


def test_lookups_share_the_receipt_throttle(client_for, db, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"receipts": "2/minute"},
    }
    client = client_for()
    guesses = [
        client.post(LOOKUP, {"receipt": receipts.issue()[0]}, format="json") for _ in range(3)
    ]
    assert [answer.status_code for answer in guesses] == [404, 404, 429]


# --- The log filter ---------------------------------------------------------------------


def test_the_filter_scrubs_messages_arguments_tracebacks_and_extras():
    receipt = receipts.issue()[0]
    record = logging.LogRecord(
        "django.server", logging.INFO, __file__, 1, '"%s" %s', (f"GET /r/{receipt}/", 200), None
    )
    record.request = f"<WSGIRequest: GET '/api/v1/receipts/{receipt}/'>"
    try:
        raise ValueError(f"bad receipt {receipts.normalise(receipt).lower()}")
    except ValueError:
        record.exc_info = sys.exc_info()
    assert ReceiptFilter().filter(record)
    text = logging.Formatter("%(message)s %(request)s").format(record)
    assert receipt not in text
    assert receipts.normalise(receipt).lower() not in text
    assert text.count("[receipt]") == 3


def test_ids_of_the_same_length_are_left_alone():
    request_id = "54f2f721c4d34fe39e58961b022b3aae"
    task_id = "91be015a-02fc-43d1-bc8c-83e9bde6b76f"
    digest = "ab" * 32
    line = f"req={request_id} task={task_id} sha={digest}"
    assert scrub_receipts(line) == line


# --- Real servers, their access and application logs ---------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def call(method: str, url: str, body: dict | None = None) -> tuple[int, dict, dict]:
    """A JSON request; an HTTP error is an answer. Status, body and headers."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310 - loopback URL built by the test
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"{}"), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}"), dict(error.headers)


SERVERS = {
    "gunicorn": [sys.executable, "-m", "gunicorn", "config.wsgi", "--config", "config/gunicorn.py"],
    "runserver": [sys.executable, "manage.py", "runserver", "--noreload", "{bind}"],
}


@pytest.fixture(params=sorted(SERVERS))
def server(request, transactional_db, tmp_path):
    """A real web server process, access log on, its output (all of it) in one file."""
    port = free_port()
    bind = f"127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_workers(),
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "GUNICORN_BIND": bind,
        "GUNICORN_ACCESS_LOG": "-",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "2",
        "TARINA_LOG_LEVEL": "DEBUG",
        "PYTHONUNBUFFERED": "1",
    }
    command = [part.format(bind=bind) for part in SERVERS[request.param]]
    log_path = tmp_path / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://{bind}"
    try:
        wait_for(lambda: _answers(f"{base}/healthz"), timeout=60, interval=0.3)
        yield base, log_path
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _answers(url: str) -> bool:
    try:
        return call("GET", url)[0] == 200
    except OSError:
        return False


# Transactional (the server is another process); the migrated rows come back afterwards.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_submit_look_up_and_withdraw_leave_no_receipt_in_any_log(server, drive):
    base, log_path = server
    status, created, _ = call(
        "POST",
        f"{base}/api/v1/stories/",
        {"drive": drive.slug, "kind": "text", "text": "The bus.", "consent": {"store": True}},
    )
    assert status == 201, log_path.read_text()
    receipt = created["receipt"]
    assert call("POST", f"{base}{LOOKUP}", {"receipt": receipt})[0] == 200
    for spelling in (receipt, receipts.normalise(receipt).lower()):  # the deprecated path
        status, _, headers = call("GET", f"{base}/api/v1/receipts/{spelling}/")
        assert status == 200
        assert "Sunset" in headers
    unknown = receipts.issue()[0]
    assert call("GET", f"{base}/api/v1/receipts/{unknown}/")[0] == 404  # a warning is logged
    assert call("POST", f"{base}/api/v1/withdrawals/", {"receipt": receipt})[0] == 200
    wait_for(lambda: "/api/v1/withdrawals/" in log_path.read_text(), timeout=10, interval=0.2)

    logged = log_path.read_text()
    assert "/api/v1/receipts/lookup/" in logged  # the access log is on
    assert "/api/v1/receipts/[receipt]/" in logged  # and the old path was written, scrubbed
    assert "Not Found" in logged  # the application's warning for the unknown receipt
    for secret in (*spellings(receipt), *spellings(unknown)):
        assert secret not in logged, f"{secret} in the log"
