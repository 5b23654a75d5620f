"""Resumable uploads (tus 1.0.0): create, append, finish, terminate, expire, attach to a story.

The bytes go straight to a file in the private default storage; the database holds only
how many of them are safely on disk (``offset``). Rules that keep the two consistent:

* One writer per upload: an append holds an exclusive ``flock`` on the file for as long
  as it streams. A second append arriving meanwhile is refused at once (``UploadBusy``).
* The offset is read again once the lock is held, and advanced by a conditional
  ``UPDATE ... WHERE offset = <start>`` only after the bytes are flushed and fsynced.
  A writer that dies mid-body leaves either the old offset or one covering exactly the
  bytes it synced; anything past the recorded offset is truncated by the next append.
* A chunk with an ``Upload-Checksum`` is all or nothing: on a mismatch (or a cut) the
  file is truncated back and the offset stays where it was.

With object storage (``TARINA_STORAGE=s3``) there is no file to lock or append to: each
chunk is spooled locally, stored as a piece, and counted by the same conditional UPDATE;
``stories.domain.upload_objects`` keeps the pieces and joins them at the end.

See docs/uploads.md for the HTTP side and the ownership rules.
"""

from __future__ import annotations

import base64
import binascii
import fcntl
import hashlib
import hmac
import io
import logging
import os
import secrets
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from pathlib import PurePath
from typing import IO, Any, Protocol
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from stories import media_checks
from stories.domain import diskspace, upload_objects
from stories.domain.roles import AnyUser
from stories.enums import AssetRole
from stories.models import MediaAsset, Story, Upload
from stories.models.story import asset_upload_path

logger = logging.getLogger(__name__)

TUS_VERSION = "1.0.0"
EXTENSIONS = ("creation", "creation-with-upload", "termination", "checksum", "expiration")
CHECKSUM_ALGORITHMS = ("sha1", "sha256")
UPLOAD_DIR = "uploads"
_MAX_METADATA_KEYS = 32


class UploadError(Exception):
    """Base of what can go wrong with an upload request; the API maps each to a status."""


class BadRequest(UploadError):
    """Malformed headers: metadata, checksum, offset."""


class TooLarge(UploadError):
    """More bytes than the limit or than the declared Upload-Length."""


class UploadGone(UploadError):
    """The upload was terminated or removed while the request ran."""


class OffsetMismatch(UploadError):
    """The client's Upload-Offset is not where the upload stands (or another write is on)."""

    def __init__(self, current: int, message: str = "") -> None:
        self.current = current
        super().__init__(
            message or gettext("The upload stands at offset %(offset)s.") % {"offset": current}
        )


class UploadBusy(OffsetMismatch):
    """Another request is appending to this upload right now."""


class ChecksumMismatch(UploadError):
    """The chunk's bytes do not match its Upload-Checksum; they were discarded."""


class BodyInterrupted(UploadError):
    """The request body ended before its Content-Length (the client went away)."""

    def __init__(self, offset: int) -> None:
        self.offset = offset
        super().__init__(
            gettext("The body ended early; the upload stands at offset %(offset)s.")
            % {"offset": offset}
        )


class NoSpace(UploadError):
    """The storage is full: nothing of the chunk was kept, the offset stands where it was."""

    def __init__(self, offset: int) -> None:
        self.offset = offset
        super().__init__(
            gettext(
                "The server has no room for this upload right now. Nothing was lost: "
                "resume from offset %(offset)s later."
            )
            % {"offset": offset}
        )


class Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


@dataclass(frozen=True)
class Checksum:
    algorithm: str
    digest: bytes


def storage() -> Storage:
    return default_storage


def expiry_from(now: datetime) -> datetime:
    return now + timedelta(seconds=settings.TARINA_UPLOAD_EXPIRY_SECONDS)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- Headers ------------------------------------------------------------------------


def parse_metadata(header: str | None) -> dict[str, str]:
    """Upload-Metadata: ``key base64value`` pairs separated by commas; the value may be absent.

    Keys are ASCII without spaces or commas and unique; values must be valid base64 of
    UTF-8 text. Anything else is a ``BadRequest``.
    """
    if not header or not header.strip():
        return {}
    if len(header) > settings.TARINA_UPLOAD_MAX_METADATA_BYTES:
        raise BadRequest(gettext("Upload-Metadata is too long."))
    metadata: dict[str, str] = {}
    for pair in header.split(","):
        parts = pair.strip().split(" ")
        if not parts[0] or len(parts) > 2 or not parts[0].isascii():
            raise BadRequest(
                gettext("Upload-Metadata must be 'key base64value' pairs, comma-separated.")
            )
        key = parts[0]
        if key in metadata:
            raise BadRequest(gettext("Upload-Metadata names '%(key)s' twice.") % {"key": key})
        value = ""
        if len(parts) == 2:
            value = _metadata_value(key, parts[1])
        if "\x00" in key or "\x00" in value:
            # Stored as JSON in the database, where PostgreSQL refuses NUL (a 500 before).
            raise BadRequest(gettext("Upload-Metadata may not contain NUL characters."))
        metadata[key] = value
        if len(metadata) > _MAX_METADATA_KEYS:
            raise BadRequest(gettext("Upload-Metadata has too many keys."))
    return metadata


