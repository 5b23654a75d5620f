"""Listen again to stretches of a recording: what can still be heard there.

The release check cuts the redacted stretches (with a margin either side) out of the
anonymised audio, joins them with a second of silence between them and transcribes the
result once with the model already loaded: one call per story, whatever the number of
stretches, and only seconds of audio instead of the whole recording.
"""

from __future__ import annotations

import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from media_pipeline.speech.alignment import cut
from media_pipeline.speech.audio import SAMPLE_RATE
from media_pipeline.speech.results import SpeechTranscript

GAP_SECONDS = 1.0


class _Transcribes(Protocol):
    def transcribe(
        self, path: Path | str, language: str | None = None, *, force_language: bool = False
    ) -> SpeechTranscript: ...


@dataclass(frozen=True, slots=True)
class Heard:
    """A stretch of the recording (seconds) and what the speech engine heard in it."""

    start: float
    end: float
    text: str


def write_wav(path: Path, samples: np.ndarray) -> Path:
    """16 kHz mono 16-bit PCM, what every decoder reads."""
    pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(pcm.tobytes())
    return path


def relisten(
    transcriber: _Transcribes,
    path: Path,
    stretches: Sequence[tuple[float, float]],
    language: str | None,
    workdir: Path,
) -> list[Heard]:
    """What ``transcriber`` hears in each of ``stretches`` of the recording at ``path``."""
    if not stretches:
        return []
    clips = cut(path, stretches)
    gap = np.zeros(int(GAP_SECONDS * SAMPLE_RATE), dtype=np.float32)
    offsets, parts, at = [], [], 0.0
    for clip in clips:
        offsets.append(at)
        parts += [clip.astype(np.float32, copy=False), gap]
        at += (len(clip) + len(gap)) / SAMPLE_RATE
    joined = write_wav(workdir / "relisten.wav", np.concatenate(parts))
    # Forced: on tones and clipped speech Whisper may detect another language entirely
    # and write the leaked name in another script.
    result = transcriber.transcribe(joined, language=language, force_language=True)
    texts: list[list[str]] = [[] for _ in clips]
    for segment in result.segments:
        timed = [(w.start, w.end, w.word) for w in segment.words] or [
            (segment.start, segment.end, segment.text)
        ]
        for start, end, word in timed:
            # The clip the word falls in: the last one that starts before its centre.
            centre = (start + end) / 2
            texts[max((i for i, o in enumerate(offsets) if o <= centre), default=0)].append(word)
    return [
        Heard(start, end, "".join(words).strip())
        for (start, end), words in zip(stretches, texts, strict=True)
    ]
