"""Probe audio and video with PyAV: allow-listed streams, real duration, decodability."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import av
import av.container
import av.stream
from av.audio.stream import AudioStream
from av.video.stream import VideoStream

from .allowlist import AUDIO_CODECS, VIDEO_CODECS, mime_type
from .avopen import open_input
from .errors import MediaRejected, RejectCode
from .info import MediaInfo, MediaKind
from .limits import MediaLimits
from .sniff import Sniffed

log = logging.getLogger(__name__)

# Enough packets to get through decoder delay (B-frames, codec priming) on any sane stream.
_MAX_CONFIRM_PACKETS = 96

S = TypeVar("S", AudioStream, VideoStream)


def codec_name(stream: av.stream.Stream) -> str:
    """FFmpeg's canonical codec name for a stream, or ``"unknown"`` without a decoder."""
    try:
        return str(stream.codec_context.codec.canonical_name)
    except (AttributeError, av.FFmpegError, ValueError):
        return "unknown"


def format_seconds(seconds: float) -> str:
    """Human duration for messages: ``3 h``, ``90 min``, ``45 s``."""
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{int(seconds // 3600)} h"
    if seconds >= 60 and seconds % 60 == 0:
        return f"{int(seconds // 60)} min"
    return f"{seconds:g} s"


def too_long(limits: MediaLimits) -> MediaRejected:
    """The rejection for media longer than ``limits.max_seconds``."""
    return MediaRejected(
        f"The recording is longer than the {format_seconds(limits.max_seconds)} limit.",
        RejectCode.TOO_LONG,
    )


def too_many_pixels(width: int, height: int, limits: MediaLimits) -> MediaRejected:
    """The rejection for pictures or video frames above ``limits.max_image_pixels``."""
    return MediaRejected(
        f"The picture is too large ({width} x {height} pixels; the limit is "
        f"{limits.max_image_pixels / 1e6:g} megapixels).",
        RejectCode.TOO_MANY_PIXELS,
    )


def _is_attached_picture(stream: av.stream.Stream) -> bool:
    # Cover art in MP3/M4A shows up as a one-frame video stream; it is not video.
    return bool(stream.disposition & av.stream.Disposition.attached_pic)


def _pick_stream(candidates: Sequence[S], allowed: frozenset[str], what: str) -> S | None:
    if not candidates:
        return None
    usable = [s for s in candidates if codec_name(s) in allowed]
    if not usable:
        name = codec_name(candidates[0])
        raise MediaRejected(
            f"The {what} in this file is encoded as {name!r}, which we don't support.",
            RejectCode.CODEC_NOT_ALLOWED,
        )
    defaults = [s for s in usable if s.disposition & av.stream.Disposition.default]
    return (defaults or usable)[0]


@dataclass
class _Track:
    """Running measurements for one stream while demuxing, in the stream's time-base ticks."""

    stream: AudioStream | VideoStream
    first: int | None = None
    end: int | None = None
    total: int = 0
    packets: int = 0
    decode_tries: int = 0
    decode_errors: int = 0
    frame: av.AudioFrame | av.VideoFrame | None = None

    def add(self, packet: av.Packet) -> None:
        # Integer ticks, not Fractions: a three-hour file has hundreds of thousands of packets.
        self.packets += 1
        dur = max(packet.duration or 0, 0)
        self.total += dur
        ts = packet.pts if packet.pts is not None else packet.dts
        if ts is not None:
            self.first = ts if self.first is None else min(self.first, ts)
            self.end = ts + dur if self.end is None else max(self.end, ts + dur)

    def _seconds(self, ticks: int) -> float:
        tb = self.stream.time_base
        return float(ticks * tb) if tb else 0.0

    @property
    def span(self) -> float:
        if self.first is None or self.end is None:
            return self._seconds(self.total)
        return self._seconds(self.end - self.first)

    def limit_ticks(self, seconds: float) -> int:
        tb = self.stream.time_base
        return int(seconds / tb) if tb else 0

    def over(self, limit_ticks: int) -> bool:
        # Both the timeline and the summed packet durations must fit: either alone can be forged.
        span = 0 if self.first is None or self.end is None else self.end - self.first
        return max(span, self.total) > limit_ticks

    def try_decode(self, packet: av.Packet | None) -> None:
        if self.frame is not None or self.decode_tries >= _MAX_CONFIRM_PACKETS:
            return
        self.decode_tries += 1
        try:
            frames = self.stream.decode(packet)
        except av.FFmpegError:
            self.decode_errors += 1
            return
        if frames:
            self.frame = frames[0]


def _scan(
    container: av.container.InputContainer, tracks: list[_Track], limits: MediaLimits
) -> None:
    by_index = {t.stream.index: t for t in tracks}
    limit_ticks = {t.stream.index: t.limit_ticks(limits.max_seconds) for t in tracks}
    try:
        for packet in container.demux([t.stream for t in tracks]):
            track = by_index.get(packet.stream_index)
            if track is None or packet.size == 0:
                continue
            track.add(packet)
            if track.over(limit_ticks[packet.stream_index]):
                raise too_long(limits)
            track.try_decode(packet)
    except av.FFmpegError as exc:
        # A truncated file ends in a read error; what came before it is still usable.
        if not any(t.packets for t in tracks):
            raise MediaRejected(
                "The file is damaged: no audio or video could be read from it.",
                RejectCode.CORRUPT,
            ) from exc
        log.info("demuxing stopped early: %s", exc)
    for track in tracks:
        # Flush decoders that buffer frames (B-frames, priming) before judging decodability.
        if track.frame is None and track.packets:
            track.decode_tries = 0
            track.try_decode(None)


def _check_video_size(width: int, height: int, limits: MediaLimits) -> None:
    if width <= 0 or height <= 0:
        raise MediaRejected("The video has no picture size.", RejectCode.CORRUPT)
    if width * height > limits.max_image_pixels:
        raise too_many_pixels(width, height, limits)


def probe_av(path: Path, sniffed: Sniffed, limits: MediaLimits, size: int) -> MediaInfo:
    """Probe an audio or video file that the sniffer sent to FFmpeg."""
    assert sniffed.demuxer is not None
    container_label = sniffed.container
    with open_input(path, sniffed.demuxer) as container:
        audio = _pick_stream(
            list(container.streams.audio), AUDIO_CODECS.get(container_label, frozenset()), "audio"
        )
        video_candidates = [s for s in container.streams.video if not _is_attached_picture(s)]
        video = _pick_stream(
            video_candidates, VIDEO_CODECS.get(container_label, frozenset()), "video"
        )
        if audio is None and video is None:
            raise MediaRejected("The file contains no audio or video.", RejectCode.NO_MEDIA)
        if video is not None:
            cc = video.codec_context
            if cc.width and cc.height:
                _check_video_size(cc.width, cc.height, limits)
        tracks: list[_Track] = []
        if audio is not None:
            tracks.append(_Track(audio))
        if video is not None:
            tracks.append(_Track(video))
        for track in tracks:
            track.stream.codec_context.thread_type = "AUTO"
        _scan(container, tracks, limits)

        if len(tracks) == 2 and tracks[0].packets == 0:
            # A video whose sound track is declared but empty (muted recorders): no audio.
            tracks.pop(0)
            audio = None
        for track in tracks:
            if track.frame is None:
                what = "audio" if track.stream.type == "audio" else "video"
                raise MediaRejected(
                    f"The {what} in this file could not be decoded; it may be damaged.",
                    RejectCode.CORRUPT,
                )
        duration = max(t.span for t in tracks)
        if duration <= 0:
            raise MediaRejected("The recording is empty.", RejectCode.NO_MEDIA)

        width = height = None
        if video is not None:
            frame = tracks[-1].frame
            assert isinstance(frame, av.VideoFrame)
            _check_video_size(frame.width, frame.height, limits)
            width, height = frame.width, frame.height
            if frame.rotation % 180:
                width, height = height, width

        kind = MediaKind.VIDEO if video is not None else MediaKind.AUDIO
        codecs = tuple(codec_name(s) for s in (video, audio) if s is not None)
        return MediaInfo(
            kind=kind,
            container=container_label,
            mime_type=mime_type(container_label, kind),
            size_bytes=size,
            codecs=codecs,
            audio_codec=codec_name(audio) if audio is not None else None,
            video_codec=codec_name(video) if video is not None else None,
            duration=round(duration, 3),
            width=width,
            height=height,
            has_audio=audio is not None,
            has_video=video is not None,
            sample_rate=audio.codec_context.sample_rate if audio is not None else None,
            channels=audio.codec_context.layout.nb_channels if audio is not None else None,
            demuxer=sniffed.demuxer,
            audio_stream_index=audio.index if audio is not None else None,
            video_stream_index=video.index if video is not None else None,
        )
