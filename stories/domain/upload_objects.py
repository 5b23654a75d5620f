"""Resumable uploads in object storage (``TARINA_STORAGE=s3``): a piece per chunk, then joined.

Web processes share no disk, so no part of an upload may live in one of them. Each PATCH
body that is accepted becomes an object of its own, ``uploads/<hex>.parts/<offset>-<random>``;
the upload's row lists the pieces that count (``Upload.parts``) and is advanced together
with the offset by one conditional UPDATE (``stories.domain.uploads``). The random suffix
keeps two racing PATCHes at one offset from overwriting each other's piece: only the one
whose UPDATE wins is listed, the other deletes its own. When the last byte is in, the
pieces are read once, in order: hashed, and written as the one object ``uploads/<hex>``.

Why not S3 multipart upload parts: every part but the last must be at least 5 MiB, and the
reporter page sends 1 MiB chunks, so the chunks would have to be buffered somewhere every
web process can reach anyway. Pieces need nothing but PUT, GET, DELETE and LIST, so the
same code also works with any other Django storage that has no local paths.
"""

from __future__ import annotations

import hashlib
import io
import secrets
from collections.abc import Iterator, Sequence
from contextlib import suppress
from datetime import datetime
from typing import IO, Any, cast

from django.core.files import File
from django.core.files.storage import Storage
from django.utils import timezone

PIECES_SUFFIX = ".parts"


def is_remote(storage: Storage) -> bool:
    """Whether ``storage`` has no local paths (object storage): uploads then go in pieces."""
    try:
        storage.path("")
    except NotImplementedError:
        return True
    return False


def put_piece(storage: Storage, path: str, offset: int, spool: IO[bytes]) -> str:
    """Store one received chunk (``spool``, rewound) as a new object; its stored name."""
    spool.seek(0)
    name = f"{path}{PIECES_SUFFIX}/{offset:016d}-{secrets.token_hex(8)}"
    return storage.save(name, File(spool, name=name))


class _Joined(io.RawIOBase):
    """The pieces read one after another as a single file, hashed on the way."""

    def __init__(self, storage: Storage, names: Sequence[str]) -> None:
        super().__init__()
        self.hasher = hashlib.sha256()
        self._pieces = _read_all(storage, names)
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        size = -1 if size is None else size
        while size < 0 or len(self._buffer) < size:
            data = next(self._pieces, None)
            if data is None:
                break
            self._buffer += data
        cut = len(self._buffer) if size < 0 else size
        data, self._buffer = self._buffer[:cut], self._buffer[cut:]
        self.hasher.update(data)
        return data


def _read_all(storage: Storage, names: Sequence[str], block: int = 1024 * 1024) -> Iterator[bytes]:
    for name in names:
        with storage.open(name, "rb") as piece:
            while data := piece.read(block):
                yield data


def join(storage: Storage, path: str, pieces: Sequence[Sequence[Any]]) -> str:
    """Write the listed pieces, in order, as the object ``path``; its sha256 hex digest.

    The pieces stay until the caller removes them, so a join cut short is simply redone.
    """
    joined = _Joined(storage, [str(name) for name, _size in pieces])
    storage.delete(path)  # a join that was cut short may have left a partial object
    # File only needs read(); the cast tells the type checker so.
    saved = storage.save(path, File(cast(IO[bytes], joined), name=path))
    if saved != path:
        raise RuntimeError(f"storage stored {path} as {saved}")
    return joined.hasher.hexdigest()


def remove_pieces(storage: Storage, path: str) -> None:
    """Delete every piece of the upload at ``path``, listed or not (a loser's, a crash's)."""
    folder = f"{path}{PIECES_SUFFIX}"
    for name in _files(storage, folder):
        storage.delete(f"{folder}/{name}")


def _files(storage: Storage, folder: str) -> list[str]:
    """The files in ``folder``; none when it does not exist (a local folder must)."""
    with suppress(FileNotFoundError):
        return list(storage.listdir(folder)[1])
    return []


def remove(storage: Storage, path: str) -> None:
    """Delete an upload's joined object and all its pieces."""
    remove_pieces(storage, path)
    storage.delete(path)


def strays(storage: Storage, folder: str, known: set[str], cutoff: datetime) -> list[str]:
    """Upload paths under ``folder`` that no row knows of and that were last written before
    ``cutoff``: a joined object, or a folder of pieces, left by a process that died."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return []
    names = set(files) | {
        name.removesuffix(PIECES_SUFFIX) for name in folders if name.endswith(PIECES_SUFFIX)
    }
    return [
        f"{folder}/{name}"
        for name in sorted(names - known)
        if _last_written(storage, f"{folder}/{name}") < cutoff
    ]


def _last_written(storage: Storage, path: str) -> datetime:
    """When the joined object, or else the newest piece, of ``path`` was written."""
    if storage.exists(path):
        return storage.get_modified_time(path)
    folder = f"{path}{PIECES_SUFFIX}"
    times = [storage.get_modified_time(f"{folder}/{name}") for name in _files(storage, folder)]
    # Gone meanwhile (removed by another sweep): nothing to do, call it new.
    return max(times, default=timezone.now())


def move(storage: Storage, source: str, target: str) -> None:
    """Move a stored object: a copy inside the bucket for S3 (no bytes through this
    process, up to 5 TB), streamed through for other storages; then the source goes."""
    bucket = getattr(storage, "bucket", None)
    if bucket is None:
        with storage.open(source, "rb") as handle:
            storage.save(target, handle)
    else:
        copy = {"Bucket": bucket.name, "Key": _key(storage, source)}
        bucket.Object(_key(storage, target)).copy(copy)
    storage.delete(source)


def _key(storage: Any, name: str) -> str:
    """The bucket key django-storages uses for ``name`` (its location prefix added)."""
    return str(storage._normalize_name(name))


class RangedReader(io.RawIOBase):
    """Reads an object by ranged GETs, so that sniffing the start of a 500 MB upload
    fetches a few kB and not the whole file (django-storages' S3File downloads it all)."""

    def __init__(self, storage: Storage, name: str, size: int) -> None:
        super().__init__()
        self._object = storage.bucket.Object(_key(storage, name))  # type: ignore[attr-defined]
        self._size = size
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, position: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._position, 2: self._size}[whence]
        self._position = max(0, base + position)
        return self._position

    def tell(self) -> int:
        return self._position

    def read(self, size: int | None = -1) -> bytes:
        size = -1 if size is None else size
        end = self._size if size < 0 else min(self._size, self._position + size)
        if end <= self._position:
            return b""
        answer = self._object.get(Range=f"bytes={self._position}-{end - 1}")
        data = bytes(answer["Body"].read())
        self._position += len(data)
        return data


def opening(storage: Storage, name: str, size: int) -> IO[bytes]:
    """A readable, seekable view of a stored upload for sniffing its first bytes."""
    if getattr(storage, "bucket", None) is not None:
        # Sniffing needs only read, seek and tell; the cast tells the type checker so.
        return cast(IO[bytes], RangedReader(storage, name, size))
    return storage.open(name, "rb")
