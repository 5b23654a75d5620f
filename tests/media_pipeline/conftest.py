"""Fixtures for the speech tests: provisioned models and the FLEURS clips."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
# Real speech lives next to the repository (CC BY 4.0) and is never copied into it.
FLEURS = REPO.parent / "shared" / "speech" / "fleurs"
# Ignored by git; shared across runs so the conversion is done once per machine.
MODELS_CACHE = REPO / "var" / "models"


@pytest.fixture(scope="session")
def speech_models_dir() -> Path:
    """A models folder with base provisioned for both engines (idempotent, ~4 s the first time)."""
    from media_pipeline.speech.weights import provision

    provision(MODELS_CACHE)
    return MODELS_CACHE


@pytest.fixture(scope="session")
def fleurs_dir() -> Path:
    """The FLEURS clips folder, or skip when this checkout has none beside it."""
    if not any(FLEURS.glob("fleurs-*.ogg")):
        pytest.skip(f"FLEURS clips not found at {FLEURS} (shared/speech/fleurs next to the repo)")
    return FLEURS


def write_wav(path: Path, samples: np.ndarray, rate: int = 16_000) -> Path:
    """Write float samples in [-1, 1] as 16-bit mono WAV with the stdlib."""
    pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm.tobytes())
    return path
