"""The view a request's URL leads to, resolved once for the middleware that decide by it.

The public surface (CORS, gzip) and the public cache both ask which view a URL leads to
before Django's own resolving, and a kept page must cost as little as possible: the
match is kept on the request (``request.resolver_match``, where Django puts it too).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import Resolver404, ResolverMatch, resolve


def url_match(request: HttpRequest) -> ResolverMatch | None:
    """The match of ``request``'s path, or None when no URL matches (a 404)."""
    match: ResolverMatch | None = getattr(request, "resolver_match", None)
    if match is None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        request.resolver_match = match
    return match
