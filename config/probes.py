"""Probes for orchestrators and load balancers: ``/healthz`` (liveness), ``/readyz`` (readiness).

Plain Django views, outside DRF: no authentication, no session, no database for liveness.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from stories.domain import health


@never_cache
def healthz(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """200 whenever the process answers; nothing else is checked (restarts fix nothing more)."""
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """200 when the database, the broker, a worker per queue and the models are all there."""
    ready, body = health.readiness()
    return JsonResponse(body, status=200 if ready else 503)
