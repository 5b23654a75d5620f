"""Grouping vectors by meaning: plain numbers, no model."""

from __future__ import annotations

import numpy as np

from media_pipeline.insights.clusters import centre, cohesion, group, normalised


def around(direction: np.ndarray, count: int, spread: float, seed: int) -> np.ndarray:
    """``count`` unit vectors scattered a little around ``direction``."""
    noise = np.random.default_rng(seed).normal(size=(count, len(direction)))
    return normalised(direction + spread * normalised(noise))


def test_two_tight_groups_and_a_loner_are_found_as_such():
    rng = np.random.default_rng(0)
    a, b, c = normalised(rng.normal(size=(3, 384)))
    vectors = np.vstack([around(a, 4, 0.3, 1), around(b, 3, 0.3, 2), c[None, :]])
    labels = group(vectors)
    assert len(set(labels[:4])) == 1
    assert len(set(labels[4:7])) == 1
    assert labels[0] != labels[4]
    assert labels[0] == 0  # the largest group is numbered first
    assert labels[7] == -1  # alone: in no group


def test_a_group_of_texts_not_alike_enough_is_no_topic():
    vectors = normalised(np.random.default_rng(3).normal(size=(6, 384)))
    assert (group(vectors) == -1).all()


def test_too_few_rows_give_no_group_or_one_pair():
    assert group(np.zeros((0, 384))).tolist() == []
    one = normalised(np.random.default_rng(4).normal(size=(1, 384)))
    assert group(one).tolist() == [-1]
    assert group(np.vstack([one, one])).tolist() == [0, 0]


def test_cohesion_and_centre_of_identical_rows():
    row = normalised(np.arange(1, 385, dtype=np.float32))
    rows = np.vstack([row, row, row])
    assert abs(cohesion(rows, np.arange(3)) - 1.0) < 1e-6
    assert np.allclose(centre(rows), row[0])


def test_told_languages_group_by_topic_not_by_language():
    """As with the model: every text shares much, and each language shifts its texts one
    way more than a topic does. Told the languages, the grouping follows the topics."""
    rng = np.random.default_rng(5)
    shared, topic_a, topic_b, finnish, english = normalised(rng.normal(size=(5, 384)))
    rows, languages = [], []
    told = [(topic_a, "fi", finnish), (topic_b, "fi", finnish)] * 5
    told += [(topic_a, "en", english), (topic_b, "en", english)] * 5
    for seed, (topic, language, shift) in enumerate(told):
        rows.append(around(2.0 * shared + 0.5 * topic + 0.6 * shift, 1, 0.3, seed)[0])
        languages.append(language)
    vectors = np.vstack(rows)
    plain = group(vectors)
    assert plain[0] != plain[10]  # one topic in Finnish and in English: apart
    by_topic = group(vectors, languages)
    assert set(by_topic[0::2]) == {by_topic[0]}
    assert set(by_topic[1::2]) == {by_topic[1]}
    assert by_topic[0] != by_topic[1]
    assert -1 not in by_topic
