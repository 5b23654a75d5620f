"""Decode one audio stream to 16 kHz mono for transcription, streaming in bounded memory.

Frames go packet by packet through FFmpeg's resampler straight into the encoder, so an hour of
audio never sits in memory. A new container is written with no metadata copied from the
upload (the equivalent of ``-map_metadata -1``) and ``bitexact`` so FFmpeg doesn't add its own
encoder tag either: the output is the same bytes for the same sound.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import av.container
from av.audio.stream import AudioStream

from .avopen import open_input
from .avprobe import too_long
from .decoding import MAX_AUDIO_DECODE_ERRORS, decode_frames, resample_mono, too_damaged_audio
from .errors import MediaRejected, RejectCode
from .hashing import sha256_file
from .info import Derived, Role
from .limits import MediaLimits

TARGET_RATE = 16_000

AUDIO_OUTPUTS: dict[str, tuple[str, str, str]] = {
    # name: (muxer, codec, mime)
    "wav": ("wav", "pcm_s16le", "audio/wav"),
    "flac": ("flac", "flac", "audio/flac"),
}


def _encode(
    out: av.container.OutputContainer, stream: AudioStream, frame: av.AudioFrame | None
) -> None:
    for packet in stream.encode(frame):
        out.mux(packet)


def _stream(src: av.container.InputContainer, index: int) -> AudioStream:
    streams = [s for s in src.streams.audio if s.index == index]
    if not streams:
        raise MediaRejected("The audio track is missing.", RejectCode.CORRUPT)
    return streams[0]


def extract_audio(
    path: Path,
    demuxer: str,
    stream_index: int,
    dest: Path,
    limits: MediaLimits,
    *,
    audio_format: str = "wav",
) -> Derived:
    """Write stream ``stream_index`` of ``path`` as 16 kHz mono s16 ``audio_format`` at ``dest``.

    Decoding stops, and the upload is rejected, as soon as the decoded sound exceeds
    ``limits.max_seconds``: this is the real bound that no header or timestamp can fake.
    Decoding errors in single packets are skipped (phones do produce the odd bad packet).
    """
    muxer, codec, mime = AUDIO_OUTPUTS[audio_format]
    # One second of slack: resampler and codec padding must not reject a file probe accepted.
    max_samples = int((limits.max_seconds + 1) * TARGET_RATE)
    written = 0
    try:
        with (
            open_input(path, demuxer) as src,
            av.open(
                str(dest), mode="w", format=muxer, container_options={"fflags": "+bitexact"}
            ) as out,
        ):
            in_stream = _stream(src, stream_index)
            out_stream = out.add_stream(codec, rate=TARGET_RATE)
            assert isinstance(out_stream, AudioStream)
            out_stream.layout = "mono"
            out_stream.format = "s16"
            out_stream.codec_context.flags |= av.codec.context.Flags.bitexact
            time_base = Fraction(1, TARGET_RATE)
            frames = decode_frames(
                src, in_stream, max_errors=MAX_AUDIO_DECODE_ERRORS, damaged=too_damaged_audio()
            )
            for resampled in resample_mono(frames, "s16", TARGET_RATE):
                resampled.pts = written
                resampled.time_base = time_base
                written += resampled.samples
                if written > max_samples:
                    raise too_long(limits)
                _encode(out, out_stream, resampled)
            _encode(out, out_stream, None)
    except BaseException:
        dest.unlink(missing_ok=True)
        raise
    if written == 0:
        dest.unlink(missing_ok=True)
        raise MediaRejected("No sound could be decoded from the file.", RejectCode.CORRUPT)
    return Derived(
        role=Role.NORMALISED_AUDIO,
        path=dest,
        mime_type=mime,
        sha256=sha256_file(dest),
        size_bytes=dest.stat().st_size,
        duration=round(written / TARGET_RATE, 3),
        extra={"sample_rate": TARGET_RATE, "channels": 1, "codec": codec},
    )
