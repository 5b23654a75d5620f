"""Curated published stories become the tagger's labelled examples by meaning."""

from __future__ import annotations

import json
from pathlib import Path

from stories.domain import embeddings, themes
from stories.models import PublishedStory, StoryTheme, Theme
from tests.factories import StoryFactory, published_story

LABELLED = Path(__file__).resolve().parents[1] / "data" / "themes" / "stories.jsonl"
# Transparency, without its words.
UNSAID = (
    "I applied for housing support and heard nothing for four months. The website only "
    "said 'pending'. When I finally rang, they said a page had been missing since the first "
    "week, but nobody had sent me a single message about it."
)


def curate(count: int) -> list[dict]:
    """``count`` published stories with the themes a curator confirmed, embedded."""
    rows = [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines()]
    done = {p.text for p in PublishedStory.objects.all()}
    chosen = [r for r in rows if r["split"] == "train" and r["text"] not in done][:count]
    by_slug = {t.slug: t for t in Theme.objects.all()}
    for row in chosen:
        published_story(
            story__title="",
            story__text=row["text"],
            story__language=row["language"],
            themes=[by_slug[slug] for slug in row["themes"]],
        )
    embeddings.embed_missing()
    return chosen


def test_curated_stories_join_the_taxonomys_examples_once_enough_are_curated(db, settings):
    settings.TARINA_THEMES_MIN_EXAMPLES = 3  # 20 in service; fewer keep the test quick
    themes.current_version()
    fresh = themes.semantic_model()
    assert fresh is not None  # the taxonomy's own examples from the first story on
    assert not fresh.curated
    assert len(fresh.taxonomy_examples) == sum(
        len(texts) for t in themes.current_taxonomy().themes for texts in t.examples.values()
    )
    curate(2)
    model = themes.semantic_model()
    assert model is not None
    assert not model.curated
    chosen = curate(1)
    model = themes.semantic_model()
    assert model is not None
    assert len(model.curated) == 3
    assert model.taxonomy_examples[0] is fresh.taxonomy_examples[0]  # not embedded again
    assert {e.themes for e in model.curated if e.text == chosen[0]["text"]} == {
        frozenset(chosen[0]["themes"])
    }

    story = StoryFactory(title="", text=UNSAID, language="en")
    stored = {t.theme.slug: t for t in themes.suggest(story)}
    assert stored
    for tag in StoryTheme.objects.filter(story=story):
        for evidence in tag.evidence:
            if "example" in evidence:  # decided by meaning: a curated story or a vignette
                assert evidence["example"] in {e.key for e in model.examples}
                assert evidence["source"] in {"curated", "taxonomy"}
            else:
                assert UNSAID[evidence["start"] : evidence["end"]] == evidence["text"]


def test_the_meaning_can_be_turned_off(db, settings):
    settings.TARINA_THEMES_BY_MEANING = False
    assert themes.semantic_model() is None
