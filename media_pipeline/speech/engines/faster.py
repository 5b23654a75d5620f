"""faster-whisper (CTranslate2) engine: Tarina's default."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from media_pipeline.speech.engines.base import WindowedTranscriber
from media_pipeline.speech.policy import DecodeOptions, RawSegment
from media_pipeline.speech.transcript import Word
from media_pipeline.speech.weights import FASTER_WHISPER


class FasterWhisperTranscriber(WindowedTranscriber):
    """Whisper through CTranslate2: ~4x faster than PyTorch on CPU at equal accuracy."""

    engine = FASTER_WHISPER

    def __init__(
        self,
        model_dir: Path,
        model_name: str,
        device: str,
        compute_type: str,
        threads: int,
        options: DecodeOptions | None = None,
    ):
        from faster_whisper import WhisperModel

        super().__init__(model_name, device, options)
        self.compute_type = compute_type
        # A local folder: faster-whisper never contacts the Hugging Face hub for it.
        self._model = WhisperModel(
            str(model_dir),
            device=device,
            compute_type=compute_type,
            cpu_threads=threads,
            num_workers=1,
            local_files_only=True,
        )

    def _detect_language(self, speech: np.ndarray) -> tuple[str, float]:
        language, probability, _ = self._model.detect_language(
            audio=speech, language_detection_segments=1
        )
        return language, float(probability)

    def _decode(self, audio: np.ndarray, language: str | None) -> list[RawSegment]:
        o = self.options
        segments, _info = self._model.transcribe(
            audio,
            language=language,
            task="transcribe",
            beam_size=o.beam_size,
            best_of=o.best_of,
            temperature=list(o.temperatures),
            compression_ratio_threshold=o.compression_ratio_threshold,
            log_prob_threshold=o.log_prob_threshold,
            no_speech_threshold=o.no_speech_threshold,
            condition_on_previous_text=o.condition_on_previous_text,
            word_timestamps=True,
            vad_filter=o.vad,
            vad_parameters={
                "threshold": o.vad_threshold,
                "min_silence_duration_ms": o.vad_min_silence_ms,
                "speech_pad_ms": o.vad_speech_pad_ms,
            },
            hallucination_silence_threshold=o.hallucination_silence_threshold,
        )
        # `segments` is a generator: decoding happens as it is consumed.
        return [
            RawSegment(
                start=float(s.start),
                end=float(s.end),
                text=s.text,
                words=[
                    Word(float(w.start), float(w.end), w.word, float(w.probability))
                    for w in s.words or []
                ],
                avg_logprob=float(s.avg_logprob),
                no_speech_prob=float(s.no_speech_prob),
                compression_ratio=float(s.compression_ratio),
            )
            for s in segments
        ]
