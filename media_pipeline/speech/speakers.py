"""Speakers told apart (diarisation), offline: who spoke when, as "Speaker 1", "Speaker 2".

Speech regions (Silero VAD, short pauses kept apart so a change of voice at a pause is a
boundary) are embedded with resemblyzer's speaker encoder (a 3-layer LSTM over 40-band
mel frames, trained for speaker verification), whose weights ship inside the
``resemblyzer`` package (nothing is downloaded). The weights are loaded into
:class:`VoiceEncoder` here rather than through ``import resemblyzer``: that package imports
``webrtcvad``, whose module needs ``pkg_resources``, gone from current setuptools, and we
have Silero for speech detection anyway. Each region gives one embedding per 1.6 s
partial, two partials a second; partials are clustered by cosine distance
(agglomerative, average linkage). A distance threshold decides how many speakers there
are, so a one-voice recording stays one speaker; ``max_speakers`` caps it. Every 10 ms of
speech takes the label of the partial centred nearest to it, and runs of one label become
turns. Speakers are numbered in order of first appearance.

:func:`diarisation_error_rate` measures the result against known turns (frame-level, with
a collar around reference boundaries), for the figure in docs/pipeline.md.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from media_pipeline.speech.audio import SAMPLE_RATE
from media_pipeline.speech.vad import speech_intervals

#: Cosine distance under which two partials are the same voice (average linkage).
SAME_SPEAKER_DISTANCE = 0.35
#: Partials per second of speech (each 1.6 s long, resemblyzer's own length).
PARTIALS_PER_SECOND = 2.0
#: Regions shorter than this carry too little voice to embed.
MIN_REGION_SECONDS = 0.4
_FRAME = 0.01
# The encoder's input: 40 mel bands of 25 ms windows every 10 ms; 160 frames a partial.
_MEL_BANDS, _WINDOW, _HOP, _PARTIAL_FRAMES = 40, 400, 160, 160
# Quiet speech is raised to this loudness before embedding (as the encoder was trained).
_TARGET_DBFS = -30.0

_encoder: Any = None
_encoder_lock = threading.Lock()


@dataclass(frozen=True)
class Turn:
    """One speaker's stretch of speech, seconds from the start of the recording."""

    speaker: int
    start: float
    end: float

    @property
    def label(self) -> str:
        """The name shown and stored: ``Speaker 1``, ``Speaker 2``, ..."""
        return speaker_label(self.speaker)


def speaker_label(number: int) -> str:
    """``Speaker <number>``: one name in the transcript, the console and the public page."""
    return f"Speaker {number}"


def packaged_encoder_weights() -> Path:
    """``pretrained.pt`` inside the installed ``resemblyzer`` package (not imported)."""
    spec = importlib.util.find_spec("resemblyzer")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("resemblyzer is not installed (the 'media' extra carries it).")
    return Path(next(iter(spec.submodule_search_locations))) / "pretrained.pt"


