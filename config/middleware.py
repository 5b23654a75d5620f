"""Request id, request metrics and security headers, for every request the web tier answers."""

from __future__ import annotations

import re
import secrets
import time
import uuid
from collections.abc import Callable, Iterable
from functools import cache
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.storage import storages
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


# --- Content-Security-Policy and Permissions-Policy ------------------------------------

# Features no page uses: refused everywhere (an injected script cannot ask for them).
_NEVER = ("geolocation", "payment", "usb", "serial", "bluetooth", "hid", "midi", "display-capture")
# Asked for only by the pages that record (settings.TARINA_RECORDING_VIEWS).
_RECORDING = ("microphone", "camera")


class CspNonce:
    """A per-request nonce, made only if a template asks for it (``{{ request.csp_nonce }}``):
    a policy without one stays the same for every request, so kept public pages stay valid."""

    def __init__(self) -> None:
        self.value: str | None = None

    def __str__(self) -> str:
        if self.value is None:
            self.value = secrets.token_urlsafe(18)
        return self.value


@cache
def media_origins() -> tuple[str, ...]:
    """Other origins media may come from: a separate public media host (an absolute
    ``TARINA_PUBLIC_MEDIA_URL``, a CDN or bucket), the private bucket's signed URLs."""
    origins = set()
    for alias in ("public", "default"):
        try:
            url = storages[alias].url("csp-probe")
        except Exception:  # noqa: S112 - the private filesystem store refuses URLs on purpose
            continue
        parts = urlsplit(url)
        if parts.scheme and parts.netloc:
            origins.add(f"{parts.scheme}://{parts.netloc}")
    return tuple(sorted(origins))


def content_security_policy(nonce: str | None, media: Iterable[str] = ()) -> str:
    """The policy for HTML pages: scripts and styles from this origin only (or with the
    request's nonce), no inline handlers or style attributes, never framed."""
    with_nonce = f" 'nonce-{nonce}'" if nonce else ""
    extra = "".join(f" {origin}" for origin in media)
    directives = {
        "default-src": "'self'",
        "script-src": f"'self'{with_nonce}",
        "style-src": f"'self'{with_nonce}",
        "img-src": f"'self' data: blob:{extra}",
        "media-src": f"'self' blob:{extra}",
        "connect-src": "'self'",
        "font-src": "'self'",
        "worker-src": "'self'",
        "manifest-src": "'self'",
        "object-src": "'none'",
        "frame-src": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
        # No page is meant to be embedded: clickjacking a consent form or the console.
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def permissions_policy(records: bool) -> str:
    """Microphone and camera for this origin on the pages that record, for nobody elsewhere."""
    allowed = "(self)" if records else "()"
    features = [f"{name}={allowed}" for name in _RECORDING]
    return ", ".join([*features, *(f"{name}=()" for name in _NEVER)])


class SecurityHeadersMiddleware:
    """``Content-Security-Policy`` on HTML answers that carry none of their own (public media
    and the API docs set theirs), and ``Permissions-Policy`` on every answer."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = CspNonce()
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        if _is_html(response) and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = content_security_policy(
                nonce.value, media_origins()
            )
        if "Permissions-Policy" not in response:
            response["Permissions-Policy"] = permissions_policy(_records(request))
        return response


def _is_html(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").startswith("text/html")


def _records(request: HttpRequest) -> bool:
    """True on a page that records sound or pictures in the browser."""
    match = getattr(request, "resolver_match", None)
    name = getattr(match, "view_name", None)
    return name in settings.TARINA_RECORDING_VIEWS
