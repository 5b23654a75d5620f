"""The health check tells an operator whether the database, broker and workers are up."""

from __future__ import annotations


def test_without_a_worker_health_is_503_and_says_which_part_is_down(client_for, db):
    response = client_for().get("/api/v1/health/")
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