def _metadata_value(key: str, encoded: str) -> str:
    """One Upload-Metadata value: base64 of UTF-8 text; the refusal says which it is not."""
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise BadRequest(
            gettext("Upload-Metadata value of '%(key)s' is not valid base64.") % {"key": key}
        ) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest(
            gettext(
                "Upload-Metadata value of '%(key)s' is base64 of bytes that are not UTF-8 "
                "text: encode the text as UTF-8 before base64."
            )
            % {"key": key}
        ) from None


def encode_metadata(metadata: Mapping[str, str]) -> str:
    return ",".join(
        f"{key} {base64.b64encode(value.encode()).decode()}" if value else key
        for key, value in metadata.items()
    )


def parse_checksum(header: str | None) -> Checksum | None:
    """Upload-Checksum: ``<algorithm> <base64 digest>``; unsupported algorithms are refused."""
    if header is None:
        return None
    parts = header.strip().split(" ")
    if len(parts) != 2:
        raise BadRequest(gettext("Upload-Checksum must be '<algorithm> <base64 digest>'."))
    algorithm = parts[0].lower()
    if algorithm not in CHECKSUM_ALGORITHMS:
        raise BadRequest(
            gettext(
                "Checksum algorithm '%(algorithm)s' is not supported; use one of %(supported)s."
            )
            % {"algorithm": parts[0], "supported": ", ".join(CHECKSUM_ALGORITHMS)}
        )
    try:
        digest = base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        raise BadRequest(gettext("The Upload-Checksum digest is not base64.")) from None
    if len(digest) != hashlib.new(algorithm).digest_size:
        raise BadRequest(
            gettext("The Upload-Checksum digest has the wrong length for %(algorithm)s.")
            % {"algorithm": algorithm}
        )
    return Checksum(algorithm, digest)


# --- Lifecycle ----------------------------------------------------------------------


def create(
    *, length: int, metadata: Mapping[str, str], creator: AnyUser | None
) -> tuple[Upload, str | None]:
    """A new, empty upload and, for an anonymous creator, its secret token (shown once)."""
    if length > settings.TARINA_MAX_UPLOAD_BYTES:
        raise TooLarge(
            gettext("The file is larger than the limit of %(mb)s MB.")
            % {"mb": settings.TARINA_MAX_UPLOAD_BYTES // (1024 * 1024)}
        )
    owner = creator if creator is not None and creator.is_authenticated else None
    token = None if owner is not None else secrets.token_urlsafe(32)
    now = timezone.now()
    upload = Upload(
        owner=owner,
        token_hash=hash_token(token) if token else "",
        length=length,
        metadata=dict(metadata),
        expires_at=expiry_from(now),
    )
    upload.path = f"{UPLOAD_DIR}/{upload.pk.hex}"
    _create_file(upload.path, length)
    try:
        if length == 0:
            upload.sha256 = hashlib.sha256().hexdigest()
            upload.completed_at = now
        upload.save(force_insert=True)
    except BaseException:
        _remove_file(upload.path)
        raise
    return upload, token


def _create_file(path: str, length: int) -> None:
    """The upload's empty file. In object storage only an empty upload gets its (empty)
    object now; the others get theirs when their pieces are joined."""
    if upload_objects.is_remote(storage()):
        if length == 0:
            storage().save(path, File(io.BytesIO(), name=path))
        return
    target = storage().path(path)
    try:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "xb"):
            pass
    except OSError as error:
        if diskspace.is_full(error):
            _remove_file(path)
            raise NoSpace(0) from error
        raise


def tokens_from(header: str | None) -> list[str]:
    """The tokens in an Upload-Token header: several are comma-separated, as HTTP joins them."""
    return [token.strip() for token in (header or "").split(",") if token.strip()]


