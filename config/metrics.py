"""Prometheus metrics at ``/metrics``.

Two kinds of numbers, chosen so that no worker process has to be scraped:

* **Web requests** — ``tarina_http_request_duration_seconds`` (histogram by route name,
  method and status class), observed in the web process by ``MetricsMiddleware``. Several
  gunicorn workers each hold their own copy; set ``PROMETHEUS_MULTIPROC_DIR`` (an empty
  folder, cleared at start) and prometheus-client's multiprocess mode adds them up
  (``config/gunicorn.py`` marks dead workers).
* **Read at scrape time** — from the database and the broker, so they are the same
  whichever web process answers: stories per status, messages waiting per queue, and the
  pipeline steps' durations over a recent window, read from ``Story.processing_timings``
  (which every worker writes). Worker processes therefore need no metrics endpoint and no
  multiprocess mode.

``TARINA_METRICS_TOKEN``, when set, must be sent as ``Authorization: Bearer <token>``.
"""

from __future__ import annotations

import hmac
import logging
import os
from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

REQUEST_LATENCY = Histogram(
    "tarina_http_request_duration_seconds",
    "Time to answer an HTTP request, by URL name, method and status class.",
    ["route", "method", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)

QUANTILES = (0.5, 0.9, 0.99)


def observe_request(route: str, method: str, status: int, seconds: float) -> None:
    REQUEST_LATENCY.labels(route=route, method=method, status=f"{status // 100}xx").observe(seconds)


def queue_depths(queues: Iterable[str], url: str | None = None) -> dict[str, int]:
    """Messages waiting in each queue; -1 where the broker cannot say.

    ``url`` defaults to the configured broker.
    """
    from config.celery import app as celery_app

    depths = {name: -1 for name in queues}
    try:
        with celery_app.connection_for_read(url) as conn:
            timeout = max(1, round(settings.TARINA_HEALTH_TIMEOUT_SECONDS))
            conn.ensure_connection(max_retries=1, timeout=timeout)
            channel: Any = conn.default_channel
            for name in depths:
                try:
                    size = getattr(channel, "_size", None)  # kombu's virtual transports
                    if size is not None:
                        # Redis: LLEN of the queue's list (and its priority lists);
                        # filesystem: the queue's message files.
                        depths[name] = int(size(name))
                    else:  # AMQP: a passive declare reports the message count
                        depths[name] = int(channel.queue_declare(name, passive=True).message_count)
                except Exception:  # unknown queue or transport: leave it at -1
                    logger.debug("queue depth of %s unknown", name, exc_info=True)
    except Exception:
        logger.warning("broker unreachable for queue depths", exc_info=True)
    return depths


def _quantile(sorted_values: list[float], q: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[index]


class DatabaseCollector(Collector):
    """Stories per status, queue depths and recent step durations, read at each scrape."""

    def collect(self) -> Iterator[Metric]:
        from stories.enums import StoryStatus
        from stories.models import Story

        statuses = GaugeMetricFamily(
            "tarina_stories", "Stories per status (a database count).", labels=["status"]
        )
        counts = dict(Story.objects.values_list("status").annotate(n=Count("pk")).order_by())
        for status in StoryStatus.values:
            statuses.add_metric([status], counts.get(status, 0))
        yield statuses

        depth = GaugeMetricFamily(
            "tarina_queue_messages",
            "Messages waiting in a Celery queue (-1: the broker cannot say).",
            labels=["queue"],
        )
        queues = [queue.name for queue in settings.CELERY_TASK_QUEUES]
        for name, value in queue_depths(queues).items():
            depth.add_metric([name], value)
        yield depth

        window = settings.TARINA_METRICS_STEP_WINDOW_SECONDS
        since = timezone.now() - timedelta(seconds=window)
        durations: dict[str, list[float]] = {}
        recent = Story.objects.filter(updated_at__gte=since).exclude(processing_timings={})
        for timings in recent.values_list("processing_timings", flat=True).iterator():
            for step, seconds in (timings or {}).items():
                if isinstance(seconds, int | float):
                    durations.setdefault(step, []).append(float(seconds))
        help_window = f"over stories updated in the last {window} s"
        quantiles = GaugeMetricFamily(
            "tarina_pipeline_step_seconds",
            f"Duration of a pipeline step (from Story.processing_timings), {help_window}.",
            labels=["step", "quantile"],
        )
        runs = GaugeMetricFamily(
            "tarina_pipeline_step_runs", f"Pipeline steps recorded {help_window}.", labels=["step"]
        )
        total = GaugeMetricFamily(
            "tarina_pipeline_step_seconds_summed",
            f"Summed duration of a pipeline step {help_window}.",
            labels=["step"],
        )
        for step, values in sorted(durations.items()):
            values.sort()
            for q in QUANTILES:
                quantiles.add_metric([step, str(q)], _quantile(values, q))
            runs.add_metric([step], len(values))
            total.add_metric([step], sum(values))
        yield quantiles
        yield runs
        yield total


class MediaCheckCollector(Collector):
    """The media reconciler's latest run (``manage.py check_media`` or its beat task) and
    the file intents still open, from the database like the rest."""

    FIELDS = (
        "files_checked",
        "orphans_found",
        "orphans_deleted",
        "missing_found",
        "missing_repaired",
        "stale_intents",
    )

    def collect(self) -> Iterator[Metric]:
        from stories.models import MediaCheckRun, StoredFileIntent

        last = MediaCheckRun.objects.order_by("-finished_at").first()
        found = GaugeMetricFamily(
            "tarina_media_check", "What the latest media check counted.", labels=["count"]
        )
        for name in self.FIELDS:
            found.add_metric([name], getattr(last, name) if last else 0)
        yield found
        yield GaugeMetricFamily(
            "tarina_media_check_finished_timestamp_seconds",
            "When the latest media check finished (0: never).",
            value=last.finished_at.timestamp() if last else 0,
        )
        yield GaugeMetricFamily(
            "tarina_stored_file_intents",
            "Files journaled but not yet owned by a row (in flight, or left by a crash).",
            value=StoredFileIntent.objects.count(),
        )


def render() -> bytes:
    """The exposition text: request metrics (one process or all) plus the scrape-time ones."""
    scrape = CollectorRegistry(auto_describe=False)
    scrape.register(DatabaseCollector())
    scrape.register(MediaCheckCollector())
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        merged = CollectorRegistry()
        multiprocess.MultiProcessCollector(merged)
        return generate_latest(merged) + generate_latest(scrape)
    return generate_latest(REGISTRY) + generate_latest(scrape)


def authorised(request: HttpRequest) -> bool:
    token: str = getattr(settings, "TARINA_METRICS_TOKEN", "")
    if not token:
        return True
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), token)


def metrics_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    if not authorised(request):
        response = HttpResponse("Unauthorized\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(render(), content_type=CONTENT_TYPE_LATEST)
