"""Excerpts of already anonymised audio: a clip cut from a published file.

The source is the published file (redacted and, where chosen, voice-disguised); nothing
here ever reads an original. The excerpt is written as 16-bit PCM WAV, a lossless copy of
the decoded samples of that span, which every browser plays and which carries no metadata.
"""

from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from media_pipeline.speech.audio import SAMPLE_RATE, decode_audio

EXCERPT_MIME_TYPE = "audio/wav"


@dataclass(frozen=True, slots=True)
class Excerpt:
    """The excerpt written by :func:`cut_excerpt`."""

    path: Path
    start: float
    end: float
    sample_rate: int

    @property
    def duration(self) -> float:
        return round(self.end - self.start, 3)


def cut_excerpt(src: str | Path, dest: str | Path, start: float, end: float) -> Excerpt:
    """Write the samples of ``src`` from ``start`` to ``end`` seconds to ``dest`` (WAV,
    mono at the pipeline's 16 kHz).

    Raises ``ValueError`` when the span is empty or lies outside the recording.
    """
    if not (0 <= start < end):
        raise ValueError("the excerpt must start before it ends, at or after 0 s")
    rate = SAMPLE_RATE
    # Opened as the pipeline opens any file: sniffed, with its demuxer forced.
    samples = decode_audio(Path(src))
    first, last = round(start * rate), round(end * rate)
    if last > len(samples) + round(0.05 * rate):
        raise ValueError("the excerpt ends after the recording")
    span = samples[first : min(last, len(samples))]
    if len(span) == 0:
        raise ValueError("the excerpt holds no sound")
    pcm = (np.clip(span, -1.0, 1.0) * 32767).round().astype("<i2")
    dest = Path(dest)
    with wave.open(str(dest), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm.tobytes())
    return Excerpt(path=dest, start=first / rate, end=(first + len(span)) / rate, sample_rate=rate)
