"""Grouping texts by meaning: average-linkage clustering of their embedding vectors.

The vectors are the multilingual sentence embeddings of ``media_pipeline.meaning``, in
which a story told in Swedish and one told in English about the same thing are close.
Not close enough on their own: the model also places texts by language, and on 200
labelled stories (``bench/insights_topics.py``) plain vectors split into "English" and
"the rest". So each language's own offset from the scope's mean is taken out first
(shrunk for a language with few texts, and left for one with under five, whose mean is
mostly their content). An average-linkage tree is built once, on the texts with what
they all share taken out too; it is cut into 2, 3, … groups and the cut with the best
silhouette wins (the rule the lemma topics used with k-means). A group is a topic only
if its texts are (on the model's scale, language offsets out) more alike than the
scope's texts on average and at least :data:`TOPIC_FLOOR` alike; a group that is not
is split along the tree.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from sklearn.cluster import AgglomerativeClustering
from sklearn.metrics import silhouette_score

# The encoder's similarities are compressed: unrelated texts score about 0.72 to 0.78, so
# a group less alike than this is no topic, whatever the scope.
TOPIC_FLOOR = 0.80
# ... and a topic's texts must be this much more alike than the scope's texts on average.
TOPIC_MARGIN = 0.005
# Two texts alone are one topic when they are as alike as related stories (embeddings).
PAIR_FLOOR = 0.85
# A language with n texts has n / (n + LANGUAGE_PRIOR) of its offset taken out; one with
# fewer than MIN_LANGUAGE_TEXTS none: its mean would be its few stories' content, and
# taking that out would make them look like everything else.
LANGUAGE_PRIOR = 4
MIN_LANGUAGE_TEXTS = 5

Vectors = npt.NDArray[np.float32]
Labels = npt.NDArray[np.int_]


def normalised(vectors: npt.ArrayLike) -> Vectors:
    """Rows scaled to unit length (a zero row stays zero)."""
    rows = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return (rows / np.where(norms == 0, 1.0, norms)).astype(np.float32)


class _Tree:
    """The merge tree of a full agglomerative clustering: leaf ``i < n`` is row ``i``;
    merge ``k`` joins nodes ``children[k]`` into node ``n + k``."""

    def __init__(self, children: npt.NDArray[np.int_], n: int) -> None:
        self.n = n
        self.children = [(int(a), int(b)) for a, b in children]
        self.leaves: list[npt.NDArray[np.int_]] = [np.array([i]) for i in range(n)]
        for a, b in self.children:
            self.leaves.append(np.concatenate([self.leaves[a], self.leaves[b]]))

    def cut(self, groups: int) -> list[int]:
        """The nodes that are the ``groups`` groups left after the first merges."""
        roots = set(range(self.n))
        for step, (a, b) in enumerate(self.children[: self.n - groups]):
            roots -= {a, b}
            roots.add(self.n + step)
        return sorted(roots)

    def labels(self, nodes: list[int]) -> Labels:
        out = np.full(self.n, -1)
        for number, node in enumerate(nodes):
            out[self.leaves[node]] = number
        return out

    def halves(self, node: int) -> tuple[int, int]:
        return self.children[node - self.n]


def cohesion(vectors: Vectors, rows: npt.NDArray[np.int_]) -> float:
    """The mean cosine similarity of distinct pairs among ``rows`` (1.0 for one row)."""
    if len(rows) < 2:
        return 1.0
    block = vectors[rows] @ vectors[rows].T
    n = len(rows)
    return float((block.sum() - np.trace(block)) / (n * (n - 1)))


def unbiased(rows: Vectors, languages: Sequence[str] | None = None) -> Vectors:
    """Unit rows with each language's offset from the scope's mean taken out
    (``n / (n + LANGUAGE_PRIOR)`` of it, for a language with ``n >= MIN_LANGUAGE_TEXTS``
    rows): similarities stay on the model's scale, without the part that only says
    "same language"."""
    if languages is None:
        return rows
    mean = rows.mean(axis=0)
    out = rows.copy()
    told = np.asarray(languages)
    for language in set(languages):
        mine = told == language
        n = int(mine.sum())
        if n < MIN_LANGUAGE_TEXTS:
            continue
        out[mine] -= (rows[mine].mean(axis=0) - mean) * n / (n + LANGUAGE_PRIOR)
    return normalised(out)


def group(
    vectors: npt.ArrayLike,
    languages: Sequence[str] | None = None,
    *,
    max_groups: int = 12,
    floor: float = TOPIC_FLOOR,
) -> Labels:
    """A group label for each row (0 for the largest group, …); ``-1`` for a row in no
    group of two or more.

    ``languages`` (one per row) lets texts in different languages group by what they say
    rather than by their language. At most ``max_groups`` cuts are tried, so a large set
    still ends in a readable number of topics.
    """
    n = len(np.atleast_2d(vectors)) if np.size(vectors) else 0
    if n < 2:
        return np.full(n, -1)
    rows = unbiased(normalised(vectors), languages)
    if n == 2:
        alike = float(rows[0] @ rows[1]) >= max(floor, PAIR_FLOOR)
        return np.zeros(2, dtype=int) if alike else np.full(2, -1)
    # Compared with what every text shares taken out too: the differences stand out.
    compared = normalised(rows - rows.mean(axis=0))
    distance = np.clip(1.0 - compared @ compared.T, 0.0, None)
    np.fill_diagonal(distance, 0.0)
    fitted = AgglomerativeClustering(
        n_clusters=None,
        metric="precomputed",
        linkage="average",
        distance_threshold=0.0,
        compute_full_tree=True,
    ).fit(distance)
    tree = _Tree(fitted.children_, n)
    scored = []
    for k in range(2, max(2, min(n - 1, max_groups)) + 1):
        labels = tree.labels(tree.cut(k))
        scored.append((float(silhouette_score(distance, labels, metric="precomputed")), -k))
    best = tree.cut(-max(scored)[1])
    least = max(floor, cohesion(rows, np.arange(n)) + TOPIC_MARGIN)
    topics = [members for node in best for members in _cohesive(tree, rows, node, least)]
    topics.sort(key=lambda m: (-len(m), int(m.min())))
    out = np.full(n, -1)
    for number, members in enumerate(topics):
        out[members] = number
    return out


def _cohesive(tree: _Tree, rows: Vectors, node: int, least: float) -> list[npt.NDArray[np.int_]]:
    """The group under ``node`` if its rows are at least ``least`` alike (as the model
    measures them); else its two halves, each the same way. Single rows are no group."""
    found = []
    pending = [node]  # a loop, not recursion: a chained tree is as deep as it is wide
    while pending:
        current = pending.pop()
        members = tree.leaves[current]
        if len(members) < 2:
            continue
        if cohesion(rows, members) >= least:
            found.append(members)
        else:
            pending.extend(tree.halves(current))
    return found


def centre(vectors: npt.ArrayLike) -> Vectors:
    """The unit-length mean direction of the rows."""
    return normalised(normalised(vectors).mean(axis=0))[0]
