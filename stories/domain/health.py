"""Reachability of what the service depends on: the database, the broker and the workers."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection

from config.celery import app as celery_app


@dataclass
class Check:
    ok: bool
    detail: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def check_database() -> Check:
    """Run a trivial query."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any failure means "down"; the reason goes in the report
        return Check(ok=False, detail=type(exc).__name__)
    return Check(ok=True, extra={"vendor": connection.vendor})


def check_broker(timeout: float, url: str | None = None) -> Check:
    """Open a fresh connection to the Celery broker (``url`` defaults to the configured one)."""
    try:
        with celery_app.connection_for_write(url) as conn:
            conn.ensure_connection(max_retries=1, timeout=max(1, round(timeout)))
            transport = conn.transport_cls
    except Exception as exc:
        return Check(ok=False, detail=type(exc).__name__)
    return Check(ok=True, extra={"transport": str(transport)})


def check_workers(timeout: float) -> Check:
    """Ask the workers to answer a ping; at least one must."""
    try:
        replies = celery_app.control.ping(timeout=timeout)
    except Exception as exc:
        return Check(ok=False, detail=type(exc).__name__)
    if not replies:
        return Check(ok=False, detail="No worker answered.")
    return Check(ok=True, extra={"workers": sorted(name for reply in replies for name in reply)})


def report() -> tuple[bool, dict[str, Any]]:
    """All checks, and whether every one passed."""
    timeout = settings.TARINA_HEALTH_TIMEOUT_SECONDS
    checks = {"database": check_database(), "broker": check_broker(timeout)}
    # Pinging workers needs the broker; skip the wait when it is known to be down.
    checks["workers"] = (
        check_workers(timeout) if checks["broker"].ok else Check(ok=False, detail="Broker down.")
    )
    healthy = all(check.ok for check in checks.values())
    return healthy, {
        "status": "ok" if healthy else "unavailable",
        "checks": {name: asdict(check) for name, check in checks.items()},
    }
