"""Probes, request ids, structured logs, context in task headers and /metrics."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from config import logging as tarina_logging
from stories.domain import health
from tests.factories import StoryFactory

ROOT = Path(__file__).resolve().parents[2]


# --- probes ---------------------------------------------------------------------------


def test_healthz_answers_200_without_touching_anything(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_503_with_json_detail_when_no_worker_answers(client, db):
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True
    workers = body["checks"]["workers"]
    assert workers["ok"] is False
    assert "media" in workers["detail"]
    assert "transcribe" in workers["detail"]


def test_readyz_is_200_when_everything_is_there(client, db, monkeypatch):
    monkeypatch.setattr(
        health.celery_app.control,
        "inspect",
        lambda timeout: SimpleNamespace(
            active_queues=lambda: {
                "media@a": [{"name": "media"}],
                "transcribe@b": [{"name": "transcribe"}],
            }
        ),
    )
    monkeypatch.setattr(health, "check_models", lambda: health.Check(ok=True))
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["workers"]["extra"]["queues"] == {
        "media": ["media@a"],
        "transcribe": ["transcribe@b"],
    }


def test_a_queue_without_a_worker_is_named():
    check = health.check_queues(0.1, ["media", "transcribe"])
    assert check.ok is False  # no worker in unit tests


def test_missing_models_are_reported(settings, tmp_path):
    settings.TARINA_MODELS_DIR = tmp_path
    check = health.check_models()
    assert check.ok is False
    assert "weights" in check.detail
    assert "privacy gazetteer" in check.detail


def test_provisioned_models_pass(settings, tmp_path):
    settings.TARINA_MODELS_DIR = tmp_path
    settings.TARINA_TRANSCRIBE_ENGINE = "faster-whisper"
    settings.TARINA_WHISPER_MODEL = "base"
    (tmp_path / "faster-whisper" / "base").mkdir(parents=True)
    (tmp_path / "faster-whisper" / "base" / "model.bin").write_bytes(b"x")
    (tmp_path / "privacy").mkdir()
    (tmp_path / "privacy" / "names-v2.tsv.gz").write_bytes(b"x")
    assert health.check_models().ok is True


# --- request ids ----------------------------------------------------------------------


def test_a_request_id_is_generated_and_returned(client):
    response = client.get("/healthz")
    assert len(response["X-Request-ID"]) == 32


def test_a_plain_request_id_is_honoured_and_a_strange_one_replaced(client):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="abc-123-def")["X-Request-ID"] == (
        "abc-123-def"
    )
    forged = client.get("/healthz", HTTP_X_REQUEST_ID='x" level="ERROR')["X-Request-ID"]
    assert forged != 'x" level="ERROR'
    assert len(forged) == 32


def test_the_request_id_is_not_left_behind_after_the_request(client):
    client.get("/healthz", HTTP_X_REQUEST_ID="abc-123-def")
    assert tarina_logging.request_id.get() is None
    assert tarina_logging.story_id.get() is None


# --- logs -----------------------------------------------------------------------------


def _emit(log_format: str) -> str:
    """One record through the handler set-up that ``build_logging(log_format)`` describes."""
    config = tarina_logging.build_logging(log_format)
    formatter_config = dict(config["formatters"][config["handlers"]["console"]["formatter"]])
    factory = formatter_config.pop("()")
    formatter: logging.Formatter = {
        "config.logging.JsonFormatter": tarina_logging.JsonFormatter,
        "config.logging.PlainFormatter": tarina_logging.PlainFormatter,
    }[factory](**formatter_config)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    handler.addFilter(
        tarina_logging.ContextFilter(placeholder=config["filters"]["context"]["placeholder"])
    )
    log = logging.getLogger(f"tests.deployment.{log_format}")
    log.addHandler(handler)
    log.propagate = False
    try:
        with tarina_logging.bound(request="req-0001", task="task-1", story=42):
            log.warning("story moved")
    finally:
        log.removeHandler(handler)
    return stream.getvalue()


def test_json_logs_carry_request_task_and_story():
    record = json.loads(_emit("json"))
    assert record["message"] == "story moved"
    assert record["level"] == "WARNING"
    assert record["request_id"] == "req-0001"
    assert record["task_id"] == "task-1"
    assert record["story_id"] == 42


def test_plain_logs_carry_them_too():
    line = _emit("plain")
    assert "[req=req-0001 task=task-1 story=42] story moved" in line


def test_json_format_is_chosen_by_environment():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.LOGGING['handlers']['console']['formatter'])"
    )
    env = {"TARINA_LOG_FORMAT": "json", "DJANGO_SETTINGS_MODULE": "config.settings"}
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**_base_env(), **env},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "json"


# --- context across the broker ----------------------------------------------------------


def test_request_and_story_ids_travel_in_task_headers():
    import stories.tasks  # noqa: F401  (registers the task, as a caller of .delay has)

    headers: dict = {"id": "t-1"}
    with tarina_logging.bound(request="req-web-1"):
        tarina_logging._add_context_headers(
            sender="media_pipeline.tasks.process_story",
            headers=headers,
            body=((17,), {}, {}),
            routing_key="media",
        )
    assert headers[tarina_logging.REQUEST_ID_HEADER] == "req-web-1"
    assert headers[tarina_logging.STORY_ID_HEADER] == 17


def test_a_worker_binds_task_request_and_story_ids():
    from stories.tasks import transcribe_story

    task = SimpleNamespace(
        run=transcribe_story.run,
        request=SimpleNamespace(tarina_request_id="req-web-2", tarina_story_id=5),
    )
    tarina_logging._bind_task_context(task_id="tid-9", task=task, args=(5,), kwargs={})
    try:
        assert tarina_logging.task_id.get() == "tid-9"
        assert tarina_logging.request_id.get() == "req-web-2"
        assert tarina_logging.story_id.get() == 5
    finally:
        tarina_logging._unbind_task_context(task_id="tid-9")
    assert tarina_logging.task_id.get() is None
    assert tarina_logging.request_id.get() is None


# --- metrics --------------------------------------------------------------------------


@pytest.fixture
def empty_queues():
    """Other tests queue tasks with no worker to take them; start from empty queues."""
    from config.celery import app as celery_app

    with celery_app.connection_for_write() as conn:
        for name in ("media", "transcribe"):
            conn.default_channel.queue_purge(name)


@pytest.mark.django_db
def test_metrics_expose_requests_statuses_queues_and_steps(client, empty_queues):
    StoryFactory(status="needs_review", processing_timings={"transcribe": 2.5, "validate": 0.1})
    StoryFactory(status="needs_review", processing_timings={"transcribe": 4.0})
    client.get("/healthz")

    response = client.get("/metrics")

    assert response.status_code == 200
    text = response.content.decode()
    assert (
        'tarina_http_request_duration_seconds_count{method="GET",route="healthz",status="2xx"}'
        in text
    )
    assert 'tarina_stories{status="needs_review"} 2.0' in text
    assert 'tarina_stories{status="withdrawn"} 0.0' in text
    # The filesystem broker in tests: an empty queue counts 0 (unknown would be -1).
    assert 'tarina_queue_messages{queue="media"} 0.0' in text
    assert 'tarina_queue_messages{queue="transcribe"} 0.0' in text
    assert 'tarina_pipeline_step_runs{step="transcribe"} 2.0' in text
    assert 'tarina_pipeline_step_seconds{quantile="0.99",step="transcribe"} 4.0' in text


@pytest.mark.django_db
def test_metrics_can_require_a_bearer_token(client, settings):
    settings.TARINA_METRICS_TOKEN = "s3cret-token"
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token").status_code == 200


def test_an_unreachable_broker_gives_minus_one():
    from config import metrics

    assert metrics.queue_depths(["media"], url="redis://127.0.0.1:1/0") == {"media": -1}


# --- Sentry ---------------------------------------------------------------------------


def _base_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}


def test_sentry_is_initialised_only_with_a_dsn_and_without_personal_data():
    code = (
        "import django; django.setup(); import sentry_sdk; c = sentry_sdk.get_client(); "
        "import json; print(json.dumps({'active': c.is_active(), "
        "'pii': c.options.get('send_default_pii'), "
        "'body': c.options.get('max_request_body_size'), "
        "'integrations': sorted(c.integrations)}))"
    )
    env = {**_base_env(), "DJANGO_SETTINGS_MODULE": "config.settings"}
    off = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert json.loads(off.stdout)["active"] is False
    env["SENTRY_DSN"] = "https://public@sentry.invalid/1"
    on = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    report = json.loads(on.stdout)
    assert report["active"] is True
    assert report["pii"] is False
    assert report["body"] == "never"
    assert {"django", "celery"} <= set(report["integrations"])


def test_log_times_are_utc_with_the_offset():
    assert json.loads(_emit("json"))["time"].endswith("+00:00")
    assert _emit("plain").split(" ", 1)[0].endswith("+00:00")
