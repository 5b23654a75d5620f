"""Anonymous GETs of public pages answered from memory while nothing public has changed.

The feed's first page, a theme's feed or a story's page are asked for far more often than
they change, and building one costs 3-10 ms of Python; a kept answer costs a fraction of
a millisecond. Each web process keeps answers in its own memory (bounded, a short
lifetime), keyed by ``publicity.generation()``, which lives in the shared cache and moves
on with every change to what the public sees: a withdrawn story is never served from here
once its withdrawal is committed.

Only where the default cache is shared by every process (``TARINA_CACHE_URL``, i.e.
Redis): otherwise a change made in a worker would not reach the web processes.
``TARINA_PUBLIC_CACHE_SECONDS`` overrides the lifetime (0 turns it off). Search results
(``q``) are kept apart, in a smaller memory of their own: a popular search (a link on a
service's page) is asked again and again, while a stream of one-off searches must not
push the feeds out.

Answers carry an ``ETag`` and ``Cache-Control: public, no-cache``: browsers and proxies
may keep them but must ask again each time, and are answered 304 when nothing changed.

Two parts: views are marked as keepable (``cached``), and ``PublicCacheMiddleware``,
near the top of the middleware stack, keeps the finished answer to a marked view, headers
from the inner middleware included, and answers the next reader before sessions, locale,
CSRF, authentication and the view run at all. Other URLs (pages, static files, probes)
pass straight through and never touch the shared cache here. Under load that is most of
the work a kept page would still cost (bench/api_load.py).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import get_conditional_response, patch_cache_control, set_response_etag
from django.utils.http import parse_http_date_safe

from stories.api.url_match import url_match
from stories.domain import publicity

logger = logging.getLogger(__name__)

MAX_BYTES = 512 * 1024  # one answer
BUDGET_BYTES = 32 * 1024 * 1024  # all of a process's answers together
SEARCH_BUDGET_BYTES = 8 * 1024 * 1024  # its search answers, kept apart
KEPT_TYPES = (
    "text/html",
    "application/json",
    "application/feed+json",
    "application/atom+xml",
    "application/rss+xml",
)

# Status, body, headers.
Answer = tuple[int, bytes, list[tuple[str, str]]]


class Answers:
    """Kept answers of one process: least recently used go first once they take more
    than ``budget`` bytes together, and each expires after its own lifetime.

    A byte budget, not a count: a crawler asking for every cursor page of 100 stories
    must not grow a web process by hundreds of megabytes.
    """

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.size = 0
        self._items: OrderedDict[str, tuple[float, int, Answer]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Answer | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            expires, _, answer = item
            if expires <= time.monotonic():
                self._drop(key)
                return None
            self._items.move_to_end(key)
            return answer

    def set(self, key: str, answer: Answer, seconds: float) -> None:
        size = len(answer[1]) + sum(len(name) + len(value) for name, value in answer[2])
        if size > self.budget:
            return
        with self._lock:
            if key in self._items:
                self._drop(key)
            self._items[key] = (time.monotonic() + seconds, size, answer)
            self.size += size
            while self.size > self.budget:
                self._drop(next(iter(self._items)))

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.size = 0

    def _drop(self, key: str) -> None:
        _, size, _ = self._items.pop(key)
        self.size -= size


# One per process: answers never leave the process, so the shared cache only holds the
# generation (no risk of filling the Redis that also carries the task queue).
_answers = Answers(BUDGET_BYTES)
_searches = Answers(SEARCH_BUDGET_BYTES)


def _store(request: HttpRequest) -> Answers:
    return _searches if "q" in request.GET or "meaning" in request.GET else _answers


View = Callable[..., HttpResponseBase]
Handler = Callable[[HttpRequest], HttpResponseBase]


def _keepable_request(request: HttpRequest) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and "HTTP_AUTHORIZATION" not in request.META
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and publicity.answer_lifetime() > 0
    )


def _key(request: HttpRequest, generation: str) -> str:
    parts = [
        generation,
        request.is_secure(),
        request.get_host(),
        request.path,
        sorted(request.GET.lists()),
        # What the answer is made for: its format and the reader's language.
        request.META.get("HTTP_ACCEPT", ""),
        request.META.get("HTTP_ACCEPT_LANGUAGE", ""),
        request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, ""),
    ]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def _keepable_response(response: HttpResponseBase) -> bool:
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip()
    return (
        response.status_code == 200
        and isinstance(response, HttpResponse)
        and not response.cookies
        and content_type in KEPT_TYPES
        and len(response.content) <= MAX_BYTES
        # A page whose scripts carry this request's nonce must not be shown to another
        # reader with the same nonce.
        and "'nonce-" not in response.headers.get("Content-Security-Policy", "")
    )


def _conditional(request: HttpRequest, response: HttpResponse) -> HttpResponseBase:
    """``response``, or 304 Not Modified when the reader already has it."""
    last_modified = response.headers.get("Last-Modified")
    answer = get_conditional_response(
        request,
        etag=response.headers.get("ETag"),
        last_modified=parse_http_date_safe(last_modified) if last_modified else None,
        response=response,
    )
    return answer if answer is not None else response


def cached(view: View) -> View:
    """Mark ``view``: its answers to anonymous GETs are the same for every reader, so
    ``PublicCacheMiddleware`` may keep them while nothing public changes."""
    view.public_cache = True  # type: ignore[attr-defined]
    return view


class PublicCacheMiddleware:
    """Answer anonymous GETs of views marked ``cached`` from this process's memory."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        key = _key_for(request)
        if key is None:
            return self.get_response(request)
        store = _store(request)
        kept = store.get(key)
        if kept is not None:
            status, content, headers = kept
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response.headers[name] = value
            return _conditional(request, response)
        answer = self.get_response(request)
        if not _keepable_response(answer):
            return answer
        assert isinstance(answer, HttpResponse)
        if not answer.has_header("ETag"):
            set_response_etag(answer)
        patch_cache_control(answer, public=True, no_cache=True)
        kept = (answer.status_code, answer.content, list(answer.headers.items()))
        store.set(key, kept, publicity.answer_lifetime())
        return _conditional(request, answer)


def _marked_view(request: HttpRequest) -> bool:
    """Whether the URL leads to a view marked ``cached``; the match stays on the request,
    so a kept answer is still counted under its route in the request metrics."""
    match = url_match(request)
    return match is not None and bool(getattr(match.func, "public_cache", False))


def _key_for(request: HttpRequest) -> str | None:
    """The key a kept answer to ``request`` lives under, or None when none may be kept."""
    if not _keepable_request(request) or not _marked_view(request):
        return None
    try:
        # Read before the view reads the database: an answer is never newer than the
        # generation it is kept under.
        return _key(request, publicity.generation())
    except Exception:  # the shared cache is away: answer without keeping
        logger.warning("public cache unavailable", exc_info=True)
        return None
