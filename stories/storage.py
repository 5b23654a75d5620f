"""Storage: private media with no URL at all, moving stored files to local paths, and
answering for a private file.

Private files reach curators only through views that check permissions; ``serve_private``
is how those views answer.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from django.core.files import File
from django.core.files.storage import FileSystemStorage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase

RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")

logger = logging.getLogger(__name__)


class PrivateFileSystemStorage(FileSystemStorage):
    """Local files that can never be linked to: ``url()`` refuses.

    Originals reach curators only through views that check permissions, so a
    misconfigured web server or a template cannot leak them by URL.
    """

    def url(self, name: str | None) -> str:
        raise ValueError("Private media is not accessible via a URL.")


@contextmanager
def local_path(field: FieldFile) -> Iterator[Path]:
    """A local path to a stored file: the file itself on disk, or a temporary copy (S3).

    PyAV and Pillow need a path; remote storages get a copy that is deleted on exit.
    """
    try:
        yield Path(field.path)
        return
    except NotImplementedError:
        pass  # remote storage: copy it down
    suffix = Path(field.name or "").suffix
    with tempfile.NamedTemporaryFile(suffix=suffix) as copy:
        with field.open("rb") as source:
            shutil.copyfileobj(source, copy, length=1024 * 1024)
        copy.flush()
        yield Path(copy.name)


def store(field: FieldFile, path: Path, name: str) -> None:
    """Save the local file ``path`` into ``field``'s storage under a generated name."""
    with path.open("rb") as handle:
        field.save(name, File(handle), save=False)


def serve_private(field: FieldFile, content_type: str, range_header: str = "") -> HttpResponseBase:
    """A private file as a response no one caches or sniffs, shown inline.

    Files on local disk answer a single byte range (``Range: bytes=a-b``) so that a media
    player can seek; files in object storage are streamed through whole. A file missing
    from storage raises ``Http404``.
    """
    path = _local_path(field)
    if path is None:
        try:
            opened = field.open("rb")
        except FileNotFoundError:
            # The row outlived its file (a disk restored from an older backup, say): the
            # reader gets a 404 and the operator a warning, not a server error.
            logger.warning("private file %s is missing from storage", field.name)
            raise Http404("This file is missing.") from None
        response: HttpResponseBase = FileResponse(opened, content_type=content_type)
    else:
        response = _ranged(path, content_type, range_header)
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _local_path(field: FieldFile) -> str | None:
    try:
        path = field.storage.path(field.name or "")
    except NotImplementedError:  # object storage has no paths
        return None
    return path if path and os.path.exists(path) else None


def byte_range(header: str, size: int) -> tuple[int, int] | None:
    """The first and last byte ``header`` asks for, clipped to ``size``; None for the whole file.

    Raises ``ValueError`` for a range that starts past the end (answered 416).
    """
    match = RANGE.match(header)
    if not match or not (match.group(1) or match.group(2)):
        return None
    first, last = match.group(1), match.group(2)
    if first:
        start, end = int(first), int(last) if last else size - 1
    else:  # "bytes=-n": the last n bytes
        start, end = max(size - int(last), 0), size - 1
    end = min(end, size - 1)
    if start > end or start >= size:
        raise ValueError(f"bytes {start}-{end} are not in a file of {size}")
    return start, end


def _ranged(path: str, content_type: str, header: str) -> HttpResponseBase:
    size = os.path.getsize(path)
    try:
        wanted = byte_range(header, size)
    except ValueError:
        refused = HttpResponse(status=416)
        refused["Content-Range"] = f"bytes */{size}"
        return refused
    response: HttpResponseBase
    if wanted is None:
        response = FileResponse(open(path, "rb"), content_type=content_type)  # noqa: SIM115
    else:
        start, end = wanted
        handle = open(path, "rb")  # noqa: SIM115 - closed by the streaming response
        handle.seek(start)
        response = StreamingHttpResponse(
            _read(handle, end - start + 1), status=206, content_type=content_type
        )
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    return response


def _read(handle: BinaryIO, count: int, block: int = 64 * 1024) -> Iterator[bytes]:
    """``count`` bytes from ``handle`` in blocks, closing it at the end or when abandoned."""
    try:
        while count > 0:
            chunk = handle.read(min(block, count))
            if not chunk:
                break
            count -= len(chunk)
            yield chunk
    finally:
        handle.close()
