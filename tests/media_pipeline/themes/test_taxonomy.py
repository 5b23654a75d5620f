"""The shipped taxonomy and its loader."""

from __future__ import annotations

import json

import pytest

from media_pipeline.themes import Taxonomy, TaxonomyError, from_dict, tag
from media_pipeline.themes.taxonomy import DEFAULT_PATH

SLUGS = {
    "power": "ethical_compass",
    "empathy": "ethical_compass",
    "equality": "ethical_compass",
    "transparency": "ethical_compass",
    "relationships": "ethical_compass",
    "accessibility": "system",
    "context": "system",
    "resources": "system",
    "learning": "system",
    "technology": "system",
    "assets": "catalysts",
    "capacity": "catalysts",
    "experimentation": "catalysts",
}


def test_default_taxonomy_has_the_thirteen_themes(taxonomy):
    assert taxonomy.version >= 1
    assert {t.slug: t.constellation for t in taxonomy.themes} == SLUGS
    for theme in taxonomy.themes:
        for lang in ("en", "fi", "sv", "de"):
            assert theme.labels[lang].strip()
            assert len(theme.descriptions[lang]) > 80, (theme.slug, lang)
            assert len(theme.signals[lang]) >= 10, (theme.slug, lang)


def test_round_trip_through_plain_data(taxonomy):
    data = json.loads(json.dumps(taxonomy.to_dict()))
    again = Taxonomy.from_dict(data)
    assert again.slugs == taxonomy.slugs
    assert again.scoring == taxonomy.scoring
    assert again.theme("empathy").signals == taxonomy.theme("empathy").signals


def test_shipped_file_is_what_load_default_reads(taxonomy):
    raw = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    assert [t["slug"] for t in raw["themes"]] == list(taxonomy.slugs)


@pytest.mark.parametrize(
    "broken",
    [
        {"themes": [{"slug": "a"}, {"slug": "a"}]},
        {"themes": [{"slug": "bad slug!"}]},
        {"themes": [{"slug": "a", "signals": {"en": [{"term": "x", "weight": -1}]}}]},
        {"themes": [{"slug": "a"}], "scoring": {"no_such_knob": 1}},
        {"themes": [{"slug": "a"}], "scoring": {"max_suggestions": -1}},
        {"no_themes": []},
    ],
)
def test_malformed_taxonomy_is_rejected(broken):
    with pytest.raises(TaxonomyError):
        from_dict(broken)


def test_adding_a_signal_word_changes_the_result(taxonomy):
    text = "We held a rummage sale in the stairwell and everyone chipped in."
    before = tag(text, "en", taxonomy)
    assert "resources" not in before.suggested

    edited = taxonomy.with_signal("resources", "en", "chip in", weight=1.0)
    after = tag(text, "en", edited)

    assert "resources" in after.suggested
    [evidence] = after.get("resources").evidence
    assert [t.text for t in evidence.terms] == ["chipped in"]
    # The original object is untouched: edits make a new taxonomy.
    assert "resources" not in tag(text, "en", taxonomy).suggested


def test_removing_all_signals_of_a_language_degrades_gracefully(taxonomy):
    data = taxonomy.to_dict()
    for theme in data["themes"]:
        theme["signals"].pop("sv")
    result = tag("Personalen lyssnade verkligen på oss.", "sv", from_dict(data))
    assert not result.supported
    assert result.suggested == []
