"""The gazetteer, built once into var/models/privacy (ignored by git) and loaded once."""

from __future__ import annotations

from pathlib import Path

import pytest

from media_pipeline.privacy import Gazetteer, build_gazetteer, load_gazetteer

ROOT = Path(__file__).resolve().parents[3]
MODELS = ROOT / "var" / "models" / "privacy"


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    """Builds on first use (~20 s, needs names-dataset), then reuses the file."""
    return load_gazetteer(build_gazetteer(MODELS))


@pytest.fixture(scope="session")
def find(gazetteer):
    """``find(text, language, **kw)``: ``detect`` with the session's gazetteer, as
    ``(type, text)`` pairs."""
    from media_pipeline.privacy import detect

    def run(text: str, language: str, **kwargs) -> list[tuple[str, str]]:
        spans = detect(text, language, gazetteer=gazetteer, **kwargs)
        for span in spans:
            assert text[span.start : span.end] == span.text
        return [(s.type.value, s.text) for s in spans]

    return run
