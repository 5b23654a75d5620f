"""Serving anonymised public media from Django (try-outs without a reverse proxy).

Production serves ``PUBLIC_MEDIA_URL`` from nginx or object storage with the same headers
(docker/nginx/tarina.conf.template). Either way a public file is only ever what the
pipeline wrote to the public store, and it is answered so that a browser cannot be talked
into running it: its type is not sniffed, it is rendered in a sandbox with no scripts or
requests of its own, and it is named as a file. Originals are never reachable here: the
document root is the public store, and Django's ``serve`` refuses paths that leave it.
"""

from __future__ import annotations

import os
import posixpath
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils._os import safe_join
from django.utils.cache import get_conditional_response
from django.utils.http import content_disposition_header
from django.views.static import serve

# No scripts, styles, frames or requests of any kind; a unique origin if opened directly.
PUBLIC_MEDIA_CSP = "default-src 'none'; sandbox"
# A withdrawn voice must not live on in browsers and CDNs: kept a minute at most, then
# asked for again (ETag / Last-Modified make that a cheap 304 while the file exists, and a
# 404 once withdrawal deleted it). The same value goes to nginx and S3 (docs/deployment.md).
PUBLIC_MEDIA_CACHE = "public, max-age=60, must-revalidate"


def public_media_headers(response: HttpResponseBase, name: str) -> HttpResponseBase:
    """Headers every public media answer carries, whoever serves it."""
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=False, filename=PurePosixPath(name).name)
        or "inline"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = PUBLIC_MEDIA_CSP
    response["Cache-Control"] = PUBLIC_MEDIA_CACHE
    return response


def serve_public(request: HttpRequest, path: str) -> HttpResponseBase:
    """One file from the public store, with ``public_media_headers`` and an ``ETag``."""
    root = str(settings.MEDIA_ROOT / "public")
    # As serve() reads the path; safe_join refuses one that leaves the root (a 400).
    full = safe_join(root, posixpath.normpath(path).lstrip("/"))
    tag = file_etag(full) if os.path.isfile(full) else None
    # If-None-Match: a 304 when the file is unchanged (the same rule nginx follows), before
    # the file is opened at all.
    not_modified = get_conditional_response(request, etag=tag) if tag else None
    # serve() 404s a missing file and answers If-Modified-Since itself.
    answer: HttpResponseBase = not_modified or serve(request, path, document_root=root)
    if tag and answer.status_code in (200, 304):
        answer["ETag"] = tag
    return public_media_headers(answer, path)


def file_etag(path: str) -> str:
    """An entity tag from a file's modification time and size, as nginx writes it."""
    stat = os.stat(path)
    return f'"{int(stat.st_mtime):x}-{stat.st_size:x}"'


def public_media_route() -> str:
    """The path part of ``PUBLIC_MEDIA_URL``, without slashes: also for a separate origin.

    With ``TARINA_PUBLIC_MEDIA_URL=https://media.example.org/public/`` links point at that
    host; if it is proxied to this app, the files are found under the same path.
    """
    return urlsplit(settings.PUBLIC_MEDIA_URL).path.strip("/")
