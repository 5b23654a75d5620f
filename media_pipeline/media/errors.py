"""The one exception the media package lets escape, with reasons people can read."""

from __future__ import annotations

from enum import StrEnum


class RejectCode(StrEnum):
    """Machine-readable reasons for refusing an upload (stable: stored and shown in the API)."""

    EMPTY = "empty"
    TOO_LARGE = "too_large"
    UNRECOGNISED = "unrecognised"
    NOT_ALLOWED = "not_allowed"
    CODEC_NOT_ALLOWED = "codec_not_allowed"
    NO_MEDIA = "no_media"
    CORRUPT = "corrupt"
    TOO_LONG = "too_long"
    TOO_MANY_PIXELS = "too_many_pixels"


class MediaRejected(Exception):
    """An upload we will not process.

    ``reason`` is a sentence meant for the person who uploaded the file; ``code`` is one of
    :class:`RejectCode` for programs. Nothing else escapes :func:`probe` or :func:`normalise`
    for problems caused by the file's content.
    """

    def __init__(self, reason: str, code: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = str(code)

    def __repr__(self) -> str:
        return f"MediaRejected(reason={self.reason!r}, code={self.code!r})"
