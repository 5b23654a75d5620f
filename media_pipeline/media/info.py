"""Plain result types shared by probing and normalisation (serialisable for Celery)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any


class MediaKind(StrEnum):
    """What a person would call the upload."""

    AUDIO = "audio"
    VIDEO = "video"
    IMAGE = "image"


class Role(StrEnum):
    """What a derived file is for."""

    NORMALISED_AUDIO = "normalised_audio"
    POSTER = "poster"
    IMAGE = "image"
    THUMBNAIL = "thumbnail"


@dataclass(frozen=True, slots=True)
class MediaInfo:
    """Facts about an accepted upload, established by :func:`media_pipeline.media.probe`.

    ``duration`` is measured from the packets actually present in the file, never taken from the
    header. ``demuxer`` (FFmpeg input format) or ``pillow_format`` says which parser
    :func:`media_pipeline.media.normalise` will force when it reopens the file.
    """

    kind: MediaKind
    container: str
    mime_type: str
    size_bytes: int
    codecs: tuple[str, ...] = ()
    audio_codec: str | None = None
    video_codec: str | None = None
    duration: float | None = None
    width: int | None = None
    height: int | None = None
    has_audio: bool = False
    has_video: bool = False
    sample_rate: int | None = None
    channels: int | None = None
    demuxer: str | None = None
    pillow_format: str | None = None
    audio_stream_index: int | None = None
    video_stream_index: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dict (for task arguments or a JSONField)."""
        data = asdict(self)
        data["kind"] = str(self.kind)
        data["codecs"] = list(self.codecs)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MediaInfo:
        """Inverse of :meth:`to_dict`; unknown keys are ignored so old rows still load."""
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in data.items() if k in known}
        values["kind"] = MediaKind(values["kind"])
        values["codecs"] = tuple(values.get("codecs") or ())
        return cls(**values)


@dataclass(frozen=True, slots=True)
class Derived:
    """A file written by normalisation. Only derived files are ever served or transcribed."""

    role: Role
    path: Path
    mime_type: str
    sha256: str
    size_bytes: int
    duration: float | None = None
    width: int | None = None
    height: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dict."""
        data = asdict(self)
        data["role"] = str(self.role)
        data["path"] = str(self.path)
        return data
