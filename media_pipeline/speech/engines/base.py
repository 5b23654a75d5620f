"""The window-by-window transcription loop shared by both engines."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections import defaultdict
from pathlib import Path
from typing import ClassVar

import numpy as np

from media_pipeline.speech.audio import SAMPLE_RATE, iter_windows
from media_pipeline.speech.policy import (
    DecodeOptions,
    RawSegment,
    choose_language,
    filter_segments,
    join_text,
)
from media_pipeline.speech.transcript import Segment, Transcript
from media_pipeline.speech.vad import speech_intervals, speech_only

logger = logging.getLogger(__name__)

# Windows shorter than this carry no decodable speech (Whisper needs a few frames).
_MIN_WINDOW_SECONDS = 0.1


class WindowedTranscriber(ABC):
    """Decode a file in bounded windows, guard each window, and merge the results.

    Subclasses load a model once in ``__init__`` and implement language detection and
    decoding of one in-memory window.
    """

    engine: ClassVar[str]

    def __init__(self, model_name: str, device: str, options: DecodeOptions | None = None):
        self.model_name = model_name
        self.device = device
        self.options = options or DecodeOptions()

    @abstractmethod
    def _detect_language(self, speech: np.ndarray) -> tuple[str, float]:
        """Most likely language of (at most 30 s of) speech and its probability."""

    @abstractmethod
    def _decode(self, audio: np.ndarray, language: str | None) -> list[RawSegment]:
        """Transcribe one window; times are relative to the window's start."""

    def transcribe(self, path: Path | str, language: str | None = None) -> Transcript:
        """Transcribe an audio or video file; ``language`` is a hint (see ``policy.py``)."""
        options = self.options
        segments: list[Segment] = []
        speech_seconds: dict[str, float] = defaultdict(float)
        best_probability: dict[str, float] = defaultdict(float)
        last_detected: tuple[str | None, float] = (None, 0.0)
        duration = 0.0
        for window in iter_windows(Path(path), options.window_seconds):
            duration = window.offset + window.duration
            if window.duration < _MIN_WINDOW_SECONDS:
                continue
            speech = None
            if options.vad:
                speech = speech_intervals(
                    window.samples,
                    options.vad_threshold,
                    options.vad_min_silence_ms,
                    options.vad_speech_pad_ms,
                )
                if not speech:
                    logger.info("%s @%.0fs: no speech, window skipped", path, window.offset)
                    continue
            probe = speech_only(window.samples, speech) if speech else window.samples
            detected, probability = self._detect_language(probe)
            last_detected = (detected, probability)
            chosen, probability = choose_language(
                detected, probability, language, options.language_threshold
            )
            raw = self._decode(window.samples, chosen)
            previous = segments[-1].text if segments else ""
            kept, dropped = filter_segments(raw, options, speech, previous)
            for reason, rejected in dropped:
                logger.info(
                    "%s @%.1fs: dropped segment (%s): %r",
                    path,
                    window.offset + rejected.start,
                    reason,
                    rejected.text[:80],
                )
            for segment in kept:
                _shift(segment, window.offset)
                segments.append(segment)
                if chosen:
                    speech_seconds[chosen] += segment.end - segment.start
            if chosen:
                best_probability[chosen] = max(best_probability[chosen], probability)
            logger.info(
                "%s @%.0fs: %.0fs, language %s (detected %s p=%.2f), %d segments",
                path,
                window.offset,
                window.duration,
                chosen,
                detected,
                last_detected[1],
                len(kept),
            )

        top: str | None
        if speech_seconds:
            # The recording's language is the one most of its speech was decoded in.
            top = max(speech_seconds, key=lambda lang: speech_seconds[lang])
            top_probability = best_probability[top]
        elif language:
            top, top_probability = language, 0.0
        else:
            top, top_probability = last_detected
        return Transcript(
            engine=self.engine,
            model=self.model_name,
            language=top,
            language_probability=round(float(top_probability), 4),
            duration=round(duration, 3),
            text=join_text(segments),
            segments=segments,
        )


def _shift(segment: Segment, offset: float) -> None:
    """Move a window-relative segment to recording time (rounded to the millisecond)."""
    segment.start = round(segment.start + offset, 3)
    segment.end = round(segment.end + offset, 3)
    for word in segment.words:
        word.start = round(word.start + offset, 3)
        word.end = round(word.end + offset, 3)
        word.probability = round(float(word.probability), 4)


def clip_seconds(samples: np.ndarray, seconds: float) -> np.ndarray:
    """First ``seconds`` of a 16 kHz signal."""
    return samples[: int(seconds * SAMPLE_RATE)]
