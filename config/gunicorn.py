"""gunicorn settings for the web tier: ``gunicorn config.wsgi --config config/gunicorn.py``.

Every value can be overridden by the environment (``GUNICORN_CMD_ARGS`` too).
"""

from __future__ import annotations

import multiprocessing
import os
from typing import Any

from config.logging import gunicorn_logging

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# One process per core, each with threads: requests are short and mostly wait on the
# database or Redis, and uploads stream to disk. More processes than cores cost more CPU
# per request (bench/api_load.py on 2 cores, side by side: 5 x 4 needed 2.2 ms of CPU for
# a kept feed page and served ~540 per second, 2 x 8 needed 1.6 ms and served ~970).
workers = int(os.environ.get("WEB_CONCURRENCY", max(2, min(multiprocessing.cpu_count(), 8))))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
worker_class = "gthread"
# A slow phone upload of a long recording: allow minutes, not seconds.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "300"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Recycle workers now and then: bounded memory growth. Rarely: a new worker costs seconds
# of CPU to start (the lemma lexicons) and begins with an empty public-page cache. With two
# processes serving ~1,000 requests/s, 20,000 restarted one every ~20 s (JSON Feed p99 over
# 1 s) and 100,000 every few minutes, emptying the kept story pages in the middle of
# bench/api_load.py's runs; 1,000,000 is about half an hour at that rate, and weeks at a
# municipality's usual traffic. Memory the process keeps on purpose is bounded anyway.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000000"))
max_requests_jitter = max_requests // 10
# The reverse proxy sets X-Forwarded-*; trust it only from the private network.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
# The request id the proxy passes (or Django returns) ties access lines to app lines.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms req=%({x-request-id}o)s ua="%(a)s"'
# gunicorn's own lines in the application's format (TARINA_LOG_FORMAT=json: JSON lines,
# an access line with its fields), times in UTC with the offset.
logconfig_dict = gunicorn_logging(os.environ.get("TARINA_LOG_FORMAT", "plain"))
# `make dev`: restart the workers when a source file changes (development only).
reload = os.environ.get("GUNICORN_RELOAD", "") == "1"
control_socket_disable = True  # gunicorn 24+: no control socket in a read-only image


def child_exit(server: Any, worker: Any) -> None:
    """Prometheus multiprocess mode: forget a dead worker's live gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def post_worker_init(worker: Any) -> None:
    """Load the search lexicons before the worker takes requests (see search_query.warm)."""
    from stories.domain import search_query

    search_query.warm()
