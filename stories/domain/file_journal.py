"""The write-ahead journal of stored files: no file without an intent or an owning row.

A pipeline step that writes files into a storage does it in three moves:

1. ``write`` records a ``StoredFileIntent`` and commits it in its own (durable)
   transaction, and only then puts the bytes into the storage;
2. the step saves the rows that point at the files and calls ``settle`` in the same
   transaction, which removes the intents: the rows now own the files;
3. if that transaction fails (the story was erased meanwhile, the database went away),
   ``abandon`` deletes the files and their intents at once.

A crash between 1 and 3 leaves an intent behind; the reconciler
(``stories.domain.media_reconciler``) deletes the file it names once it is stale.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from django.core.files import File
from django.core.files.storage import storages
from django.db import transaction

from stories.models import StoredFileIntent

logger = logging.getLogger(__name__)


def write(storage: str, name: str, story_id: int, source: Path) -> str:
    """Journal, then store the local file ``source`` as ``name``; returns the stored name.

    ``name`` must be unique (the callers' names carry a uuid or a content hash), so the
    storage keeps it as given and the intent names the very file written.
    """
    # durable: the intent must be committed before the bytes land, never folded into a
    # caller's transaction that could roll it back and leave the file unrecorded.
    with transaction.atomic(durable=True):
        StoredFileIntent.objects.get_or_create(storage=storage, name=name, story_id=story_id)
    try:
        with source.open("rb") as handle:
            stored = storages[storage].save(name, File(handle))
    except BaseException:
        # A full disk or a cut connection may leave part of the file: remove it now.
        abandon(storage, [name])
        raise
    if stored != name:  # the storage renamed it: journal the real name too
        with transaction.atomic(durable=True):
            StoredFileIntent.objects.get_or_create(storage=storage, name=stored, story_id=story_id)
    return stored


def settle(storage: str, names: Iterable[str]) -> None:
    """The files now have owning rows: drop their intents (call in the rows' transaction)."""
    StoredFileIntent.objects.filter(storage=storage, name__in=list(names)).delete()


def abandon(storage: str, names: Iterable[str]) -> None:
    """Delete files whose owning rows were never committed, and their intents.

    Best effort: whatever fails here (the database away too) stays journaled, and the
    reconciler finishes the job.
    """
    names = list(names)
    for name in names:
        try:
            storages[storage].delete(name)
        except Exception:
            logger.warning("could not delete abandoned file %s:%s", storage, name, exc_info=True)
            return
    try:
        StoredFileIntent.objects.filter(storage=storage, name__in=names).delete()
    except Exception:
        logger.warning("could not clear %d intents in %s", len(names), storage, exc_info=True)
