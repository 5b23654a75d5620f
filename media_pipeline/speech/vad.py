"""Voice activity detection with Silero VAD (bundled with faster-whisper, run by onnxruntime).

Used by both engines: windows without speech are not decoded at all, language is detected
on speech only, and segments outside speech are treated as hallucinations.
"""

from __future__ import annotations

import numpy as np

from media_pipeline.speech.audio import SAMPLE_RATE


def speech_intervals(
    samples: np.ndarray,
    threshold: float = 0.5,
    min_silence_ms: int = 2000,
    pad_ms: int = 400,
    max_speech_seconds: float | None = None,
) -> list[tuple[float, float]]:
    """Speech stretches in ``samples`` (16 kHz mono float32) as (start, end) seconds.

    With ``max_speech_seconds`` a longer stretch is split at its last pause (Silero's
    ~0.1 s minimum) before the limit, or cut at the limit when it has none; the limit
    includes the padding.
    """
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    if len(samples) == 0:
        return []
    options = VadOptions(
        threshold=threshold,
        min_silence_duration_ms=min_silence_ms,
        speech_pad_ms=pad_ms,
        max_speech_duration_s=max_speech_seconds or float("inf"),
    )
    chunks = get_speech_timestamps(samples, options, sampling_rate=SAMPLE_RATE)
    return [(c["start"] / SAMPLE_RATE, c["end"] / SAMPLE_RATE) for c in chunks]


def speech_only(
    samples: np.ndarray, intervals: list[tuple[float, float]], max_seconds: float = 30.0
) -> np.ndarray:
    """Concatenate the speech stretches, up to ``max_seconds`` (for language detection)."""
    limit = int(max_seconds * SAMPLE_RATE)
    pieces: list[np.ndarray] = []
    total = 0
    for start, end in intervals:
        piece = samples[int(start * SAMPLE_RATE) : int(end * SAMPLE_RATE)][: limit - total]
        pieces.append(piece)
        total += len(piece)
        if total >= limit:
            break
    return np.concatenate(pieces) if pieces else samples[:limit]
