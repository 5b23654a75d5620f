"""Decoding a stream that may be damaged: phones do write the odd bad packet, and uploads
arrive truncated. Every decoder in the pipeline reads frames through :func:`decode_frames`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import overload

import av
import av.container
import av.stream
from av.audio.stream import AudioStream
from av.video.stream import VideoStream

from .errors import MediaRejected, RejectCode

log = logging.getLogger(__name__)

# Give up on a stream that is mostly garbage rather than skipping bad packets forever. A
# poster frame needs only a few good frames, so video gives up sooner.
MAX_AUDIO_DECODE_ERRORS = 200
MAX_VIDEO_DECODE_ERRORS = 50


def demux_until_error(
    src: av.container.InputContainer, stream: av.stream.Stream
) -> Iterator[av.Packet]:
    """Packets of ``stream``, ending quietly where a truncated or damaged file stops reading.

    Only reading the *input* is guarded: errors writing output must still propagate.
    """
    packets = src.demux(stream)
    while True:
        try:
            packet = next(packets)
        except StopIteration:
            return
        except av.FFmpegError as exc:
            log.info("demuxing stopped early: %s", exc)
            return
        if packet.size:
            yield packet


@overload
def decode_frames(
    src: av.container.InputContainer,
    stream: AudioStream,
    *,
    max_errors: int,
    damaged: MediaRejected | None = None,
) -> Iterator[av.AudioFrame]: ...


@overload
def decode_frames(
    src: av.container.InputContainer,
    stream: VideoStream,
    *,
    max_errors: int,
    damaged: MediaRejected | None = None,
) -> Iterator[av.VideoFrame]: ...


def decode_frames(
    src: av.container.InputContainer,
    stream: AudioStream | VideoStream,
    *,
    max_errors: int,
    damaged: MediaRejected | None = None,
) -> Iterator[av.AudioFrame] | Iterator[av.VideoFrame]:
    """Every frame of ``stream`` that can be decoded, including those the decoder holds back.

    A packet that fails to decode is skipped. After more than ``max_errors`` such packets the
    stream is treated as garbage: decoding raises ``damaged`` if given, else simply stops
    (a caller that needs only a few frames can still use what it got).
    """
    errors = 0
    # The final ``None`` flushes frames the decoder still holds (B-frames, codec priming).
    for packet in chain(demux_until_error(src, stream), [None]):
        try:
            frames = stream.decode(packet)
        except av.FFmpegError:
            errors += 1
            if errors <= max_errors:
                continue
            if damaged is not None:
                raise damaged from None
            return
        yield from frames


def too_damaged_audio() -> MediaRejected:
    """The rejection for an audio stream with more bad packets than a decoder tolerates."""
    return MediaRejected("The audio is too damaged to decode.", RejectCode.CORRUPT)


def resample_mono(
    frames: Iterable[av.AudioFrame], sample_format: str, rate: int
) -> Iterator[av.AudioFrame]:
    """``frames`` as mono ``sample_format`` at ``rate``, flushed at the end.

    A resampler serves one input shape, so it is flushed and replaced whenever the format,
    layout or rate changes mid-stream (call recorders do this).
    """
    current: tuple[tuple[str, str, int], av.AudioResampler] | None = None  # shape, resampler
    for frame in frames:
        shape = (frame.format.name, frame.layout.name, frame.sample_rate)
        if current is None or current[0] != shape:
            if current is not None:
                yield from current[1].resample(None)
            current = (shape, av.AudioResampler(format=sample_format, layout="mono", rate=rate))
        # Output is timed by its sample count; a damaged file's input timestamps may jump.
        frame.pts = None
        yield from current[1].resample(frame)
    if current is not None:
        yield from current[1].resample(None)