class VoiceEncoder:
    """Speaker embeddings (256 numbers, unit length) of 1.6 s partials of speech."""

    def __init__(self, weights: Path):
        import torch

        class _Network(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.lstm = torch.nn.LSTM(_MEL_BANDS, 256, 3, batch_first=True)
                self.linear = torch.nn.Linear(256, 256)

            def forward(self, mels: torch.Tensor) -> torch.Tensor:
                _, (hidden, _) = self.lstm(mels)
                embeds = torch.relu(self.linear(hidden[-1]))
                return embeds / torch.norm(embeds, dim=1, keepdim=True).clamp_min(1e-8)

        state = torch.load(weights, map_location="cpu", weights_only=True)["model_state"]
        self._network = _Network()
        self._network.load_state_dict(
            {k: v for k, v in state.items() if k.startswith(("lstm.", "linear."))}
        )
        self._network.eval()
        self._torch = torch

    def embed_partials(self, wav: np.ndarray, rate: float) -> tuple[np.ndarray, np.ndarray]:
        """Embeddings of ``wav``'s 1.6 s partials, ``rate`` a second, and their centres (s)."""
        rms = float(np.sqrt(np.mean(np.square(wav)))) if len(wav) else 0.0
        if 0 < rms < 10 ** (_TARGET_DBFS / 20):
            wav = wav * (10 ** (_TARGET_DBFS / 20) / rms)
        mel = mel_power(wav)
        if len(mel) < _PARTIAL_FRAMES:
            mel = np.pad(mel, ((0, _PARTIAL_FRAMES - len(mel)), (0, 0)))
        step = max(1, round(SAMPLE_RATE / _HOP / rate))
        starts = list(range(0, len(mel) - _PARTIAL_FRAMES + 1, step))
        if starts[-1] + _PARTIAL_FRAMES < len(mel):
            starts.append(len(mel) - _PARTIAL_FRAMES)  # the end of the region too
        batch = np.stack([mel[s : s + _PARTIAL_FRAMES] for s in starts])
        # One thread: this small LSTM spends 10-30x the CPU on thread hand-offs with more
        # (measured: 0.2 s vs 6 s CPU for 21 s of speech on 2 busy cores). Process-wide in
        # torch, so restored after; a worker runs one task at a time.
        threads = self._torch.get_num_threads()
        self._torch.set_num_threads(1)
        try:
            with self._torch.inference_mode():
                embeds = self._network(self._torch.from_numpy(batch)).numpy()
        finally:
            self._torch.set_num_threads(threads)
        centres = (np.array(starts) + _PARTIAL_FRAMES / 2) * _HOP / SAMPLE_RATE
        return embeds, np.minimum(centres, len(wav) / SAMPLE_RATE)


def _hz_to_mel(hz: np.ndarray) -> np.ndarray:
    """Slaney's mel scale: linear below 1 kHz, logarithmic above."""
    hz = np.asarray(hz, dtype=np.float64)
    mel = hz / (200.0 / 3)
    log_part = hz >= 1000.0
    return np.where(log_part, 15.0 + np.log(np.maximum(hz, 1e-10) / 1000.0) / _LOG_STEP, mel)


def _mel_to_hz(mel: np.ndarray) -> np.ndarray:
    mel = np.asarray(mel, dtype=np.float64)
    return np.where(mel >= 15.0, 1000.0 * np.exp(_LOG_STEP * (mel - 15.0)), mel * 200.0 / 3)


_LOG_STEP = np.log(6.4) / 27.0


def mel_filters() -> np.ndarray:
    """40 triangular mel filters over the 201 bins of a 400-point FFT (Slaney-normalised,
    the filter bank the encoder was trained with)."""
    bins = np.linspace(0, SAMPLE_RATE / 2, _WINDOW // 2 + 1)
    edges = _mel_to_hz(np.linspace(0.0, _hz_to_mel(np.array(SAMPLE_RATE / 2)), _MEL_BANDS + 2))
    widths = np.diff(edges)
    ramps = edges[:, None] - bins[None, :]
    rising = -ramps[:-2] / widths[:-1, None]
    falling = ramps[2:] / widths[1:, None]
    filters = np.maximum(0.0, np.minimum(rising, falling))
    return (filters * (2.0 / (edges[2:] - edges[:-2]))[:, None]).astype(np.float32)


_FILTERS = mel_filters()


def mel_power(wav: np.ndarray) -> np.ndarray:
    """Mel power frames (frames x 40) of 16 kHz ``wav``: 25 ms Hann windows every 10 ms,
    centred (zero-padded), as the encoder's training features."""
    padded = np.pad(wav.astype(np.float32), _WINDOW // 2)
    count = 1 + (len(padded) - _WINDOW) // _HOP
    frames = np.lib.stride_tricks.sliding_window_view(padded, _WINDOW)[::_HOP][:count]
    window = np.hanning(_WINDOW + 1)[:-1].astype(np.float32)
    power = np.abs(np.fft.rfft(frames * window, axis=1)) ** 2
    return (power @ _FILTERS.T).astype(np.float32)


def voice_encoder() -> VoiceEncoder:
    """The packaged encoder on CPU, loaded once per process (about 6 MB of weights)."""
    global _encoder
    with _encoder_lock:
        if _encoder is None:
            _encoder = VoiceEncoder(packaged_encoder_weights())
        return _encoder


def speech_regions(samples: np.ndarray) -> list[tuple[float, float]]:
    """VAD regions split at pauses of 0.3 s: a new voice usually starts after one."""
    return speech_intervals(samples, min_silence_ms=300, pad_ms=100, max_speech_seconds=30.0)


def embed(
    samples: np.ndarray, regions: Sequence[tuple[float, float]]
) -> tuple[list[tuple[int, float]], np.ndarray]:
    """Partials as (region index, centre second) and their embeddings (one row each)."""
    encoder = voice_encoder()
    where: list[tuple[int, float]] = []
    rows: list[np.ndarray] = []
    for index, (start, end) in enumerate(regions):
        if end - start < MIN_REGION_SECONDS:
            continue
        wav = samples[int(start * SAMPLE_RATE) : int(end * SAMPLE_RATE)].astype(np.float32)
        embeds, centres = encoder.embed_partials(wav, PARTIALS_PER_SECOND)
        for vector, centre in zip(embeds, centres, strict=True):
            where.append((index, start + float(centre)))
            rows.append(vector)
    return where, np.array(rows, dtype=np.float32).reshape(len(rows), -1)


def cluster(
    embeddings: np.ndarray, max_speakers: int = 8, threshold: float = SAME_SPEAKER_DISTANCE
) -> np.ndarray:
    """A speaker number (0-based) per embedding row."""
    from sklearn.cluster import AgglomerativeClustering

    if len(embeddings) < 2:
        return np.zeros(len(embeddings), dtype=int)
    model = AgglomerativeClustering(
        n_clusters=None, metric="cosine", linkage="average", distance_threshold=threshold
    )
    labels = model.fit_predict(embeddings)
    if labels.max() + 1 > max_speakers:
        labels = AgglomerativeClustering(
            n_clusters=max_speakers, metric="cosine", linkage="average"
        ).fit_predict(embeddings)
    return np.asarray(labels, dtype=int)


def turns_from(
    regions: Sequence[tuple[float, float]],
    where: Sequence[tuple[int, float]],
    labels: np.ndarray,
) -> list[Turn]:
    """Label every 10 ms of each region by its nearest partial; merge runs into turns."""
    turns: list[Turn] = []
    for index, (start, end) in enumerate(regions):
        mine = [(centre, int(labels[i])) for i, (r, centre) in enumerate(where) if r == index]
        if not mine:
            continue
        centres = np.array([c for c, _ in mine])
        frames = np.arange(start, end, _FRAME)
        nearest = np.abs(frames[:, None] - centres[None, :]).argmin(axis=1)
        frame_labels = [mine[n][1] for n in nearest]
        run_start = start
        for k in range(1, len(frames) + 1):
            if k == len(frames) or frame_labels[k] != frame_labels[k - 1]:
                run_end = end if k == len(frames) else float(frames[k])
                turns.append(Turn(frame_labels[k - 1], round(run_start, 3), round(run_end, 3)))
                run_start = run_end
    return _numbered(_merged(turns))


def _merged(turns: list[Turn]) -> list[Turn]:
    """Join consecutive turns of one speaker (across a pause)."""
    out: list[Turn] = []
    for turn in sorted(turns, key=lambda t: t.start):
        if out and out[-1].speaker == turn.speaker:
            out[-1] = Turn(turn.speaker, out[-1].start, turn.end)
        else:
            out.append(turn)
    return out


def _numbered(turns: list[Turn]) -> list[Turn]:
    """Speakers renumbered 1, 2, ... in order of first appearance."""
    numbers: dict[int, int] = {}
    for turn in turns:
        numbers.setdefault(turn.speaker, len(numbers) + 1)
    return [Turn(numbers[t.speaker], t.start, t.end) for t in turns]


def diarise(
    samples: np.ndarray,
    *,
    max_speakers: int = 8,
    threshold: float = SAME_SPEAKER_DISTANCE,
) -> list[Turn]:
    """Who spoke when in ``samples`` (16 kHz mono float32)."""
    regions = speech_regions(samples)
    if not regions:
        return []
    where, embeddings = embed(samples, regions)
    if not where:
        return []
    labels = cluster(embeddings, max_speakers, threshold)
    return turns_from(regions, where, labels)


def label_segments(segments: list[dict[str, Any]], turns: Sequence[Turn]) -> list[dict[str, Any]]:
    """Give each transcript segment (stored form) the ``speaker`` it overlaps most."""
    for segment in segments:
        overlap: dict[int, float] = {}
        for turn in turns:
            shared = min(segment["end"], turn.end) - max(segment["start"], turn.start)
            if shared > 0:
                overlap[turn.speaker] = overlap.get(turn.speaker, 0.0) + shared
        if overlap:
            segment["speaker"] = speaker_label(max(overlap, key=lambda s: overlap[s]))
    return segments


def diarisation_error_rate(
    reference: Sequence[Turn],
    hypothesis: Sequence[Turn],
    collar: float = 0.25,
) -> float:
    """Frame-level DER: (missed + false alarm + confused speech) / reference speech.

    Frames within ``collar`` seconds of a reference turn's start or end are not scored
    (the usual forgiveness for boundary placement). Hypothesis speakers are mapped to
    reference speakers one-to-one so as to agree most (Hungarian assignment). One speaker
    per frame: overlapping speech is not scored separately.
    """
    from scipy.optimize import linear_sum_assignment

    end = max([t.end for t in reference] + [t.end for t in hypothesis] + [0.0])
    n = int(np.ceil(end / _FRAME)) + 1
    times = np.arange(n) * _FRAME + _FRAME / 2
    ref = _frame_labels(reference, times)
    hyp = _frame_labels(hypothesis, times)
    scored = np.ones(n, dtype=bool)
    for turn in reference:
        for edge in (turn.start, turn.end):
            scored &= np.abs(times - edge) > collar
    ref, hyp = ref[scored], hyp[scored]
    speech = int((ref > 0).sum())
    if speech == 0:
        return 0.0
    missed = int(((ref > 0) & (hyp == 0)).sum())
    false_alarm = int(((ref == 0) & (hyp > 0)).sum())
    both = (ref > 0) & (hyp > 0)
    ref_ids, hyp_ids = sorted(set(ref[both])), sorted(set(hyp[both]))
    agree = np.zeros((len(hyp_ids), len(ref_ids)))
    for i, h in enumerate(hyp_ids):
        for j, r in enumerate(ref_ids):
            agree[i, j] = int(((hyp == h) & (ref == r) & both).sum())
    rows, cols = linear_sum_assignment(-agree) if agree.size else ([], [])
    matched = int(sum(agree[i, j] for i, j in zip(rows, cols, strict=True)))
    confusion = int(both.sum()) - matched
    return (missed + false_alarm + confusion) / speech


def _frame_labels(turns: Sequence[Turn], times: np.ndarray) -> np.ndarray:
    labels = np.zeros(len(times), dtype=int)
    for turn in turns:
        labels[(times >= turn.start) & (times < turn.end)] = turn.speaker
    return labels
