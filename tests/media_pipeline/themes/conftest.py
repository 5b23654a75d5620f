"""Shared fixtures for the theme tagger tests (pure Python: no database)."""

from __future__ import annotations

from pathlib import Path

import pytest

from media_pipeline.themes.evaluation import LabelledStory, load_stories
from media_pipeline.themes.taxonomy import Taxonomy, load_default

DATA = Path(__file__).resolve().parents[2] / "data" / "themes"
STORIES = DATA / "stories.jsonl"


@pytest.fixture(scope="session")
def taxonomy() -> Taxonomy:
    return load_default()


@pytest.fixture(scope="session")
def stories() -> list[LabelledStory]:
    return load_stories(STORIES)
