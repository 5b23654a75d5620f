"""Grouping texts by meaning: average-linkage clustering of their embedding vectors.

The vectors are the multilingual sentence embeddings of ``media_pipeline.meaning``, so a
story told in Swedish and one told in English about the same thing land in one group.
The tree is built once; it is cut into 2, 3, … groups and the cut with the best
silhouette wins (the same rule the lemma topics used with k-means). A group whose texts
are on average less alike than :data:`TOPIC_FLOOR` is no topic: its texts stand alone.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from sklearn.cluster import AgglomerativeClustering
from sklearn.metrics import silhouette_score

# The encoder's similarities are compressed: unrelated texts score about 0.72 to 0.78 and
# stories about public services are 0.82 alike at the median. A topic's stories must on
# average be closer than that.
TOPIC_FLOOR = 0.83

Vectors = npt.NDArray[np.float32]
Labels = npt.NDArray[np.int_]


def normalised(vectors: npt.ArrayLike) -> Vectors:
    """Rows scaled to unit length (a zero row stays zero)."""
    rows = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.where(norms == 0, 1.0, norms)


def _cuts(children: npt.NDArray[np.int_], n: int, sizes: range) -> dict[int, Labels]:
    """Labels of every leaf for each number of groups in ``sizes``, from the merge order
    of a full tree (merge ``i`` joins nodes ``children[i]`` into node ``n + i``)."""
    labels = np.arange(n)
    members: dict[int, npt.NDArray[np.int_]] = {i: np.array([i]) for i in range(n)}
    out: dict[int, Labels] = {}
    groups = n
    if groups in sizes:
        out[groups] = labels.copy()
    for step, (a, b) in enumerate(children):
        joined = np.concatenate([members.pop(int(a)), members.pop(int(b))])
        members[n + step] = joined
        labels[joined] = n + step
        groups -= 1
        if groups in sizes:
            out[groups] = np.unique(labels, return_inverse=True)[1]
        if groups <= sizes.start:
            break
    return out


def cohesion(vectors: Vectors, rows: npt.NDArray[np.int_]) -> float:
    """The mean cosine similarity of distinct pairs among ``rows`` (1.0 for one row)."""
    if len(rows) < 2:
        return 1.0
    block = vectors[rows] @ vectors[rows].T
    n = len(rows)
    return float((block.sum() - np.trace(block)) / (n * (n - 1)))


def group(vectors: npt.ArrayLike, *, max_groups: int = 12, floor: float = TOPIC_FLOOR) -> Labels:
    """A group label for each row; ``-1`` for a row in no group of two or more.

    Rows are compared by cosine similarity. At most ``max_groups`` cuts are tried, so a
    large set still ends in a readable number of topics.
    """
    rows = normalised(vectors)
    n = len(rows)
    if n < 2:
        return np.full(n, -1)
    similarity = np.clip(rows @ rows.T, -1.0, 1.0)
    distance = np.clip(1.0 - similarity, 0.0, None)
    np.fill_diagonal(distance, 0.0)
    if n == 2:
        labels = np.zeros(2, dtype=int)
    else:
        tree = AgglomerativeClustering(
            n_clusters=None,
            metric="precomputed",
            linkage="average",
            distance_threshold=0.0,
            compute_full_tree=True,
        ).fit(distance)
        sizes = range(2, max(2, min(n - 1, max_groups)) + 1)
        cuts = _cuts(tree.children_, n, sizes)
        scored = [
            (float(silhouette_score(distance, labels, metric="precomputed")), -k, labels)
            for k, labels in cuts.items()
        ]
        labels = max(scored, key=lambda s: (s[0], s[1]))[2]
    return _keep_cohesive(rows, labels, floor)


def _keep_cohesive(rows: Vectors, labels: Labels, floor: float) -> Labels:
    """Labels renumbered 0, 1, … by group size (largest first); groups of one, or whose
    members are less alike than ``floor``, become ``-1``."""
    kept = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        if len(members) >= 2 and cohesion(rows, members) >= floor:
            kept.append(members)
    kept.sort(key=lambda m: (-len(m), int(m[0])))
    out = np.full(len(labels), -1)
    for number, members in enumerate(kept):
        out[members] = number
    return out


def centre(vectors: npt.ArrayLike) -> Vectors:
    """The unit-length mean direction of the rows."""
    return normalised(normalised(vectors).mean(axis=0))[0]
