"""The window-by-window transcription loop shared by both engines."""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import ClassVar

import numpy as np

from media_pipeline.speech.audio import SAMPLE_RATE, iter_windows
from media_pipeline.speech.policy import (
    FORCED,
    HINT,
    DecodeOptions,
    LanguageDecision,
    RawSegment,
    choose_language,
    decide_language,
    decode_regions,
    filter_segments,
    join_text,
    needs_listening,
    prefer_listened,
    uncovered,
    untranscribed_tail,
)
from media_pipeline.speech.results import Segment, SpeechTranscript
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

    def __init__(
        self,
        model_name: str,
        device: str,
        options: DecodeOptions | None = None,
        decode_workers: int = 1,
    ):
        self.model_name = model_name
        self.device = device
        # Set by the loader once the weights are known (see weights.weights_sha256).
        self.weights_sha256 = ""
        self.options = options or DecodeOptions()
        # How many decode regions may be decoded at once (the engine must be able to run
        # that many model calls concurrently, e.g. CTranslate2 with as many workers).
        self.decode_workers = max(1, decode_workers)
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()

    @abstractmethod
    def _language_probabilities(self, speech: np.ndarray) -> dict[str, float]:
        """Whisper's probability of each language for (at most 30 s of) speech."""

    def _detect_language(self, speech: np.ndarray) -> tuple[str, float]:
        """Most likely language of (at most 30 s of) speech and its probability."""
        probabilities = self._language_probabilities(speech)
        language = max(probabilities, key=lambda code: probabilities[code])
        return language, float(probabilities[language])

    @abstractmethod
    def _text_likelihood(self, speech: np.ndarray, language: str) -> float:
        """Average log-probability per token of (at most 30 s of) speech decoded greedily
        in ``language``: how well the model can read it as that language."""

    def _decide(
        self, speech: np.ndarray, hint: str | None, expected: Sequence[str]
    ) -> LanguageDecision:
        """The language of ``speech``: among ``expected`` (see ``policy.decide_language``),
        or without any, the detected one with ``hint`` as the fallback when unsure."""
        options = self.options
        probabilities = self._language_probabilities(speech)
        if expected:
            candidates = ([hint] if hint else []) + list(expected)
            decision = decide_language(
                probabilities, candidates, options.overwhelming_language_probability
            )
            if needs_listening(decision, options.language_threshold):
                scores = {code: self._text_likelihood(speech, code) for code in decision.expected}
                decision = prefer_listened(decision, scores, said=hint)
            return decision
        detected, probability = max(probabilities.items(), key=lambda item: item[1])
        chosen, _ = choose_language(detected, probability, hint, options.language_threshold)
        return LanguageDecision(
            chosen,
            "detected" if chosen == detected else HINT,
            detected,
            round(float(probability), 4),
            (),
            {detected: round(float(probability), 4)},
            options.language_threshold,
        )

    def decide_language(
        self, path: Path | str, hint: str | None = None, expected: Sequence[str] = ()
    ) -> LanguageDecision:
        """The language decision on the recording's first speech, without decoding it.

        Used to pick per-language weights before transcribing (one encoder pass)."""
        options = self.options
        for window in iter_windows(Path(path), options.window_seconds):
            if window.duration < _MIN_WINDOW_SECONDS:
                continue
            speech = self._speech(window.samples)
            if speech == []:
                continue
            probe = speech_only(window.samples, speech) if speech else window.samples
            decision = self._decide(probe, hint, expected)
            logger.info("%s: language %s", path, _describe(decision))
            return decision
        return LanguageDecision(hint or (expected[0] if expected else None), HINT)

    def _speech(self, samples: np.ndarray) -> list[tuple[float, float]] | None:
        """The window's speech intervals by VAD ([] when it holds none), or None with VAD
        off."""
        options = self.options
        if not options.vad:
            return None
        return speech_intervals(
            samples,
            options.vad_threshold,
            options.vad_min_silence_ms,
            options.vad_speech_pad_ms,
            options.vad_max_speech_seconds,
        )

    @abstractmethod
    def _decode(self, audio: np.ndarray, language: str | None) -> list[RawSegment]:
        """Transcribe all of ``audio`` (no VAD of its own); times relative to its start."""

    def transcribe(
        self,
        path: Path | str,
        language: str | None = None,
        *,
        force_language: bool = False,
        expected_languages: Sequence[str] = (),
    ) -> SpeechTranscript:
        """Transcribe an audio or video file.

        ``language`` is a hint (the reporter's choice), ``expected_languages`` the drive's:
        each window is decoded in the best of them unless another is overwhelming (see
        ``policy.py``). With ``force_language``, ``language`` is the language every window
        is decoded in (no detection: a check listening for known words must not drift into
        another language, and a curator's correction is final)."""
        options = self.options
        segments: list[Segment] = []
        speech_seconds: dict[str, float] = defaultdict(float)
        best_probability: dict[str, float] = defaultdict(float)
        last_detected: tuple[str | None, float] = (None, 0.0)
        decisions: dict[str, LanguageDecision] = {}
        duration = 0.0
        for window in iter_windows(Path(path), options.window_seconds):
            duration = window.offset + window.duration
            if window.duration < _MIN_WINDOW_SECONDS:
                continue
            speech = self._speech(window.samples)
            if speech == []:
                logger.info("%s @%.0fs: no speech, window skipped", path, window.offset)
                continue
            detected: str | None
            chosen: str | None
            if force_language and language:
                detected, probability = language, 1.0
                chosen = language
                decision = LanguageDecision(language, FORCED, expected=(language,))
            else:
                probe = speech_only(window.samples, speech) if speech else window.samples
                decision = self._decide(probe, language, expected_languages)
                chosen, detected = decision.chosen, decision.detected
                probability = _chosen_probability(decision)
            if chosen:
                decisions.setdefault(chosen, decision)
            last_detected = (detected, probability)
            kept = self._transcribe_window(
                window.samples, chosen, speech, segments[-1].text if segments else "", path
            )
            for segment in kept:
                _shift(segment, window.offset)
                segments.append(segment)
                if chosen:
                    speech_seconds[chosen] += segment.end - segment.start
            if chosen:
                best_probability[chosen] = max(best_probability[chosen], probability)
            logger.info(
                "%s @%.0fs: %.0fs, language %s, %d segments",
                path,
                window.offset,
                window.duration,
                _describe(decision),
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
        return SpeechTranscript(
            engine=self.engine,
            model=self.model_name,
            language=top,
            language_probability=round(float(top_probability), 4),
            duration=round(duration, 3),
            text=join_text(segments),
            segments=segments,
            language_decision=decisions[top].to_dict() if top in decisions else None,
        )

    def _transcribe_window(
        self,
        samples: np.ndarray,
        language: str | None,
        speech: list[tuple[float, float]] | None,
        previous_text: str,
        path: Path | str,
    ) -> list[Segment]:
        """Decode one window's speech regions (or all of it without VAD), guarded and sorted.

        Times are relative to the window's start.
        """
        options = self.options
        if speech is None:
            regions = [[(0.0, len(samples) / SAMPLE_RATE)]]
        else:
            regions = decode_regions(speech, options.region_group_seconds)
        kept: list[Segment] = []
        for found in self._decode_groups(samples, regions, language, path):
            accepted, dropped = filter_segments(
                found, options, speech, kept[-1].text if kept else previous_text
            )
            for reason, rejected in dropped:
                logger.info(
                    "%s: dropped segment @%.1fs of its window (%s): %r",
                    path,
                    rejected.start,
                    reason,
                    rejected.text[:80],
                )
            kept.extend(accepted)
        return kept

    def _decode_groups(
        self,
        samples: np.ndarray,
        regions: Sequence[list[tuple[float, float]]],
        language: str | None,
        path: Path | str,
    ) -> list[list[RawSegment]]:
        """Decode each group of regions on its own, up to ``decode_workers`` at a time.

        Groups are independent (no conditioning on previous text), so decoding them
        concurrently gives the same segments as one after another; the guards that look
        at the previous segment run afterwards, in order. One group (a short recording)
        is decoded in the calling thread, where language detection's encoder output is
        still cached.
        """
        if self.decode_workers == 1 or len(regions) < 2:
            return [self._decode_group(samples, group, language, path) for group in regions]
        pool = self._decode_pool()
        futures = [
            pool.submit(self._decode_group, samples, group, language, path) for group in regions
        ]
        return [future.result() for future in futures]

    def _decode_pool(self) -> ThreadPoolExecutor:
        """The transcriber's decode threads, started on first use and kept for its life."""
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    self.decode_workers, thread_name_prefix=f"{self.engine}-decode"
                )
            return self._pool

    def _decode_group(
        self,
        samples: np.ndarray,
        group: list[tuple[float, float]],
        language: str | None,
        path: Path | str,
    ) -> list[RawSegment]:
        """Decode one group of neighbouring speech regions; times relative to the window."""
        options = self.options
        found = self._decode_region(samples, group[0][0], group[-1][1], language)
        if len(group) > 1:
            # Whisper may stop after the first region of a group (end-of-text before a
            # long pause): give every region that came back empty a decode of its own.
            spans = [(r.start, r.end) for r in found]
            for start, end in uncovered(group, spans, options.min_redecode_seconds):
                logger.info("%s: re-decoding %.1f-%.1fs on its own", path, start, end)
                found.extend(self._decode_region(samples, start, end, language))
        # It may also stop after a sentence inside one region (seen on a region cut at a
        # short pause): decode what follows the last segment again, once.
        spans = [(r.start, r.end) for r in found]
        tail = untranscribed_tail(group[-1][1], spans, options.tail_redecode_seconds)
        if tail is not None:
            logger.info("%s: re-decoding the tail %.1f-%.1fs", path, *tail)
            found.extend(self._decode_region(samples, tail[0], tail[1], language))
        found.sort(key=lambda r: r.start)
        return found

    def _decode_region(
        self, samples: np.ndarray, start: float, end: float, language: str | None
    ) -> list[RawSegment]:
        """Decode ``samples[start:end]`` (seconds) alone; times relative to the window."""
        first = max(0, int(start * SAMPLE_RATE))
        audio = samples[first : int(end * SAMPLE_RATE)]
        if len(audio) < _MIN_WINDOW_SECONDS * SAMPLE_RATE:
            return []
        offset = first / SAMPLE_RATE
        raw = self._decode(audio, language)
        for segment in raw:
            segment.start += offset
            segment.end += offset
            for word in segment.words:
                word.start += offset
                word.end += offset
        return raw


def _chosen_probability(decision: LanguageDecision) -> float:
    """Whisper's probability of the chosen language (0 when it was not among those read)."""
    return float(decision.probabilities.get(decision.chosen or "", 0.0))


def _describe(decision: LanguageDecision) -> str:
    """One log line's worth of a language decision."""
    shown: Mapping[str, float] = decision.probabilities
    odds = ", ".join(f"{code} {p:.2f}" for code, p in sorted(shown.items(), key=lambda i: -i[1]))
    return f"{decision.chosen} ({decision.reason}; {odds or 'no detection'})"


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
