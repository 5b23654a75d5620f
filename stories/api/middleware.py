"""Refuse NUL bytes in API URLs before any view turns them into a database lookup.

PostgreSQL text cannot hold NUL, so a lookup such as ``/api/v1/drives/%00/`` or
``?drive=%00`` fails inside the database driver: a 500 on PostgreSQL, a harmless miss on
SQLite. No legitimate request has NUL in its path or query, so the API answers 400 at the
door, in the same JSON shape as every other refusal.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote

from django.http import HttpRequest, HttpResponse, JsonResponse

API_PREFIX = "/api/"


def has_nul(request: HttpRequest) -> bool:
    """True when the path or the query string carries a NUL byte, raw or percent-encoded."""
    query = str(request.META.get("QUERY_STRING", ""))
    return "\x00" in request.path or "\x00" in unquote(query)


class RefuseNulInApiUrls:
    """Answer 400 to an API request whose URL carries NUL."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PREFIX) and has_nul(request):
            return JsonResponse({"detail": "The URL contains a NUL character."}, status=400)
        return self.get_response(request)
