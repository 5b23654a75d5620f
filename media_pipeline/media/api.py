"""Entry points: ``probe`` an upload, then ``normalise`` it into safe derived files."""

from __future__ import annotations

import logging
from pathlib import Path

from .audio import extract_audio
from .avprobe import probe_av
from .errors import MediaRejected, RejectCode
from .images import normalise_image, probe_image
from .info import Derived, MediaInfo, MediaKind
from .limits import MediaLimits
from .sniff import DEMUXERS, Family, sniff_file
from .video import extract_poster

log = logging.getLogger(__name__)


def _unexpected(exc: Exception, action: str) -> MediaRejected:
    # Parsers fed hostile bytes can fail in ways nobody listed; the uploader gets a plain
    # "damaged file" and the traceback goes to the log for us.
    log.warning("unexpected error while %s media", action, exc_info=exc)
    return MediaRejected(
        "The file is damaged or uses a feature we can't process.", RejectCode.CORRUPT
    )


def probe(path: str | Path, limits: MediaLimits) -> MediaInfo:
    """Identify and validate an upload from its bytes; raise :class:`MediaRejected` if refused.

    Checks size, sniffs the signature, opens the file with only the matching parser, checks
    the codecs against the allow-list, measures the duration from the packets actually in the
    file (stopping at ``limits.max_seconds``) and decodes the first frames to confirm.
    Errors reading ``path`` itself (missing file, permissions) propagate as ``OSError``.
    """
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        raise MediaRejected("The file is empty.", RejectCode.EMPTY)
    if size > limits.max_bytes:
        raise MediaRejected(
            f"The file is too large ({size / 1e6:.1f} MB; the limit is "
            f"{limits.max_bytes / 1e6:.0f} MB).",
            RejectCode.TOO_LARGE,
        )
    with path.open("rb") as fp:
        sniffed = sniff_file(fp)
    try:
        if sniffed.family is Family.IMAGE:
            return probe_image(path, sniffed, limits, size)
        return probe_av(path, sniffed, limits, size)
    except MediaRejected:
        raise
    except Exception as exc:
        raise _unexpected(exc, "probing") from exc


def normalise(
    path: str | Path,
    info: MediaInfo,
    out_dir: str | Path,
    limits: MediaLimits | None = None,
    *,
    audio_format: str = "wav",
) -> list[Derived]:
    """Write the derived files for an upload that :func:`probe` accepted.

    * audio → ``normalised_audio``: 16 kHz mono 16-bit ``audio_format`` (``wav`` or ``flac``);
    * video → ``normalised_audio`` (if it has sound), a JPEG ``poster`` and WebP ``thumbnail``\\ s;
    * image → ``image`` (JPEG, or PNG when transparent) and WebP ``thumbnail``\\ s
      (longest edge :data:`~media_pipeline.media.images.THUMBNAIL_SIZES`, never upscaled).

    Derived files carry no metadata from the upload (no EXIF, XMP, GPS, ICC, comments,
    QuickTime location or tags). File names inside ``out_dir`` are fixed, so use one directory
    per upload. Decoding is capped at ``limits.max_seconds`` (defaults: :class:`MediaLimits`).
    Raises :class:`MediaRejected` for problems in the file; ``OSError`` from writing output
    (disk full, permissions) propagates so the caller can retry.
    """
    path = Path(path)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    limits = limits or MediaLimits()
    if audio_format not in ("wav", "flac"):
        raise ValueError(f"unsupported audio_format {audio_format!r}")
    try:
        if info.kind is MediaKind.IMAGE:
            return normalise_image(path, info, out, limits)
        if info.demuxer not in DEMUXERS:
            raise MediaRejected("The media format is not allowed.", RejectCode.NOT_ALLOWED)
        derived: list[Derived] = []
        if info.has_audio and info.audio_stream_index is not None:
            derived.append(
                extract_audio(
                    path,
                    info.demuxer,
                    info.audio_stream_index,
                    out / f"audio.{audio_format}",
                    limits,
                    audio_format=audio_format,
                )
            )
        if info.kind is MediaKind.VIDEO and info.video_stream_index is not None:
            derived.extend(
                extract_poster(
                    path,
                    info.demuxer,
                    info.video_stream_index,
                    out,
                    limits,
                    duration=info.duration,
                )
            )
        return derived
    except (MediaRejected, OSError):
        raise
    except Exception as exc:
        raise _unexpected(exc, "normalising") from exc
