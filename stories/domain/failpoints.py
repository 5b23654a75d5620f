"""Failpoints: stop a worker at a named pipeline step, for the fault-injection tests.

Inert unless the environment variable ``TARINA_FAILPOINT`` names a step, as
``STEP:ACTION`` (read at each step, so only the worker started with it is affected):

- ``pause``: the step waits ``TARINA_FAILPOINT_SECONDS`` (default 5) before its work, so
  a test can act (withdraw the story) while the worker is inside the step;
- ``kill``: the worker's main process and its pool child are SIGKILLed at the start of
  the step, as by the OOM killer;
- ``enospc``: every write to file storage during the step fails with "No space left on
  device".

Steps: ``validate``, ``normalise``, ``transcribe``, ``themes``, ``personal_data`` (the
names ``workflow.step`` records) and ``publish``. With the variable unset, ``at`` is an
empty context manager: production behaviour is unchanged.
"""

from __future__ import annotations

import errno
import logging
import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from billiard.process import current_process
from django.core.files.storage import FileSystemStorage

logger = logging.getLogger(__name__)

VARIABLE = "TARINA_FAILPOINT"
PAUSE, KILL, ENOSPC = "pause", "kill", "enospc"
ACTIONS = (PAUSE, KILL, ENOSPC)


def armed(step: str) -> str | None:
    """The action set for ``step``, or None (the usual case)."""
    name, _, action = os.environ.get(VARIABLE, "").partition(":")
    return action if name == step and action in ACTIONS else None


@contextmanager
def at(step: str) -> Iterator[None]:
    """Wrap the work of ``step``; does nothing unless ``TARINA_FAILPOINT`` names it."""
    action = armed(step)
    if action is None:
        yield
        return
    logger.warning("failpoint %s:%s reached", step, action)
    if action == PAUSE:
        time.sleep(float(os.environ.get("TARINA_FAILPOINT_SECONDS", "5")))
    elif action == KILL:
        _kill_worker()
    if action == ENOSPC:
        with disk_full():
            yield
        return
    yield


def _kill_worker() -> None:
    # The main process first (it is what a crash takes down); in a prefork pool child the
    # parent is the worker, elsewhere (a solo worker, a test process) only this process goes.
    if current_process().name.startswith("ForkPoolWorker"):
        os.kill(os.getppid(), signal.SIGKILL)
    os.kill(os.getpid(), signal.SIGKILL)


@contextmanager
def disk_full() -> Iterator[None]:
    """Make every file-storage write in this process fail with ENOSPC, for the block."""
    original = getattr(FileSystemStorage, "_save")  # noqa: B009 (private, untyped)

    def refuse(storage: FileSystemStorage, name: str, content: Any) -> str:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), name)

    setattr(FileSystemStorage, "_save", refuse)  # noqa: B010 (mypy: no method assignment)
    try:
        yield
    finally:
        setattr(FileSystemStorage, "_save", original)  # noqa: B010
