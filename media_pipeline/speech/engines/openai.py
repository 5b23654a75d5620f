"""openai-whisper (PyTorch) engine: the reference implementation, on converted weights."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from media_pipeline.speech.engines.base import WindowedTranscriber
from media_pipeline.speech.policy import DecodeOptions, RawSegment, listening_score
from media_pipeline.speech.results import Word
from media_pipeline.speech.weights import OPENAI_WHISPER, alignment_heads_dump


def load_openai_whisper(checkpoint: Path, device: str) -> Any:
    """``whisper.load_model`` on a local checkpoint, plus the model's real alignment heads.

    ``load_model(path)`` only knows alignment heads for official model names and falls
    back to "all heads of the upper decoder half" for a path, which blurs word timestamps.
    Our checkpoints carry the heads from CTranslate2's config.json.
    """
    import torch
    from whisper.model import ModelDimensions, Whisper

    checkpoint_data = torch.load(str(checkpoint), map_location="cpu", weights_only=True)
    dims = ModelDimensions(**checkpoint_data["dims"])
    model = Whisper(dims)
    # Same steps as whisper.load_model(path), which would need a second read for the heads.
    model.load_state_dict(checkpoint_data["model_state_dict"], strict=True)
    heads = checkpoint_data.get("alignment_heads") or []
    del checkpoint_data
    if heads:
        model.set_alignment_heads(alignment_heads_dump(heads, dims.n_text_layer, dims.n_text_head))
    model = model.to(device)
    return model


class OpenAIWhisperTranscriber(WindowedTranscriber):
    """Whisper through openai-whisper on PyTorch (float16 on CUDA, float32 on CPU)."""

    engine = OPENAI_WHISPER

    def __init__(
        self,
        checkpoint: Path,
        model_name: str,
        device: str,
        threads: int,
        options: DecodeOptions | None = None,
    ):
        import torch

        super().__init__(model_name, device, options)
        if threads > 0:
            # Process-wide: torch has one intra-op pool. Matches faster-whisper's cpu_threads.
            torch.set_num_threads(threads)
        self.compute_type = "float16" if device == "cuda" else "float32"
        self._model = load_openai_whisper(checkpoint, device)

    def _language_probabilities(self, speech: np.ndarray) -> dict[str, float]:
        import torch
        import whisper

        mel = whisper.log_mel_spectrogram(
            whisper.pad_or_trim(speech.astype(np.float32)), self._model.dims.n_mels
        ).to(self.device)
        with torch.inference_mode():
            _, probs = self._model.detect_language(mel)
        return {code: float(p) for code, p in probs.items()}

    def _text_likelihood(self, speech: np.ndarray, language: str) -> float:
        import torch
        import whisper

        mel = whisper.log_mel_spectrogram(
            whisper.pad_or_trim(speech.astype(np.float32)), self._model.dims.n_mels
        ).to(self.device)
        options = whisper.DecodingOptions(
            language=language,
            temperature=0.0,
            without_timestamps=True,
            fp16=self.device == "cuda",
        )
        with torch.inference_mode():
            result = whisper.decode(self._model, mel, options)
        return listening_score(
            float(result.avg_logprob),
            len(result.tokens),
            float(result.compression_ratio),
            self.options.compression_ratio_threshold,
        )

    def _decode(self, audio: np.ndarray, language: str | None) -> list[RawSegment]:
        import whisper

        o = self.options
        result = whisper.transcribe(
            self._model,
            audio.astype(np.float32, copy=False),
            verbose=None,
            language=language,
            task="transcribe",
            temperature=o.temperatures,
            compression_ratio_threshold=o.compression_ratio_threshold,
            logprob_threshold=o.log_prob_threshold,
            no_speech_threshold=o.no_speech_threshold,
            condition_on_previous_text=o.condition_on_previous_text,
            word_timestamps=True,
            hallucination_silence_threshold=o.hallucination_silence_threshold,
            beam_size=o.beam_size,
            best_of=o.best_of,
            without_timestamps=o.without_timestamps,
            fp16=self.device == "cuda",
        )
        return [
            RawSegment(
                start=float(s["start"]),
                end=float(s["end"]),
                text=s["text"],
                words=[
                    Word(float(w["start"]), float(w["end"]), w["word"], float(w["probability"]))
                    for w in s.get("words", [])
                ],
                avg_logprob=float(s["avg_logprob"]),
                no_speech_prob=float(s["no_speech_prob"]),
                compression_ratio=float(s["compression_ratio"]),
            )
            for s in result["segments"]
        ]

    def align_window(self, samples: np.ndarray, text: str, language: str | None) -> list[Word]:
        """Place the words of ``text`` in ``samples`` (≤ 30 s) with openai-whisper's own
        alignment (``whisper.timing.find_alignment``), as its word timestamps do."""
        import torch
        import whisper
        from whisper.audio import N_FRAMES, N_SAMPLES
        from whisper.timing import find_alignment
        from whisper.tokenizer import get_tokenizer

        model = self._model
        mel = whisper.log_mel_spectrogram(
            samples.astype(np.float32, copy=False), model.dims.n_mels, padding=N_SAMPLES
        )
        frames = min(mel.shape[-1] - N_FRAMES, N_FRAMES)
        tokenizer = get_tokenizer(
            model.is_multilingual,
            num_languages=model.num_languages,
            language=language,
            task="transcribe",
        )
        text_tokens = tokenizer.encode(" " + text.strip())
        if not text_tokens or frames < 1:
            return []
        segment = whisper.pad_or_trim(mel[:, :frames], N_FRAMES).to(self.device)
        if self.device == "cuda":
            segment = segment.half()
        with torch.inference_mode():
            words = find_alignment(model, tokenizer, text_tokens, segment, frames)
        return [Word(float(w.start), float(w.end), w.word, float(w.probability)) for w in words]
