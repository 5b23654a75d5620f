"""A full disk: recognising it, keeping room for a withdrawal, and warning before it comes.

* ``is_full`` tells ENOSPC (and a quota hit, and SQLite's "database or disk is full") from
  other errors, anywhere in an exception's chain, so callers can answer 507 or retry.
* A reserve file in ``VAR_DIR`` (``TARINA_DISK_RESERVE_BYTES``) holds back room that only
  ``with_reserve`` gives up: a withdrawal that hits a full disk (SQLite needs space for its
  journal even to delete) releases it and tries again. The next health check remakes it.
* ``check_free_space`` is the health check: low before it is out.
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.db import OperationalError

logger = logging.getLogger(__name__)

FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
RESERVE_NAME = "disk-reserve"
T = TypeVar("T")


class StorageFull(OSError):
    """A write found no room; transient: the worker retries it later with backoff."""

    def __init__(self, message: str = "No space left on the storage.") -> None:
        super().__init__(errno.ENOSPC, message)


def is_full(error: BaseException | None) -> bool:
    """Whether ``error``, or an exception that caused it, means "no space left"."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, OSError) and error.errno in FULL_ERRNOS:
            return True
        if isinstance(error, OperationalError) and "disk is full" in str(error):
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


def reserve_path() -> Path:
    return Path(settings.VAR_DIR) / RESERVE_NAME


def ensure_reserve() -> bool:
    """Create the reserve file if it is missing (and there is room); whether it is there."""
    path, size = reserve_path(), settings.TARINA_DISK_RESERVE_BYTES
    if size <= 0 or (path.exists() and path.stat().st_size >= size):
        return size <= 0 or path.exists()
    try:
        with path.open("wb") as handle:
            # Real blocks, not a sparse file: the point is to hold them.
            os.posix_fallocate(handle.fileno(), 0, size)
    except OSError:
        path.unlink(missing_ok=True)
        return False
    return True


def release_reserve() -> bool:
    """Give the reserve's space back to the disk; whether there was one."""
    try:
        reserve_path().unlink()
    except FileNotFoundError:
        return False
    logger.warning("disk full: released the %s reserve", reserve_path())
    return True


def with_reserve(action: Callable[[], T]) -> T:
    """Run ``action``; if it fails for want of space, release the reserve and run it once more."""
    try:
        return action()
    except Exception as error:
        if not is_full(error) or not release_reserve():
            raise
    return action()


def free_bytes(path: Path) -> int:
    """Free bytes on the filesystem holding ``path`` (or its nearest existing parent)."""
    while not path.exists() and path != path.parent:
        path = path.parent
    return shutil.disk_usage(path).free
