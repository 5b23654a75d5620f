"""The taxonomy's own examples: validated with the taxonomy, and from day one (no curated
stories) they let a story's meaning carry a theme its words do not name."""

from __future__ import annotations

from typing import Any

import pytest

from media_pipeline.meaning import encoder
from media_pipeline.themes import load_default, tag
from media_pipeline.themes.semantic import TAXONOMY, SemanticModel
from media_pipeline.themes.taxonomy import (
    MAX_EXAMPLE_CHARS,
    Taxonomy,
    TaxonomyError,
)

# Technology as the only way in, told through what happened: none of its signal words.
UNSAID = (
    "Since the bank codes are needed for everything now, my grandfather cannot even book "
    "the dentist."
)


@pytest.fixture(scope="module")
def english() -> Taxonomy:
    """The shipped taxonomy with English descriptions and examples only (quick to embed)."""
    data = load_default().to_dict()
    for theme in data["themes"]:
        theme["descriptions"] = {"en": theme["descriptions"]["en"]}
        theme["examples"] = {"en": theme["examples"]["en"]}
    return Taxonomy.from_dict(data)


def test_every_theme_ships_examples_in_every_language():
    taxonomy = load_default()
    for theme in taxonomy.themes:
        for language in ("en", "fi", "sv", "de"):
            assert 8 <= len(theme.examples.get(language, ())) <= 12, (theme.slug, language)
    assert Taxonomy.from_dict(taxonomy.to_dict()) == taxonomy


def test_an_implicit_story_gets_its_theme_from_the_examples_without_curated_stories(english):
    words = tag(UNSAID, "en", english)
    assert words.get("technology").lexicon_score == 0  # none of its signal words
    assert "technology" not in words.suggested
    model = SemanticModel.build(english, encoder())
    assert not model.curated
    result = tag(UNSAID, "en", english, semantic=model)
    assert result.suggested == ["technology"]
    decided = result.get("technology")
    assert decided.example is not None
    assert decided.example.source == TAXONOMY
    assert decided.example.key.startswith("technology/en/")
    assert decided.example.excerpt in english.theme("technology").examples["en"]


def test_a_curator_edits_examples_in_one_language():
    taxonomy = load_default()
    edited = taxonomy.with_examples("learning", "fi", ["Kysyttiin, ja   muutettiin."])
    assert edited.theme("learning").examples["fi"] == ("Kysyttiin, ja muutettiin.",)
    assert edited.theme("learning").examples["en"] == taxonomy.theme("learning").examples["en"]
    assert "fi" not in edited.with_examples("learning", "fi", []).theme("learning").examples


@pytest.mark.parametrize(
    "examples",
    [
        ["a list, not a map"],
        "text",
        {"en": "not a list"},
        {"en": [""]},
        {"en": ["   "]},
        {"en": [42]},
        {"en": [None]},
        {"en": ["x" * (MAX_EXAMPLE_CHARS + 1)]},
        {"en": ["ok"] * 101},
        {"e n": ["ok"]},
    ],
)
def test_malformed_examples_are_refused(examples: Any):
    data = load_default().to_dict()
    data["themes"][0]["examples"] = examples
    with pytest.raises(TaxonomyError):
        Taxonomy.from_dict(data)
