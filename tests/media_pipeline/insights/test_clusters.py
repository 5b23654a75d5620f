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
