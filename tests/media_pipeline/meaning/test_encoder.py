"""The packaged multilingual encoder: the same meaning lands close in every language."""

from __future__ import annotations

import numpy as np
import pytest

from media_pipeline.meaning import DIMENSIONS, VectorIndex, encoder, from_bytes, to_bytes

STORIES = {
    "sv-wait": "Jag fick vänta i tre månader på en tid hos läkaren. Väntetiderna är orimliga.",
    "fi-wait": "Odotin kolme kuukautta, ennen kuin pääsin lääkärin vastaanotolle.",
    "de-bench": "Im Park wurden neue Bänke aufgestellt, und die Kinder spielen dort gern.",
    "en-app": "The council's new app keeps logging me out before I can pay my rent.",
}


@pytest.fixture(scope="module")
def index() -> VectorIndex:
    vectors = encoder().passages(list(STORIES.values()))
    return VectorIndex(zip(STORIES, vectors, strict=True))


def test_an_english_query_finds_the_swedish_and_finnish_stories_first(index):
    found = index.nearest(encoder().query("long waiting times for a doctor"), 2)
    assert {n.key for n in found} == {"sv-wait", "fi-wait"}


def test_vectors_are_normalised_and_survive_storage():
    vector = encoder().passage("Der Bus kam nie.")
    assert vector.shape == (DIMENSIONS,)
    assert np.isclose(np.linalg.norm(vector), 1.0, atol=1e-3)
    assert np.array_equal(from_bytes(to_bytes(vector)), vector)
    with pytest.raises(ValueError, match="bytes"):
        from_bytes(b"\x00" * 12)


def test_the_index_honours_allowed_and_excluded_keys(index):
    query = encoder().query("waiting for an appointment")
    assert [n.key for n in index.nearest(query, 1, exclude=["sv-wait", "fi-wait"])] != ["sv-wait"]
    only = index.nearest(query, 5, allowed={"de-bench"})
    assert [n.key for n in only] == ["de-bench"]
    assert VectorIndex().nearest(query, 3) == []


def test_a_large_index_finds_what_a_full_comparison_finds():
    """The index sorts only its best rows; over 20,000 vectors, with rows left out and
    rows allowed, it must still answer exactly as comparing every row would."""
    rng = np.random.default_rng(3)
    matrix = rng.normal(size=(20_000, DIMENSIONS)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    index = VectorIndex(enumerate(matrix))
    query = matrix[17] + 0.5 * matrix[4_000]
    ranked = [int(row) for row in np.argsort(-(matrix @ query), kind="stable")]

    assert [n.key for n in index.nearest(query, 5)] == ranked[:5]
    skipped = ranked[:30]
    assert [n.key for n in index.nearest(query, 5, exclude=skipped)] == ranked[30:35]
    allowed = set(ranked[-50:])  # the least similar rows: the search must widen to them
    assert [n.key for n in index.nearest(query, 3, allowed=allowed)] == ranked[-50:-47]


def test_every_item_s_neighbours_are_what_a_search_for_it_finds():
    rng = np.random.default_rng(5)
    matrix = rng.normal(size=(300, DIMENSIONS)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    index = VectorIndex(enumerate(matrix))
    listed = dict(index.neighbours(5, block=64))  # blocks that do not divide the rows
    assert len(listed) == 300
    for key, found in listed.items():
        searched = index.nearest(matrix[int(key)], 5, exclude=[key])  # type: ignore[call-overload]
        assert [n.key for n in found] == [n.key for n in searched]
    assert list(VectorIndex([("only", matrix[0])]).neighbours(5)) == [("only", [])]
