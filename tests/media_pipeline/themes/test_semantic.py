"""Themes recognised from a story's meaning: curated examples vote, the lexicon keeps its
evidence, and the nearest curated story is shown when the meaning decides."""

from __future__ import annotations

import numpy as np

from media_pipeline.meaning import DIMENSIONS
from media_pipeline.themes import load_default, tag
from media_pipeline.themes.learning import TrainingExample, train
from media_pipeline.themes.semantic import WEIGHT, WEIGHT_WITHOUT_WORDS, Example, SemanticModel

# Says nothing in the theme's words: the letter, the number that never answers.
UNSAID = "The letter said not eligible and gave a number that never answers."


def unit(seed: int) -> np.ndarray:
    vector = np.random.default_rng(seed).normal(size=DIMENSIONS).astype(np.float32)
    return vector / np.linalg.norm(vector)


def model_with_examples() -> SemanticModel:
    taxonomy = load_default()
    descriptions = {slug: unit(i)[None, :] for i, slug in enumerate(taxonomy.slugs)}
    descriptions["transparency"] = unit(1000)[None, :]
    examples = [
        Example(f"ex-{i}", f"Curated story {i} about a refusal nobody would explain.",
                frozenset({"transparency"}), unit(1000) * 0.9 + unit(2000 + i) * 0.1)
        for i in range(5)
    ] + [
        Example(f"other-{i}", "A story about the bus.", frozenset({"accessibility"}),
                unit(3000 + i))
        for i in range(5)
    ]  # fmt: skip
    for e in examples:
        e.vector[:] = e.vector / np.linalg.norm(e.vector)
    return SemanticModel(taxonomy, descriptions, examples)


def test_the_meaning_suggests_a_theme_the_words_do_not_carry():
    taxonomy = load_default()
    assert "transparency" not in tag(UNSAID, "en", taxonomy).suggested
    result = tag(UNSAID, "en", taxonomy, semantic=model_with_examples(), meaning_vector=unit(1000))
    assert result.suggested[0] == "transparency"
    decided = result.get("transparency")
    assert decided.example is not None
    assert decided.example.key.startswith("ex-")
    assert "refusal" in decided.example.excerpt
    assert decided.meaning_score is not None
    assert decided.meaning_score > 0.5


def test_lexicon_evidence_stays_when_the_words_carry_the_theme():
    text = "Nobody listened to us at the meeting, and then at last someone really listened."
    taxonomy = load_default()
    plain = tag(text, "en", taxonomy).get("empathy")
    blended = tag(text, "en", taxonomy, semantic=model_with_examples(), meaning_vector=unit(7))
    empathy = blended.get("empathy")
    assert plain.evidence
    assert empathy.evidence == plain.evidence
    assert empathy.example is None


def test_the_probe_learns_each_theme_from_its_labelled_texts():
    """The linear probe tells a theme's texts from the others' by where they lie, not by
    how close the nearest one is: a story on the transparency side scores it high, and
    the themes it has nothing of score low."""
    model = model_with_examples()
    story = unit(1000) * 0.6 + unit(99) * 0.4
    story /= np.linalg.norm(story)
    scores = model.score(story).scores
    assert scores["transparency"] > 0.5
    assert max(v for slug, v in scores.items() if slug != "transparency") < 0.3


def test_curated_stories_move_the_probe():
    """A curator's confirmed stories are training data for the probe: once some stories
    near a direction carry a theme, a new story there gets that theme by meaning."""
    model = model_with_examples()
    direction = unit(5000)
    before = model.score(direction).scores["assets"]
    near = [direction * 0.8 + unit(6000 + i) * 0.2 for i in range(6)]
    curated = [
        Example(f"assets-{i}", "A story about what the neighbours know.", frozenset({"assets"}),
                vector / np.linalg.norm(vector))
        for i, vector in enumerate(near)
    ]  # fmt: skip
    after = model.with_curated([*model.curated, *curated]).score(direction).scores["assets"]
    assert after > before + 0.3


def test_the_meaning_weighs_more_when_no_theme_has_its_words():
    """A story whose words reach no theme's threshold is scored mostly by its meaning
    (WEIGHT_WITHOUT_WORDS); one whose words carry a theme, half and half."""
    taxonomy = load_default()
    model = model_with_examples()
    wordless = "The decision arrived on a Tuesday, three lines long, signed by nobody."
    assert max(s.lexicon_score for s in tag(wordless, "en", taxonomy).suggestions) < 0.5
    result = tag(wordless, "en", taxonomy, semantic=model, meaning_vector=unit(1000))
    assert result.suggested == ["transparency"]
    decided = result.get("transparency")
    assert decided.meaning_score is not None
    expected = (1 - WEIGHT_WITHOUT_WORDS) * decided.lexicon_score
    expected += WEIGHT_WITHOUT_WORDS * decided.meaning_score
    assert abs(decided.score - expected) < 1e-3
    said = "Nobody listened to us at the meeting, and then at last someone really listened."
    empathy = tag(said, "en", taxonomy, semantic=model, meaning_vector=unit(7)).get("empathy")
    assert empathy.meaning_score is not None
    expected = (1 - WEIGHT) * empathy.lexicon_score + WEIGHT * empathy.meaning_score
    assert abs(empathy.score - expected) < 1e-3


def test_without_words_the_trained_model_shares_the_words_part():
    """A bag-of-words model has little to say about a story with no theme's words: there
    it shares the lexicon's part of the blend instead of overruling the meaning."""
    taxonomy = load_default()
    confirmed = [
        f"The permit office refused us again, case {i}, nobody would explain." for i in range(6)
    ]
    rejected = [f"We sang in the library choir on day {i} and laughed a lot." for i in range(6)]
    examples = [
        TrainingExample(t, "en", frozenset({"transparency"}), frozenset()) for t in confirmed
    ] + [TrainingExample(t, "en", frozenset(), frozenset({"transparency"})) for t in rejected]
    model = train(examples, taxonomy)
    wordless = "The decision arrived on a Tuesday, three lines long, signed by nobody."
    result = tag(
        wordless, "en", taxonomy, model=model, semantic=model_with_examples(),
        meaning_vector=unit(1000),
    )  # fmt: skip
    decided = result.get("transparency")
    assert decided.model_score is not None
    assert decided.meaning_score is not None
    w = model.blend_weight("transparency")
    words = (1 - w) * decided.lexicon_score + w * decided.model_score
    expected = (1 - WEIGHT_WITHOUT_WORDS) * words + WEIGHT_WITHOUT_WORDS * decided.meaning_score
    assert abs(decided.score - expected) < 1e-3
