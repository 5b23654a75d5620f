"""Published audio: redacted words replaced by a tone or silence, optionally a disguised voice.

Everything streams: decoded chunks go through the (optional) voice disguise, get their redacted
ranges overwritten, and are encoded straight away, so memory stays bounded whatever the length.

The output is AAC-LC in an M4A (MP4) container by default: every phone and browser plays it
natively (Ogg/Opus still fails on older iPhones), and FFmpeg's built-in encoder needs no extra
library. MP3 is available too for the odd old player.

Redaction is applied *after* the disguise, so the replaced ranges hold exactly the tone or
silence, never a pitch-shifted echo of the word; the small timing slack of the time-stretch
(tens of milliseconds) is far inside the padding.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Generator, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from itertools import pairwise
from pathlib import Path
from typing import Literal

import av
import av.container
import numpy as np
from av.audio.stream import AudioStream

from media_pipeline.media.avopen import open_input
from media_pipeline.media.avprobe import too_long
from media_pipeline.media.decoding import (
    MAX_AUDIO_DECODE_ERRORS,
    decode_frames,
    resample_mono,
    too_damaged_audio,
)
from media_pipeline.media.errors import MediaRejected, RejectCode
from media_pipeline.media.limits import MediaLimits
from media_pipeline.media.sniff import Family, sniff_path

log = logging.getLogger(__name__)

Replacement = Literal["tone", "silence"]
AudioFormat = Literal["m4a", "mp3"]

DEFAULT_PADDING = 0.15
DEFAULT_SAMPLE_RATE = 16_000
# A 1 kHz "bleep" is what listeners recognise as censoring; about -14 dBFS is clear, not harsh.
TONE_HZ = 1000.0
TONE_LEVEL = 0.2
# Fades happen outside the padded range, so every sample inside it is fully replaced, while
# the hard edges that would otherwise click are avoided.
RAMP_SECONDS = 0.01
DEFAULT_PITCH_SEMITONES = -4.0


@dataclass(frozen=True, slots=True)
class _Output:
    muxer: str
    codec: str
    mime_type: str
    bit_rate: int
    container_options: dict[str, str]
    codec_options: dict[str, str]


AUDIO_OUTPUTS: dict[str, _Output] = {
    # faststart puts the index first so phones can start playing before the download ends.
    # The "fast" AAC coder encodes twice as quickly as the default and sounds the same on speech.
    "m4a": _Output(
        "mp4", "aac", "audio/mp4", 64_000, {"movflags": "+faststart"}, {"aac_coder": "fast"}
    ),
    "mp3": _Output("mp3", "libmp3lame", "audio/mpeg", 64_000, {"write_xing": "1"}, {}),
}


@dataclass(frozen=True, slots=True)
class AnonymisedAudio:
    """The published audio file written by :func:`anonymise_audio`.

    ``redacted`` lists the ranges (seconds, padding included, merged) that were replaced.
    """

    path: Path
    mime_type: str
    duration: float
    sample_rate: int
    redacted: tuple[tuple[float, float], ...]
    disguised: bool


# --- pure cores ---------------------------------------------------------------------------------


def redaction_windows(
    ranges: Iterable[tuple[float, float]], padding: float = DEFAULT_PADDING
) -> list[tuple[float, float]]:
    """Pad each ``(start, end)`` range by ``padding`` seconds, clip at 0, sort and merge overlaps.

    Raises ``ValueError`` for non-finite values, negative padding or ``end < start``: a
    malformed range must never silently leave a word audible.
    """
    if not math.isfinite(padding) or padding < 0:
        raise ValueError(f"padding must be a non-negative number of seconds, not {padding!r}")
    padded: list[tuple[float, float]] = []
    for start, end in ranges:
        if not (math.isfinite(start) and math.isfinite(end)) or end < start:
            raise ValueError(f"invalid redaction range ({start!r}, {end!r})")
        padded.append((max(0.0, start - padding), max(0.0, end + padding)))
    padded.sort()
    merged: list[tuple[float, float]] = []
    for start, end in padded:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def keep_gain(start: int, count: int, windows: Sequence[tuple[int, int]], ramp: int) -> np.ndarray:
    """Gain (1 = original, 0 = replaced) for samples ``start .. start + count``.

    ``windows`` are merged ``[a, b)`` sample ranges; each is fully 0 inside and fades over
    ``ramp`` samples on both sides outside it.
    """
    gain = np.ones(count, dtype=np.float32)
    end = start + count
    for a, b in windows:
        if b + ramp <= start or a - ramp >= end:
            continue
        idx = np.arange(max(a - ramp, start), min(b + ramp, end))
        # Distance into the window measured from the nearer edge; <= 0 means inside.
        outside = np.maximum(a - idx, idx - (b - 1))
        if ramp > 0:
            fade = 0.5 - 0.5 * np.cos(np.pi * np.clip(outside / (ramp + 1), 0.0, 1.0))
        else:
            fade = (outside > 0).astype(np.float64)
        fade[outside <= 0] = 0.0
        gain[idx - start] = np.minimum(gain[idx - start], fade.astype(np.float32))
    return gain


def redact_chunk(
    samples: np.ndarray,
    start: int,
    windows: Sequence[tuple[int, int]],
    rate: int,
    *,
    replacement: Replacement = "tone",
    ramp: int | None = None,
) -> np.ndarray:
    """Mono float ``samples`` (first sample at index ``start``) with ``windows`` replaced.

    The tone's phase follows the absolute sample index, so it stays continuous across chunks.
    """
    ramp = round(RAMP_SECONDS * rate) if ramp is None else ramp
    gain = keep_gain(start, len(samples), windows, ramp)
    if bool(np.all(gain == 1.0)):
        return samples
    out = samples.astype(np.float32) * gain
    if replacement == "tone":
        n = np.arange(start, start + len(samples), dtype=np.float64)
        tone = TONE_LEVEL * np.sin(2 * np.pi * TONE_HZ * n / rate)
        out += (tone * (1.0 - gain)).astype(np.float32)
    return out


def pitch_factor(semitones: float) -> float:
    """Frequency ratio for a shift of ``semitones`` (negative = lower voice)."""
    return float(2.0 ** (semitones / 12.0))


# --- streaming stages ---------------------------------------------------------------------------


def _decode_mono(path: Path, rate: int, limits: MediaLimits) -> Generator[np.ndarray, None, None]:
    """Float32 mono chunks at ``rate`` from the first audio stream of ``path``."""
    sniffed = sniff_path(path, Family.AV)
    assert sniffed.demuxer is not None
    # One second of slack, as in normalisation: resampler padding must not reject good files.
    max_samples = int((limits.max_seconds + 1) * rate)
    produced = 0
    with open_input(path, sniffed.demuxer) as src:
        if not src.streams.audio:
            raise MediaRejected("The file has no sound.", RejectCode.NO_MEDIA)
        stream = src.streams.audio[0]
        frames = decode_frames(
            src, stream, max_errors=MAX_AUDIO_DECODE_ERRORS, damaged=too_damaged_audio()
        )
        for out in resample_mono(frames, "flt", rate):
            chunk = out.to_ndarray().reshape(-1).astype(np.float32, copy=False)
            produced += len(chunk)
            if produced > max_samples:
                raise too_long(limits)
            yield chunk


def _pull_all(graph: av.filter.Graph) -> Iterator[np.ndarray]:
    while True:
        try:
            frame = graph.pull()
        except (av.BlockingIOError, av.EOFError):
            return
        assert isinstance(frame, av.AudioFrame)
        yield frame.to_ndarray().reshape(-1).astype(np.float32, copy=False)


def _disguise(
    chunks: Iterable[np.ndarray], rate: int, semitones: float
) -> Generator[np.ndarray, None, None]:
    """Shift pitch and formants by ``semitones`` while keeping the timing.

    Playing the samples at a different rate moves pitch and formants together (which changes
    the voice's character more than a pitch-only shift); ``atempo`` then restores the original
    speed. Output length is forced to equal input length, so redaction times still line up.
    """
    factor = pitch_factor(semitones)
    if not 0.5 <= factor <= 2.0:
        raise ValueError("pitch shift must stay within one octave")
    graph = av.filter.Graph()
    source = graph.add_abuffer(
        format="flt", sample_rate=rate, layout="mono", time_base=Fraction(1, rate)
    )
    stages = [
        graph.add("asetrate", str(round(rate * factor))),
        graph.add("aresample", str(rate)),
        graph.add("atempo", f"{1.0 / factor:.6f}"),
        graph.add("abuffersink"),
    ]
    source.link_to(stages[0])
    for upstream, downstream in pairwise(stages):
        upstream.link_to(downstream)
    graph.configure()
    pushed = emitted = 0

    def bounded(out: np.ndarray) -> np.ndarray:
        nonlocal emitted
        # Never get ahead of the input: the stretch may overshoot by a few samples at the end.
        out = out[: max(0, pushed - emitted)]
        emitted += len(out)
        return out

    for chunk in chunks:
        frame = av.AudioFrame.from_ndarray(chunk.reshape(1, -1), format="flt", layout="mono")
        frame.sample_rate = rate
        frame.pts = pushed
        frame.time_base = Fraction(1, rate)
        pushed += len(chunk)
        graph.push(frame)
        for out in _pull_all(graph):
            yield bounded(out)
    graph.push(None)
    for out in _pull_all(graph):
        yield bounded(out)
    if emitted < pushed:
        # The stretch keeps back its last analysis window; pad so the duration is unchanged.
        yield np.zeros(pushed - emitted, dtype=np.float32)


class _Encoder:
    """Encode float mono chunks into one audio stream of an output container."""

    def __init__(self, out: av.container.OutputContainer, spec: _Output, rate: int) -> None:
        self.out = out
        self.rate = rate
        stream = out.add_stream(spec.codec, rate=rate, options=dict(spec.codec_options))
        assert isinstance(stream, AudioStream)
        stream.layout = "mono"
        stream.bit_rate = spec.bit_rate
        stream.codec_context.flags |= av.codec.context.Flags.bitexact
        self.stream = stream
        self.written = 0
        # Converts to the encoder's sample format and cuts its fixed frame size (AAC: 1024).
        self.resampler = av.AudioResampler(
            format=stream.codec_context.format.name,
            layout="mono",
            rate=rate,
            frame_size=stream.codec_context.frame_size or None,
        )

    def _encode(self, frames: list[av.AudioFrame]) -> None:
        for frame in frames:
            for packet in self.stream.encode(frame):
                self.out.mux(packet)

    def write(self, samples: np.ndarray) -> None:
        if len(samples) == 0:
            return
        clipped = np.clip(samples, -1.0, 1.0).astype(np.float32).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(clipped, format="flt", layout="mono")
        frame.sample_rate = self.rate
        frame.pts = self.written
        frame.time_base = Fraction(1, self.rate)
        self.written += clipped.shape[1]
        self._encode(self.resampler.resample(frame))

    def close(self) -> None:
        self._encode(self.resampler.resample(None))
        for packet in self.stream.encode(None):
            self.out.mux(packet)


@contextmanager
def _encoder(dest: Path, spec: _Output, rate: int) -> Iterator[_Encoder]:
    # No metadata is copied from anywhere, and bitexact keeps FFmpeg's own version tags out.
    options = {"fflags": "+bitexact", **spec.container_options}
    with av.open(str(dest), mode="w", format=spec.muxer, container_options=options) as out:
        encoder = _Encoder(out, spec, rate)
        yield encoder
        encoder.close()


# --- public entry point -------------------------------------------------------------------------


def anonymise_audio(
    src: str | Path,
    dest: str | Path,
    redactions: Iterable[tuple[float, float]],
    *,
    replacement: Replacement = "tone",
    padding: float = DEFAULT_PADDING,
    disguise_voice: bool = False,
    pitch_semitones: float = DEFAULT_PITCH_SEMITONES,
    sample_rate: int = DEFAULT_SAMPLE_RATE,
    audio_format: AudioFormat = "m4a",
    limits: MediaLimits | None = None,
) -> AnonymisedAudio:
    """Write the publishable version of ``src`` to ``dest``, returning what was done.

    ``redactions`` are ``(start, end)`` times in seconds of words to remove; each is widened by
    ``padding`` and replaced by a 1 kHz tone (``replacement="tone"``) or silence. With
    ``disguise_voice`` the voice is shifted by ``pitch_semitones`` (pitch and formants) at the
    original speed; a fixed shift deters casual recognition but can be partly undone, so it is
    no substitute for consent. Output is mono ``sample_rate`` AAC in M4A (``audio/mp4``) or
    MP3, with no metadata. Raises :class:`MediaRejected` if ``src`` can't be decoded and
    ``ValueError`` for malformed ranges; ``dest`` is removed on any failure.
    """
    src, dest = Path(src), Path(dest)
    spec = AUDIO_OUTPUTS[audio_format]
    limits = limits or MediaLimits()
    windows_s = redaction_windows(redactions, padding)
    windows = [(round(a * sample_rate), round(b * sample_rate)) for a, b in windows_s]
    total = 0
    decoded = _decode_mono(src, sample_rate, limits)
    chunks: Generator[np.ndarray, None, None] = decoded
    if disguise_voice:
        chunks = _disguise(decoded, sample_rate, pitch_semitones)
    try:
        with _encoder(dest, spec, sample_rate) as encoder:
            for chunk in chunks:
                encoder.write(
                    redact_chunk(chunk, total, windows, sample_rate, replacement=replacement)
                )
                total += len(chunk)
        if total == 0:
            raise MediaRejected("No sound could be decoded from the file.", RejectCode.CORRUPT)
    except BaseException:
        dest.unlink(missing_ok=True)
        raise
    finally:
        # Closes the input file now, not whenever the generators are collected.
        chunks.close()
        decoded.close()
    duration = total / sample_rate
    redacted = tuple(
        (round(a, 3), round(min(b, duration), 3)) for a, b in windows_s if a < duration
    )
    log.info("anonymised audio: %.1f s, %d ranges redacted", duration, len(redacted))
    return AnonymisedAudio(
        path=dest,
        mime_type=spec.mime_type,
        duration=round(duration, 3),
        sample_rate=sample_rate,
        redacted=redacted,
        disguised=disguise_voice,
    )
