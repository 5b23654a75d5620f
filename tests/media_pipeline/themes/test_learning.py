"""The model learned from curator decisions."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

from media_pipeline.meaning import DIMENSIONS
from media_pipeline.themes import (
    Decision,
    ThemeModel,
    TrainingExample,
    examples_from_decisions,
    tag,
    train,
)
from media_pipeline.themes.evaluation import evaluate, load_stories
from media_pipeline.themes.learning import FeatureConfig
from tests.media_pipeline.themes.conftest import DATA

# The sets the lexicon and the model were tuned on, and the one set aside for the end
# (docs/themes.md, "Evaluation").
TUNING = ("stories.jsonl", "dev_stories.jsonl", "blind1_stories.jsonl")
HOLDOUT = "holdout_stories.jsonl"


@pytest.fixture(scope="module")
def split(stories, taxonomy):
    train_split = [s for s in stories if s.split == "train"]
    test_split = [s for s in stories if s.split == "test"]
    return train_split, test_split


@pytest.fixture(scope="module")
def model(split, taxonomy):
    train_split, _ = split
    examples = [
        TrainingExample(s.text, s.language, s.themes, frozenset(taxonomy.slugs) - s.themes)
        for s in train_split
    ]
    return train(examples, taxonomy)


def test_labelled_set_is_well_formed(stories, taxonomy):
    assert len(stories) >= 80
    by_lang = {
        lang: [s for s in stories if s.language == lang] for lang in ("en", "fi", "sv", "de")
    }
    assert all(len(v) >= 20 for v in by_lang.values())
    assert sum(len(s.themes) > 1 for s in stories) >= len(stories) / 3
    for slug in taxonomy.slugs:
        for split_name in ("train", "test"):
            assert any(slug in s.themes and s.split == split_name for s in stories), slug
    for lang, items in by_lang.items():
        n_train = sum(s.split == "train" for s in items)
        assert abs(n_train - len(items) / 2) <= 1, lang
    assert len({s.id for s in stories}) == len(stories)


def test_blind_sets_are_well_formed(taxonomy):
    for name in ("blind1_stories.jsonl", HOLDOUT):
        stories = load_stories(DATA / name)
        assert len(stories) == 80, name
        for lang in ("en", "fi", "sv", "de"):
            assert sum(s.language == lang for s in stories) == 20, (name, lang)
        assert sum(len(s.themes) > 1 for s in stories) >= len(stories) / 3, name
        for slug in taxonomy.slugs:
            assert sum(slug in s.themes for s in stories) >= 5, (name, slug)


def test_training_on_decisions_improves_held_out_f1(taxonomy):
    tuning = [story for name in TUNING for story in load_stories(DATA / name)]
    holdout = load_stories(DATA / HOLDOUT)
    examples = [
        TrainingExample(s.text, s.language, s.themes, frozenset(taxonomy.slugs) - s.themes)
        for s in tuning
    ]
    model = train(examples, taxonomy)
    lexicon_only = evaluate(holdout, taxonomy).micro.f1
    trained = evaluate(holdout, taxonomy, model=model).micro.f1
    assert trained > lexicon_only


def test_model_round_trips_through_bytes(model, split, taxonomy):
    data = model.to_bytes()
    assert isinstance(data, bytes)
    assert len(data) < 5_000_000
    loaded = ThemeModel.from_bytes(data)
    text = "Nuorisotalolla meitä kuunneltiin ja saimme päättää itse."
    a = tag(text, "fi", taxonomy, model=model)
    b = tag(text, "fi", taxonomy, model=loaded)
    # Weights are stored as float32, so scores agree to well within rounding.
    assert {s.theme: s.score for s in b.suggestions} == pytest.approx(
        {s.theme: s.score for s in a.suggestions}, abs=1e-3
    )
    assert a.suggested == b.suggested
    train_split, _ = split
    assert loaded.n_decisions == model.n_decisions == len(train_split) * len(taxonomy.slugs)


def test_garbage_bytes_are_rejected():
    with pytest.raises(ValueError, match="theme model"):
        ThemeModel.from_bytes(b"definitely not a model")


def test_tagging_with_a_model_reports_model_scores(model, taxonomy):
    result = tag("Personalen lyssnade på oss.", "sv", taxonomy, model=model)
    assert result.model_decisions == model.n_decisions
    s = result.get("empathy")
    assert s.model_score is not None
    assert 0 <= s.model_score <= 1
    w = model.blend_weight("empathy")
    assert 0 < w < 1
    assert s.score == pytest.approx((1 - w) * s.lexicon_score + w * s.model_score, abs=1e-3)


def test_blend_weight_grows_with_confirmed_stories(model):
    counts = dict(model.decisions)
    few = ThemeModel(**{**model.__dict__, "positives": {k: 2 for k in counts}})
    many = ThemeModel(**{**model.__dict__, "positives": {k: 500 for k in counts}})
    assert few.blend_weight("power") < model.blend_weight("power") < many.blend_weight("power")
    assert many.blend_weight("power") <= model.max_weight
    # Sixteen confirmed stories already give the model a quarter of the say.
    sixteen = ThemeModel(**{**model.__dict__, "positives": {"power": 16}})
    assert sixteen.blend_weight("power") == pytest.approx(16 / 61)


def test_a_model_saved_before_confirmed_counts_keeps_its_weight(model):
    legacy = ThemeModel(**{**model.__dict__, "positives": None, "prior_strength": 400.0})
    loaded = ThemeModel.from_bytes(legacy.to_bytes())
    n = model.decisions["power"]
    assert loaded.blend_weight("power") == pytest.approx(n / (n + 400))


def test_examples_from_decisions():
    stories = {"s1": ("Meitä kuunneltiin.", "fi"), "s2": ("We tried a pilot.", "en")}
    decisions = [
        Decision("s1", "empathy", "confirm"),
        Decision("s1", "power", "reject"),
        Decision("s2", "experimentation", "add"),
        Decision("s2", "experimentation", "reject"),  # the later decision wins
        Decision("gone", "power", "confirm"),  # story no longer exists
    ]
    examples = {e.text: e for e in examples_from_decisions(stories, decisions)}
    assert examples["Meitä kuunneltiin."].positive == {"empathy"}
    assert examples["Meitä kuunneltiin."].negative == {"power"}
    assert examples["We tried a pilot."].positive == frozenset()
    assert examples["We tried a pilot."].negative == {"experimentation"}

    reviewed = examples_from_decisions(
        stories, decisions, all_themes=["empathy", "power", "context"]
    )
    s1 = next(e for e in reviewed if e.language == "fi")
    assert s1.negative == {"power", "context"}


def test_themes_without_enough_decisions_stay_lexicon_only(taxonomy):
    examples = [
        TrainingExample("Meitä kuunneltiin.", "fi", frozenset({"empathy"}), frozenset()),
        TrainingExample("We were listened to.", "en", frozenset({"empathy"}), frozenset()),
    ]
    m = train(examples, taxonomy)
    assert m.trained == ()
    result = tag("Meitä kuunneltiin.", "fi", taxonomy, model=m)
    assert result.get("empathy").score == result.get("empathy").lexicon_score


def direction(seed: int) -> np.ndarray:
    vector = np.random.default_rng(seed).normal(size=DIMENSIONS).astype(np.float32)
    return vector / np.linalg.norm(vector)


def near(seed: int, i: int) -> np.ndarray:
    vector = direction(seed) * 0.8 + direction(10_000 + seed + i) * 0.2
    return vector / np.linalg.norm(vector)


@pytest.fixture(scope="module")
def meaning_model(taxonomy):
    """Stories alike in their words, told apart only by their meaning vectors: the
    confirmed ones lie near one direction, the rejected ones near another."""
    confirmed = [
        TrainingExample(f"It happened on day {i}.", "en", frozenset({"transparency"}),
                        frozenset(), near(1, i))
        for i in range(8)
    ]  # fmt: skip
    rejected = [
        TrainingExample(f"It happened on day {i + 8}.", "en", frozenset(),
                        frozenset({"transparency"}), near(2, i))
        for i in range(8)
    ]  # fmt: skip
    return train(confirmed + rejected, taxonomy, config=FeatureConfig(meaning_scale=3.0))


def test_a_model_reads_the_meaning_vector_when_trained_on_it(meaning_model):
    assert meaning_model.reads_meaning
    lexicon = {slug: 0.0 for slug in meaning_model.themes}
    text = "It happened on day 40."
    there = meaning_model.predict(text, "en", lexicon, near(1, 99))["transparency"]
    elsewhere = meaning_model.predict(text, "en", lexicon, near(2, 99))["transparency"]
    assert there > 0.7
    assert elsewhere < 0.3
    # Without a vector the story reads as an average one: in between.
    unknown = meaning_model.predict(text, "en", lexicon)["transparency"]
    assert elsewhere < unknown < there


def test_a_model_that_reads_the_meaning_round_trips_through_bytes(meaning_model):
    loaded = ThemeModel.from_bytes(meaning_model.to_bytes())
    assert loaded.reads_meaning
    assert loaded.config == meaning_model.config
    lexicon = {slug: 0.0 for slug in meaning_model.themes}
    vector = near(1, 7)
    assert loaded.predict("Day 7.", "en", lexicon, vector) == pytest.approx(
        meaning_model.predict("Day 7.", "en", lexicon, vector), abs=1e-5
    )


def test_without_vectors_the_model_reads_words_only(taxonomy):
    examples = [
        TrainingExample(
            f"We were refused, case {i}.", "en", frozenset({"transparency"}), frozenset()
        )
        for i in range(3)
    ] + [
        TrainingExample(f"We sang on day {i}.", "en", frozenset(), frozenset({"transparency"}))
        for i in range(3)
    ]
    model = train(examples, taxonomy, config=FeatureConfig(meaning_scale=3.0))
    assert not model.reads_meaning
    lexicon = {slug: 0.0 for slug in model.themes}
    plain = model.predict("We were refused.", "en", lexicon)
    assert model.predict("We were refused.", "en", lexicon, direction(5)) == plain


def test_a_model_saved_before_it_could_read_the_meaning_still_loads(model, taxonomy):
    """A format 2 model (no meaning columns, no ``meaning_scale``) loads and predicts as
    before, whatever vector the tagger hands it."""
    data = model.to_bytes()
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        arrays = {key: npz[key] for key in npz.files}
    meta = json.loads(arrays["meta"].tobytes().decode())
    meta["format"] = 2
    del meta["config"]["meaning_scale"]
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    old = ThemeModel.from_bytes(buf.getvalue())
    assert not old.reads_meaning
    text = "Personalen lyssnade på oss."
    plain = tag(text, "sv", taxonomy, model=model).get("empathy").score
    assert (
        tag(text, "sv", taxonomy, model=old, meaning_vector=direction(3)).get("empathy").score
        == plain
    )