def find(upload_id: UUID | str, user: AnyUser | None, tokens: Sequence[str]) -> Upload | None:
    """The upload, if the asker may see it: its account owner, or a holder of its token.

    Everyone else gets None, exactly as if it did not exist.
    """
    try:
        upload = Upload.objects.filter(pk=upload_id).first()
    except ValidationError:  # not a UUID
        return None
    if upload is None:
        return None
    if upload.owner_id is not None:
        mine = user is not None and user.is_authenticated and user.pk == upload.owner_id
        return upload if mine else None
    hashes = [hash_token(token) for token in tokens if token]
    if any(hmac.compare_digest(upload.token_hash, digest) for digest in hashes):
        return upload
    return None


def is_expired(upload: Upload, now: datetime | None = None) -> bool:
    return upload.expires_at <= (now or timezone.now())


@contextmanager
def _exclusive(path: str) -> Iterator[io.BufferedRandom]:
    """The upload's file, open for writing, with an exclusive non-blocking flock.

    flock belongs to the open file description, so it also keeps apart two threads of
    one process. It goes when the file is closed or the process dies.
    """
    try:
        handle = open(path, "r+b")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        raise UploadGone(gettext("The upload was removed.")) from None
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UploadBusy(-1, gettext("Another request is writing to this upload.")) from None
        yield handle
    finally:
        handle.close()


def _sync(handle: IO[bytes]) -> None:
    handle.flush()
    if settings.TARINA_UPLOAD_FSYNC:
        os.fsync(handle.fileno())


def _copy(source: Readable, target: IO[bytes], count: int, hasher: Any | None) -> tuple[int, bool]:
    """Copy up to ``count`` bytes in fixed pieces; (bytes written, whether all arrived)."""
    piece = settings.TARINA_UPLOAD_READ_BYTES
    written = 0
    while written < count:
        try:
            data = source.read(min(piece, count - written))
        except OSError:  # Django's UnreadablePostError: the connection broke.
            logger.info("Upload body cut after %d of %d bytes", written, count)
            return written, False
        if not data:
            return written, False
        target.write(data)
        if hasher is not None:
            hasher.update(data)
        written += len(data)
    return written, True


def _copy_or_roll_back(
    source: Readable, target: io.BufferedRandom, offset: int, count: int, hasher: Any | None
) -> tuple[int, bool]:
    """``_copy``, but a full disk drops the whole chunk (``NoSpace``) instead of a 500.

    All or nothing, so the recorded offset stays true and the client resumes from it;
    truncating frees blocks and needs none, so it works on a full disk.
    """
    try:
        written, whole = _copy(source, target, count, hasher)
        _sync(target)
    except OSError as error:
        if not diskspace.is_full(error):
            raise
        with suppress(OSError):  # the buffer may still hold unwritable bytes
            target.truncate(offset)
        raise NoSpace(offset) from error
    return written, whole


def append(
    upload: Upload,
    *,
    offset: int,
    stream: Readable,
    count: int,
    checksum: Checksum | None = None,
) -> Upload:
    """Append ``count`` bytes read from ``stream`` at ``offset``; return the upload as it stands.

    Raises ``OffsetMismatch`` (or ``UploadBusy``) when ``offset`` is not the current
    offset, ``TooLarge`` past the declared length, ``ChecksumMismatch`` (chunk discarded)
    and ``BodyInterrupted`` when the body ends early (what arrived is kept, unless the
    chunk carried a checksum).
    """
    if offset != upload.offset:
        raise OffsetMismatch(upload.offset)
    if offset + count > upload.length:
        raise TooLarge(gettext("The chunk goes past the declared Upload-Length."))
    if upload_objects.is_remote(storage()):
        return _append_piece(upload, offset=offset, stream=stream, count=count, checksum=checksum)
    with _exclusive(storage().path(upload.path)) as handle:
        # Under the lock, the database's offset is the truth: a writer that finished
        # while this request waited for its body has moved it on.
        current = Upload.objects.filter(pk=upload.pk).values_list("offset", flat=True).first()
        if current is None:
            raise UploadGone(gettext("The upload was removed."))
        if current != offset:
            raise OffsetMismatch(current)
        handle.seek(offset)
        # Bytes past the recorded offset (from a writer that died before recording
        # them) are not part of the upload.
        handle.truncate()
        hasher = hashlib.new(checksum.algorithm) if checksum else None
        written, whole = _copy_or_roll_back(stream, handle, offset, count, hasher)
        if (
            checksum is not None
            and hasher is not None
            and (not whole or not hmac.compare_digest(hasher.digest(), checksum.digest))
        ):
            handle.truncate(offset)
            _sync(handle)
            if not whole:
                raise BodyInterrupted(offset)
            raise ChecksumMismatch(gettext("The chunk does not match its Upload-Checksum."))
        _sync(handle)
        new_offset = offset + written
        now = timezone.now()
        moved = Upload.objects.filter(pk=upload.pk, offset=offset).update(
            offset=new_offset, expires_at=expiry_from(now)
        )
        if not moved:
            raise UploadGone(gettext("The upload was removed."))
        upload.offset, upload.expires_at = new_offset, expiry_from(now)
        if new_offset == upload.length and upload.completed_at is None:
            _complete(upload, handle, now)
    if not whole:
        raise BodyInterrupted(new_offset)
    return upload


