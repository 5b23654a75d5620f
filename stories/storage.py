"""Storage: private media with no URL at all, and moving stored files to local paths."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.files import File
from django.core.files.storage import FileSystemStorage
from django.db.models.fields.files import FieldFile


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
