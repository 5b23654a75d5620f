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