def _append_piece(
    upload: Upload, *, offset: int, stream: Readable, count: int, checksum: Checksum | None
) -> Upload:
    """``append`` for object storage: the chunk becomes a piece, counted if still in turn.

    No lock spans processes here; the conditional UPDATE decides instead. Of two PATCHes
    at one offset both bodies are stored, the first UPDATE counts its piece, and the
    other request deletes its own piece and answers 409 with the new offset.
    """
    row = Upload.objects.filter(pk=upload.pk).values("offset", "parts").first()
    if row is None:
        raise UploadGone(gettext("The upload was removed."))
    if row["offset"] != offset:
        raise OffsetMismatch(row["offset"])
    with tempfile.TemporaryFile() as spool:  # this request's own, never shared
        written, whole = _spool(stream, spool, offset, count, checksum)
        pieces, name = list(row["parts"]), None
        if written:
            name = upload_objects.put_piece(storage(), upload.path, offset, spool)
            pieces.append([name, written])
    new_offset, now = offset + written, timezone.now()
    moved = Upload.objects.filter(pk=upload.pk, offset=offset).update(
        offset=new_offset, parts=pieces, expires_at=expiry_from(now)
    )
    if not moved:
        if name is not None:
            storage().delete(name)
        raise _lost_race(upload)
    upload.offset, upload.parts, upload.expires_at = new_offset, pieces, expiry_from(now)
    if new_offset == upload.length and upload.completed_at is None:
        _join(upload, now)
    if not whole:
        raise BodyInterrupted(new_offset)
    return upload


def _spool(
    stream: Readable, spool: IO[bytes], offset: int, count: int, checksum: Checksum | None
) -> tuple[int, bool]:
    """Receive the body into ``spool``; a chunk with a checksum is all or nothing."""
    hasher = hashlib.new(checksum.algorithm) if checksum else None
    try:
        written, whole = _copy(stream, spool, count, hasher)
    except OSError as error:
        if diskspace.is_full(error):  # the web host's temporary folder is full
            raise NoSpace(offset) from error
        raise
    if checksum is not None and hasher is not None:
        if not whole:
            raise BodyInterrupted(offset)
        if not hmac.compare_digest(hasher.digest(), checksum.digest):
            raise ChecksumMismatch(gettext("The chunk does not match its Upload-Checksum."))
    return written, whole


def _lost_race(upload: Upload) -> UploadError:
    """Why a counted UPDATE moved nothing: the upload is gone, or another PATCH won."""
    current = Upload.objects.filter(pk=upload.pk).values_list("offset", flat=True).first()
    if current is None:
        return UploadGone(gettext("The upload was removed."))
    return OffsetMismatch(current)


def _join(upload: Upload, now: datetime) -> None:
    """Join the pieces into the upload's one object, then mark it complete.

    If this is cut short the upload stays incomplete at its full offset; an empty PATCH
    at that offset joins again.
    """
    upload.sha256 = upload_objects.join(storage(), upload.path, upload.parts)
    upload.completed_at, upload.parts = now, []
    Upload.objects.filter(pk=upload.pk).update(sha256=upload.sha256, completed_at=now, parts=[])
    upload_objects.remove_pieces(storage(), upload.path)


def _complete(upload: Upload, handle: io.BufferedRandom, now: datetime) -> None:
    """Hash the whole file (streamed, constant memory) and mark the upload complete."""
    handle.seek(0)
    upload.sha256 = hashlib.file_digest(handle, "sha256").hexdigest()
    upload.completed_at = now
    Upload.objects.filter(pk=upload.pk).update(sha256=upload.sha256, completed_at=now)


def terminate(upload: Upload) -> None:
    """Delete the upload and its bytes (tus termination)."""
    deleted, _ = Upload.objects.filter(pk=upload.pk).delete()
    if deleted:
        _remove_file(upload.path)


def _remove_file(name: str) -> None:
    if upload_objects.is_remote(storage()):
        upload_objects.remove(storage(), name)
        return
    with suppress(FileNotFoundError):
        os.remove(storage().path(name))


