"""faster-whisper (CTranslate2) engine: Tarina's default."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from media_pipeline.speech.decoding import decode_greedy_first
from media_pipeline.speech.engines.base import WindowedTranscriber
from media_pipeline.speech.policy import (
    UNREADABLE_SCORE,
    DecodeOptions,
    RawSegment,
    listening_score,
)
from media_pipeline.speech.results import Word
from media_pipeline.speech.weights import FASTER_WHISPER


class LastEncodingCache:
    """Wrap an encoder so the same 30 s input twice in a row is encoded once.

    Language detection encodes the speech it is given; when that is exactly the region
    decoded next (a short story: one speech region), the decoder's first encoding is the
    same computation. Inputs are compared exactly, so a hit never changes the result.
    One entry per thread: a transcriber may be shared by threads.
    """

    def __init__(self, encode: Callable[[np.ndarray], Any]):
        self._encode = encode
        self._last = threading.local()

    def __call__(self, features: np.ndarray) -> Any:
        """The encoder output for ``features`` (n_mels x 3000 frames)."""
        last = getattr(self._last, "entry", None)
        if last is not None and np.array_equal(last[0], features):
            return last[1]
        output = self._encode(features)
        self._last.entry = (np.array(features, copy=True), output)
        return output


class FasterWhisperTranscriber(WindowedTranscriber):
    """Whisper through CTranslate2: much faster than PyTorch on CPU at equal accuracy."""

    engine = FASTER_WHISPER

    def __init__(
        self,
        model_dir: Path,
        model_name: str,
        device: str,
        compute_type: str,
        threads: int,
        options: DecodeOptions | None = None,
        decode_workers: int = 1,
    ):
        """Load the model; ``threads`` are shared out among ``decode_workers``.

        With several workers CTranslate2 keeps one model replica per worker (int8 base:
        ~75 MB each) and runs that many calls at once, each on ``threads // workers``
        threads (a beam-search step is too small a job to split well across threads).
        """
        from faster_whisper import WhisperModel

        super().__init__(model_name, device, options, decode_workers)
        self.compute_type = compute_type
        # A local folder: faster-whisper never contacts the Hugging Face hub for it.
        self._model = WhisperModel(
            str(model_dir),
            device=device,
            compute_type=compute_type,
            cpu_threads=max(1, threads // self.decode_workers),
            num_workers=self.decode_workers,
            local_files_only=True,
        )
        # Instance attribute: generate_segments and detect_language call self.encode.
        self._model.encode = LastEncodingCache(self._model.encode)

    def _language_probabilities(self, speech: np.ndarray) -> dict[str, float]:
        # Features without their last frame, as transcribe() feeds the decoder: the encoder
        # input is then identical when ``speech`` is the region decoded next (see above).
        features = self._model.feature_extractor(speech)[..., :-1]
        _language, _probability, all_probabilities = self._model.detect_language(
            features=features, language_detection_segments=1
        )
        return {code: float(p) for code, p in all_probabilities}

    def _text_likelihood(self, speech: np.ndarray, language: str) -> float:
        segments, _info = self._model.transcribe(
            speech[: 30 * 16_000],
            language=language,
            task="transcribe",
            beam_size=1,
            temperature=0.0,
            without_timestamps=True,
            word_timestamps=False,
            vad_filter=False,
            condition_on_previous_text=False,
        )
        found = list(segments)
        tokens = sum(len(s.tokens) for s in found)
        if not tokens:
            return UNREADABLE_SCORE
        average = sum(s.avg_logprob * len(s.tokens) for s in found) / tokens
        looped = max(s.compression_ratio for s in found)
        return listening_score(average, tokens, looped, self.options.compression_ratio_threshold)

    def _decode(self, audio: np.ndarray, language: str | None) -> list[RawSegment]:
        return decode_greedy_first(lambda o: self._decode_with(audio, language, o), self.options)

    def _decode_with(
        self, audio: np.ndarray, language: str | None, o: DecodeOptions
    ) -> list[RawSegment]:
        """Decode ``audio`` once with options ``o``."""
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
            without_timestamps=o.without_timestamps,
            word_timestamps=True,
            # VAD already chose what to decode (base.py); faster-whisper's own VAD would
            # glue distant regions into one input, where Whisper drops all but the first.
            vad_filter=False,
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

    def align_window(self, samples: np.ndarray, text: str, language: str | None) -> list[Word]:
        """Place the words of ``text`` in ``samples`` (≤ 30 s), as Whisper's word timestamps
        do for its own text: CTranslate2's cross-attention alignment (``Whisper.align``)."""
        from faster_whisper.audio import pad_or_trim
        from faster_whisper.tokenizer import Tokenizer

        model = self._model
        features = model.feature_extractor(samples.astype(np.float32, copy=False))[..., :-1]
        frames = min(features.shape[-1], model.feature_extractor.nb_max_frames)
        tokenizer = Tokenizer(
            model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language=language
        )
        text_tokens = tokenizer.encode(" " + text.strip())
        if not text_tokens or frames < 1:
            return []
        encoded = model.encode(pad_or_trim(features[:, :frames]))
        [words] = model.find_alignment(tokenizer, [text_tokens], encoded, frames)
        return [
            Word(float(w["start"]), float(w["end"]), w["word"], float(w["probability"]))
            for w in words
        ]
