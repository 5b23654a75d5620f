"""Request id and request metrics, for every request the web tier answers."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from config import logging as tarina_logging
from config import metrics

REQUEST_ID_HEADER = "X-Request-ID"
# A client's (or the proxy's) id is honoured only when it is short and plain: it ends up
# in every log line, so nothing that could forge a log field or carry personal data.
_ACCEPTABLE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")


def request_id_for(request: HttpRequest) -> str:
    """The request's ``X-Request-ID`` when acceptable, else a new random id."""
    given = request.headers.get(REQUEST_ID_HEADER, "")
    return given if _ACCEPTABLE_ID.match(given) else uuid.uuid4().hex


class RequestIdMiddleware:
    """Bind a request id for the request's log lines and tasks; return it as ``X-Request-ID``.

    The story id is cleared at the start and end of each request too: a sync worker thread
    serves many requests, and a story bound while queueing one's tasks must not leak into
    the next.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rid = request_id_for(request)
        request.request_id = rid  # type: ignore[attr-defined]
        tokens = (
            tarina_logging.request_id.set(rid),
            tarina_logging.story_id.set(None),
        )
        try:
            response = self.get_response(request)
        finally:
            tarina_logging.story_id.reset(tokens[1])
            tarina_logging.request_id.reset(tokens[0])
        response[REQUEST_ID_HEADER] = rid
        return response

    def process_view(
        self, request: HttpRequest, view_func: object, view_args: object, view_kwargs: dict
    ) -> None:
        """Bind the story id of story URLs (``/stories/<pk>/...``)."""
        match = getattr(request, "resolver_match", None)
        route = getattr(match, "route", "") or ""
        value = view_kwargs.get("story_id") or (view_kwargs.get("pk") if "stor" in route else None)
        if value is not None and str(value).isdigit():
            tarina_logging.story_id.set(int(value))


class MetricsMiddleware:
    """Observe request latency by route name (or pattern) and method."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        metrics.observe_request(
            route=route_label(request),
            method=request.method or "",
            status=response.status_code,
            seconds=time.perf_counter() - started,
        )
        return response


def route_label(request: HttpRequest) -> str:
    """A low-cardinality label: the URL name, else the route pattern, else ``unmatched``."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    if match.view_name:
        return str(match.view_name)
    return str(match.route or "unmatched")
