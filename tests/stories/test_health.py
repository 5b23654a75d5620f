"""The health check tells an operator whether the database, broker and workers are up."""

from __future__ import annotations

import time

from django.core.cache import cache


def test_without_a_worker_health_is_503_and_says_which_part_is_down(client_for, curator):
    response = client_for(curator).get("/api/v1/health/")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"]["ok"] is True
    assert checks["broker"]["ok"] is True
    assert checks["workers"] == {"ok": False, "detail": "No worker answered.", "extra": {}}


def test_an_unreachable_broker_is_reported(db):
    from stories.domain import health

    check = health.check_broker(timeout=0.5, url="redis://127.0.0.1:1/0")
    assert check.ok is False
    assert check.detail


def test_anonymous_callers_learn_up_or_down_and_nothing_else(client_for, db, admin_user):
    anonymous = client_for().get("/api/v1/health/")
    assert anonymous.status_code == 503
    assert anonymous.json() == {"status": "unavailable"}
    detailed = client_for(admin_user).get("/api/v1/health/")
    assert set(detailed.json()["checks"]) == {"database", "broker", "disk", "workers"}


def test_reporters_and_services_get_the_status_only(client_for, reporter, service):
    for user in (reporter, service):
        assert client_for(user).get("/api/v1/health/").json() == {"status": "unavailable"}


def test_health_answers_from_a_report_kept_a_few_seconds(client_for, curator, settings):
    """With no worker, a fresh report waits the whole ping timeout; a kept one does not."""
    settings.TARINA_HEALTH_TIMEOUT_SECONDS = 1
    client = client_for(curator)
    started = time.perf_counter()
    first = client.get("/api/v1/health/")
    fresh = time.perf_counter() - started
    started = time.perf_counter()
    second = client_for().get("/api/v1/health/")
    kept = time.perf_counter() - started
    assert fresh >= 1
    assert kept < 0.5, kept
    assert second.json() == {"status": first.json()["status"]}
    settings.TARINA_HEALTH_CACHE_SECONDS = 0  # nothing kept: every call checks again
    cache.clear()
    started = time.perf_counter()
    client.get("/api/v1/health/")
    assert time.perf_counter() - started >= 1


def test_health_is_throttled_per_address(client_for, db, settings):
    settings.TARINA_HEALTH_THROTTLE = "3/minute"
    client = client_for()
    answers = [client.get("/api/v1/health/").status_code for _ in range(4)]
    assert answers == [503, 503, 503, 429]
