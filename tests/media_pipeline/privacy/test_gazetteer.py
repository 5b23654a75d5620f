"""The compact gazetteer: small, fast to load, rebuilt only when missing."""

from __future__ import annotations

import time

import pytest

from media_pipeline.privacy import GazetteerMissing, build_gazetteer, load_gazetteer
from media_pipeline.privacy.gazetteer import FIRST, LAST, PLACE

from .conftest import MODELS


def test_contents(gazetteer):
    assert gazetteer.lookup("Mikael") & FIRST
    assert gazetteer.lookup("Virtanen") & LAST
    assert gazetteer.lookup("Lahti") & PLACE
    assert gazetteer.is_common_word("Anna", "fi")
    assert not gazetteer.is_common_word("Mikael", "fi")
    # Noise that names-dataset ranks among popular first names is dropped.
    for word in ("Frau", "Hei", "Olen", "Moi"):
        assert gazetteer.lookup(word) == 0


def test_file_is_compact_and_loads_fast(gazetteer):
    path = build_gazetteer(MODELS)  # already built: returns at once
    assert path.stat().st_size < 2_000_000
    load_gazetteer.cache_clear()
    started = time.monotonic()
    load_gazetteer(path)
    assert time.monotonic() - started < 3.0


def test_missing_file_says_how_to_build_it(tmp_path):
    with pytest.raises(GazetteerMissing, match="provision_models"):
        load_gazetteer(tmp_path / "nothing.tsv.gz")
