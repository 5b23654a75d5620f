"""Decode any audio/video file to 16 kHz mono float32 in bounded-size windows.

Both engines transcribe a recording window by window (10 minutes by default) instead of
decoding an hour into memory at once: 10 minutes of 16 kHz float32 is 38 MB, and the
engines' own buffers (log-mel features, STFT) scale with the window, not the recording.
Windows are cut at the quietest moment near their end, so a cut rarely splits a word.
Files are read with the media package's hardened opener and tolerant decode loop, so a
damaged packet is skipped as it is everywhere else in the pipeline. PyAV bundles FFmpeg's
libraries, so no ``ffmpeg`` executable is needed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from media_pipeline.media.avopen import open_input
from media_pipeline.media.decoding import (
    MAX_AUDIO_DECODE_ERRORS,
    decode_frames,
    resample_mono,
    too_damaged_audio,
)
from media_pipeline.media.errors import MediaRejected
from media_pipeline.media.sniff import Family, sniff_path

SAMPLE_RATE = 16_000
DEFAULT_WINDOW_SECONDS = 600.0
# How far back from a window's end to look for a quiet moment to cut at.
DEFAULT_SEARCH_SECONDS = 30.0


class AudioDecodeError(ValueError):
    """The file cannot be read as audio."""


@dataclass(frozen=True)
class AudioWindow:
    """A stretch of the recording: ``samples`` start at ``offset`` seconds."""

    offset: float
    samples: np.ndarray

    @property
    def duration(self) -> float:
        """Length of this window in seconds."""
        return len(self.samples) / SAMPLE_RATE


def quietest_cut(samples: np.ndarray, start: int, end: int, hop: int = 320) -> int:
    """Index in ``samples[start:end]`` at the centre of the quietest ~200 ms stretch."""
    n = (end - start) // hop
    if n < 1:
        return end
    frames = samples[start : start + n * hop].reshape(n, hop).astype(np.float64)
    energy = (frames**2).mean(axis=1)
    width = min(10, n)  # 10 x 20 ms: long enough to skip the gap inside a plosive
    smoothed = np.convolve(energy, np.ones(width) / width, mode="same")
    return start + int(np.argmin(smoothed)) * hop + hop // 2


def _decoded_chunks(path: Path) -> Iterator[np.ndarray]:
    """Float32 mono chunks at :data:`SAMPLE_RATE` from the first audio stream of ``path``.

    The file is opened like an upload (sniffed, forced demuxer, no nested opens): speech
    recognition is handed pipeline derivatives, but a caller passing anything else must not
    widen what FFmpeg may read.
    """
    try:
        sniffed = sniff_path(path, Family.AV)
        assert sniffed.demuxer is not None
        with open_input(path, sniffed.demuxer) as src:
            if not src.streams.audio:
                raise AudioDecodeError(f"{path}: has no audio stream")
            stream = src.streams.audio[0]
            frames = decode_frames(
                src, stream, max_errors=MAX_AUDIO_DECODE_ERRORS, damaged=too_damaged_audio()
            )
            for out in resample_mono(frames, "flt", SAMPLE_RATE):
                yield out.to_ndarray().reshape(-1)
    except FileNotFoundError:
        raise AudioDecodeError(f"{path}: no such file") from None
    except MediaRejected as exc:
        raise AudioDecodeError(f"{path}: not a readable audio or video file ({exc})") from exc


def iter_windows(
    path: Path,
    window_seconds: float = DEFAULT_WINDOW_SECONDS,
    search_seconds: float = DEFAULT_SEARCH_SECONDS,
) -> Iterator[AudioWindow]:
    """Yield consecutive windows covering the whole file, each at most ``window_seconds``.

    Memory stays around one window plus one decoded chunk whatever the file's length.
    An empty or silent file yields one (possibly empty) window, so callers always learn
    the duration.
    """
    window = int(window_seconds * SAMPLE_RATE)
    search = min(int(search_seconds * SAMPLE_RATE), window // 2)
    pending: list[np.ndarray] = []
    pending_len = 0
    offset = 0
    emitted = False
    for chunk in _decoded_chunks(Path(path)):
        pending.append(chunk)
        pending_len += len(chunk)
        while pending_len >= window:
            buffer = np.concatenate(pending)
            cut = quietest_cut(buffer, window - search, window)
            yield AudioWindow(offset / SAMPLE_RATE, np.ascontiguousarray(buffer[:cut]))
            emitted = True
            offset += cut
            pending = [buffer[cut:]]
            pending_len = len(pending[0])
    if pending_len or not emitted:
        samples = np.concatenate(pending) if pending else np.zeros(0, dtype=np.float32)
        yield AudioWindow(offset / SAMPLE_RATE, samples.astype(np.float32, copy=False))


def decode_audio(path: Path) -> np.ndarray:
    """Decode a whole (short) file; for tests and tools. Use :func:`iter_windows` otherwise."""
    return np.concatenate([w.samples for w in iter_windows(path, window_seconds=10**9)])
