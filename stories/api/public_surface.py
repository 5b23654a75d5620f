"""What the public surfaces (feeds, the public API, exports) offer other sites and readers:
read-only CORS and gzip.

A view is marked with ``public``; ``PublicSurfaceMiddleware``, outermost in the stack,
then adds to its answers:

- ``Access-Control-Allow-Origin: *`` on GET and HEAD, and answers a CORS preflight
  (OPTIONS) itself: any web page may read what anyone may read. Never with credentials,
  and never on a curator's or reporter's endpoint, which stay same-origin.
- gzip, when the reader accepts it. Only here, on answers that hold nothing secret: a
  compressed answer that mixes a secret (a CSRF token, a session's data) with text an
  attacker chooses leaks the secret through its length (BREACH). Outermost, so the public
  cache (``public_cache``) keeps the plain answer and each reader gets the encoding it
  asked for.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.gzip import GZipMiddleware

from stories.api.url_match import url_match

View = Callable[..., HttpResponseBase]
Handler = Callable[[HttpRequest], HttpResponseBase]

READ_METHODS = ("GET", "HEAD", "OPTIONS")
# What a script on another site may send and read (conditional requests, language).
ALLOWED_HEADERS = "Accept, Accept-Language, If-None-Match, If-Modified-Since"
EXPOSED_HEADERS = "ETag, Last-Modified, Link, Content-Disposition"
PREFLIGHT_MAX_AGE = str(24 * 60 * 60)
# Compressed already: gzip would cost CPU and gain nothing.
COMPRESSED_TYPES = ("application/zip",)


def public(view: View) -> View:
    """Mark ``view`` as a public, read-only surface: CORS for everyone, and gzip."""
    view.public_surface = True  # type: ignore[attr-defined]
    return view


def is_public(request: HttpRequest) -> bool:
    match = url_match(request)
    return match is not None and bool(getattr(match.func, "public_surface", False))


def _allow_any_origin(response: HttpResponseBase) -> HttpResponseBase:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    return response


def _preflight() -> HttpResponse:
    response = HttpResponse(status=204)
    response.headers["Access-Control-Allow-Methods"] = ", ".join(READ_METHODS)
    response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
    response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
    response.headers["Allow"] = ", ".join(READ_METHODS)
    return response


class PublicSurfaceMiddleware:
    """CORS and gzip for views marked ``public``; every other URL passes untouched."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response
        self.gzip = GZipMiddleware(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.method not in READ_METHODS or not is_public(request):
            return self.get_response(request)
        if request.method == "OPTIONS" and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in request.META:
            return _allow_any_origin(_preflight())
        response = self.get_response(request)
        if not response.headers.get("Content-Type", "").startswith(COMPRESSED_TYPES):
            response = self.gzip.process_response(request, response)
        return _allow_any_origin(response)
