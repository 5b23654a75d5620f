"""Poster frames for video uploads: one decoded frame, re-encoded by Pillow, no metadata."""

from __future__ import annotations

from pathlib import Path

import av
from PIL import Image

from .avopen import open_input
from .avprobe import too_many_pixels
from .decoding import MAX_VIDEO_DECODE_ERRORS, decode_frames
from .errors import MediaRejected, RejectCode
from .images import clean_copy, write_image_derivatives
from .info import Derived, Role
from .limits import MediaLimits

# Phone videos often open on a black or blurred frame; a moment in is more representative.
POSTER_AT_SECONDS = 1.0
# Bound the work: never decode more than this many frames looking for the poster.
_MAX_POSTER_FRAMES = 120


def _poster_frame(
    path: Path, demuxer: str, stream_index: int, duration: float | None, limits: MediaLimits
) -> av.VideoFrame:
    target = POSTER_AT_SECONDS if duration is None else min(POSTER_AT_SECONDS, duration / 3)
    best: av.VideoFrame | None = None
    decoded = 0
    with open_input(path, demuxer) as src:
        streams = [s for s in src.streams.video if s.index == stream_index]
        if not streams:
            raise MediaRejected("The video track is missing.", RejectCode.CORRUPT)
        stream = streams[0]
        stream.codec_context.thread_type = "AUTO"
        for frame in decode_frames(src, stream, max_errors=MAX_VIDEO_DECODE_ERRORS):
            if frame.width * frame.height > limits.max_image_pixels:
                raise too_many_pixels(frame.width, frame.height, limits)
            best = frame
            decoded += 1
            if (frame.time is not None and frame.time >= target) or (decoded >= _MAX_POSTER_FRAMES):
                return best
    if best is None:
        raise MediaRejected("No picture could be decoded from the video.", RejectCode.CORRUPT)
    return best


def _upright(image: Image.Image, rotation: int) -> Image.Image:
    """Apply the container's display rotation (degrees counter-clockwise, FFmpeg's sign)."""
    turn = rotation % 360
    if turn == 90:
        return image.transpose(Image.Transpose.ROTATE_90)
    if turn == 180:
        return image.transpose(Image.Transpose.ROTATE_180)
    if turn == 270:
        return image.transpose(Image.Transpose.ROTATE_270)
    return image


def extract_poster(
    path: Path,
    demuxer: str,
    stream_index: int,
    out_dir: Path,
    limits: MediaLimits,
    *,
    duration: float | None = None,
) -> list[Derived]:
    """Write a JPEG poster (and WebP thumbnails) from the video stream ``stream_index``.

    The frame is converted to pixels and encoded by Pillow, so nothing from the video's
    container (location atoms, XMP, …) can reach the poster.
    """
    frame = _poster_frame(path, demuxer, stream_index, duration, limits)
    image = _upright(frame.to_image(), frame.rotation)
    clean = clean_copy(image)
    return write_image_derivatives(clean, out_dir, main_role=Role.POSTER, stem="poster")