def remove_expired(now: datetime | None = None) -> int:
    """Delete expired uploads and their files, and upload files no row knows of.

    Safe to run at any time and from Celery beat; returns how many uploads went.
    """
    now = now or timezone.now()
    removed = 0
    for upload in Upload.objects.filter(expires_at__lte=now).only("pk", "path").iterator():
        deleted, _ = Upload.objects.filter(pk=upload.pk, expires_at__lte=now).delete()
        if deleted:
            _remove_file(upload.path)
            removed += 1
    return removed + _remove_strays(now)


def _known_names() -> set[str]:
    paths = Upload.objects.values_list("path", flat=True).iterator()
    return {PurePath(path).name for path in paths}


def _remove_strays(now: datetime) -> int:
    """Remove upload files that no row knows of and that are older than the expiry period."""
    cutoff = now - timedelta(seconds=settings.TARINA_UPLOAD_EXPIRY_SECONDS)
    if upload_objects.is_remote(storage()):
        strays = upload_objects.strays(storage(), UPLOAD_DIR, _known_names(), cutoff)
        for path in strays:
            _remove_file(path)
        return len(strays)
    removed = 0
    folder = storage().path(UPLOAD_DIR)
    if os.path.isdir(folder):
        known = _known_names()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name in known or not entry.is_file():
                    continue
                if entry.stat().st_mtime < cutoff.timestamp():
                    _remove_file(f"{UPLOAD_DIR}/{entry.name}")
                    removed += 1
    return removed


# --- From upload to story -------------------------------------------------------------


def display_name(upload: Upload) -> str:
    return upload.metadata.get("filename") or f"upload {upload.pk}"


def for_submission(
    ids: Sequence[UUID], user: AnyUser | None, tokens: Sequence[str]
) -> list[Upload]:
    """The finished uploads a submission names, refusing any the asker may not use."""
    if len(set(ids)) != len(ids):
        raise ValidationError(gettext("An upload is named more than once."))
    found: list[Upload] = []
    now = timezone.now()
    for upload_id in ids:
        upload = find(upload_id, user, tokens)
        if upload is None or is_expired(upload, now):
            raise ValidationError(
                gettext(
                    "No upload %(id)s is available to you (unknown, expired, or sent "
                    "without its Upload-Token)."
                )
                % {"id": upload_id}
            )
        if not upload.is_complete:
            raise ValidationError(
                gettext("Upload %(id)s is not finished: %(offset)s of %(length)s bytes.")
                % {"id": upload_id, "offset": upload.offset, "length": upload.length}
            )
        found.append(upload)
    return found


def kind_mismatch(kind: str, upload: Upload) -> str | None:
    """The multipart submission's quick check (``stories.media_checks``), on an upload."""
    if upload_objects.is_remote(storage()):
        head = upload_objects.opening(storage(), upload.path, upload.length)
        return media_checks.kind_mismatch(kind, File(head, name=display_name(upload)))
    with open(storage().path(upload.path), "rb") as handle:
        return media_checks.kind_mismatch(kind, File(handle, name=display_name(upload)))


def attach(upload: Upload, story: Story) -> MediaAsset:
    """Make a finished upload the story's ORIGINAL asset: the file is moved, not copied.

    The asset row is written and the upload row deleted in the caller's transaction;
    the file moves when that transaction commits, so a rolled-back submission leaves
    the upload untouched and usable again.
    """
    if not upload.is_complete:
        raise ValidationError(gettext("Upload %(id)s is not finished.") % {"id": upload.pk})
    problem = kind_mismatch(story.kind, upload)
    if problem:
        raise ValidationError({"uploads": [problem]})
    asset = MediaAsset(
        story=story,
        role=AssetRole.ORIGINAL,
        # Like a browser's Content-Type, only a hint: the pipeline sniffs the bytes.
        mime_type=upload.metadata.get("filetype", "")[:100],
        size=upload.length,
        sha256=upload.sha256,
    )
    asset.file.name = asset_upload_path(asset, display_name(upload))
    with transaction.atomic():
        deleted, _ = Upload.objects.filter(pk=upload.pk, completed_at__isnull=False).delete()
        if not deleted:
            raise ValidationError(
                gettext("Upload %(id)s is no longer available.") % {"id": upload.pk}
            )
        asset.save()
    transaction.on_commit(partial(_move, upload.path, asset.file.name))
    return asset


def _move(source: str, target: str) -> None:
    """The finished upload becomes the asset's file: renamed on disk, copied in a bucket."""
    if upload_objects.is_remote(storage()):
        upload_objects.move(storage(), source, target)
        return
    source_path, target_path = storage().path(source), storage().path(target)
    os.makedirs(os.path.dirname(target_path), exist_ok=True)
    os.replace(source_path, target_path)
