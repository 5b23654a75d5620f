"""The embedded broker (``filesystem://``): kombu's filesystem transport, with messages that
appear whole.

Kombu writes a message in place: it creates the file, then writes it. A worker that lists
the folder in between takes the empty file, cannot decode it, and Celery stops the worker
("Unrecoverable error: JSONDecodeError"; seen in CI, where many processes share two cores).
Here a message is written under a name no queue reads and then renamed, which is atomic
within one folder, so a reader finds either nothing or the whole message.

:func:`register` makes it what ``filesystem://`` means in this process (the Celery app
calls it on import), so every connection to that URL uses it and none to another broker.
"""

from __future__ import annotations

import os
import uuid
from time import monotonic
from typing import Any

from kombu import transport
from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.json import dumps

# A queue reads files named ``<time>_<uuid>.<queue>.msg``; this suffix hides a file until
# it is complete.
PARTIAL = ".partial"


class Channel(filesystem.Channel):
    """Kombu's filesystem channel; only putting a message differs."""

    # Kombu's filesystem channel's own signature, which its abstract base types otherwise.
    def _put(self, queue: str, payload: dict[str, Any], **kwargs: Any) -> None:  # type: ignore[override]
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        try:
            with open(final + PARTIAL, "wb") as partial:
                partial.write(dumps(payload).encode())
            os.replace(final + PARTIAL, final)
        except OSError as error:
            raise ChannelError(f"Cannot add file {final!r} to directory") from error


class FilesystemTransport(filesystem.Transport):
    """``filesystem://`` with :class:`Channel`."""

    Channel = Channel


def register() -> None:
    """Make ``filesystem://`` URLs use :class:`FilesystemTransport` in this process."""
    transport.TRANSPORT_ALIASES["filesystem"] = f"{__name__}:FilesystemTransport"
    # A class resolved before is cached by name: it must be resolved again.
    transport._transport_cache.pop("filesystem", None)  # type: ignore[attr-defined]
