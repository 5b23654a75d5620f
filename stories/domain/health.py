"""Reachability of what the service depends on: the database, the broker and the workers."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from config.celery import app as celery_app
from stories.domain import diskspace


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


def check_disk() -> Check:
    """Free space where media and the database are written, against TARINA_MIN_FREE_BYTES.

    Low before it is out: uploads then answer 507 and the worker waits, but an operator
    should act before that. Also remakes the withdrawal reserve if a withdrawal used it.
    """
    places = {"var": Path(settings.VAR_DIR), "media": Path(settings.MEDIA_ROOT)}
    free = {name: diskspace.free_bytes(path) for name, path in places.items()}
    minimum = settings.TARINA_MIN_FREE_BYTES
    low = sorted(name for name, value in free.items() if value < minimum)
    reserve = diskspace.ensure_reserve()
    detail = f"Low disk space ({', '.join(low)}): under {minimum} bytes free." if low else ""
    return Check(ok=not low, detail=detail, extra={"free_bytes": free, "reserve": reserve})


def report() -> tuple[bool, dict[str, Any]]:
    """All checks, and whether every one passed."""
    timeout = settings.TARINA_HEALTH_TIMEOUT_SECONDS
    checks = {
        "database": check_database(),
        "broker": check_broker(timeout),
        "disk": check_disk(),
    }
    # Pinging workers needs the broker; skip the wait when it is known to be down.
    checks["workers"] = (
        check_workers(timeout) if checks["broker"].ok else Check(ok=False, detail="Broker down.")
    )
    healthy = all(check.ok for check in checks.values())
    return healthy, {
        "status": "ok" if healthy else "unavailable",
        "checks": {name: asdict(check) for name, check in checks.items()},
    }


# The last report, shared by every web process through the cache.
REPORT_CACHE_KEY = "tarina:health:report"


def cached_report() -> tuple[bool, dict[str, Any]]:
    """``report()``, computed at most once per ``TARINA_HEALTH_CACHE_SECONDS``.

    A report waits up to the health timeout on the broker and the workers (seconds): asked
    for on every call, an anonymous endpoint would let anyone keep web threads busy.
    """
    kept = cache.get(REPORT_CACHE_KEY)
    if kept is not None:
        return kept[0], kept[1]
    healthy, body = report()
    seconds = settings.TARINA_HEALTH_CACHE_SECONDS
    if seconds > 0:
        cache.set(REPORT_CACHE_KEY, (healthy, body), seconds)
    return healthy, body


def status_only(body: dict[str, Any]) -> dict[str, Any]:
    """What anyone may read: up or not. Worker names, queues and disk are for operators."""
    return {"status": body["status"]}


# --- Readiness (/readyz): can this deployment take and process stories? ---------------


def check_queues(timeout: float, queues: list[str]) -> Check:
    """Each queue in ``queues`` has at least one worker consuming it that answers in time."""
    try:
        answers = celery_app.control.inspect(timeout=timeout).active_queues() or {}
    except Exception as exc:
        return Check(ok=False, detail=type(exc).__name__)
    served: dict[str, list[str]] = {queue: [] for queue in queues}
    for worker, consumed in answers.items():
        for queue in consumed or []:
            name = queue.get("name") if isinstance(queue, dict) else None
            if name in served:
                served[name].append(worker)
    missing = sorted(queue for queue, workers in served.items() if not workers)
    detail = f"No worker answered for queue(s): {', '.join(missing)}." if missing else ""
    return Check(
        ok=not missing,
        detail=detail,
        extra={"queues": {queue: sorted(workers) for queue, workers in served.items()}},
    )


def check_models() -> Check:
    """Whisper weights for the configured engine and the privacy gazetteer are provisioned."""
    from media_pipeline.privacy.gazetteer import gazetteer_path
    from media_pipeline.speech.weights import is_provisioned

    models_dir = Path(settings.TARINA_MODELS_DIR)
    engine = settings.TARINA_TRANSCRIBE_ENGINE
    model = settings.TARINA_WHISPER_MODEL
    missing = []
    try:
        if not is_provisioned(models_dir, engine, model):
            missing.append(f"{engine} {model} weights")
    except Exception as exc:  # unknown engine, unreadable folder
        missing.append(f"{engine} {model} weights ({type(exc).__name__})")
    if not gazetteer_path(models_dir).is_file():
        missing.append("privacy gazetteer")
    detail = f"Missing: {', '.join(missing)}; run `manage.py provision_models`." if missing else ""
    return Check(ok=not missing, detail=detail, extra={"models_dir": str(models_dir)})


def readiness() -> tuple[bool, dict[str, Any]]:
    """Database, broker, a worker answering on every queue, models present."""
    timeout = settings.TARINA_HEALTH_TIMEOUT_SECONDS
    queues = list(getattr(settings, "TARINA_READY_QUEUES", None) or ["media", "transcribe"])
    checks = {"database": check_database(), "broker": check_broker(timeout)}
    checks["workers"] = (
        check_queues(timeout, queues) if checks["broker"].ok else Check(False, "Broker down.")
    )
    checks["models"] = check_models()
    ready = all(check.ok for check in checks.values())
    return ready, {
        "status": "ok" if ready else "unavailable",
        "checks": {name: asdict(check) for name, check in checks.items()},
    }
