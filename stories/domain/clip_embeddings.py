"""The meaning of public clips: a vector from each clip's own public words (its title and
its anonymised quote), made when the clip is made and deleted when it leaves the public.

Searching them needs the public clips (``clips.live``), so the search is in
``stories.domain.clips``; this module keeps the vectors and their store.
"""

from __future__ import annotations

import logging

import numpy as np
import numpy.typing as npt

from media_pipeline.meaning import MODEL_NAME, encoder, to_bytes
from stories.domain import embeddings
from stories.models import Clip, ClipEmbedding

logger = logging.getLogger(__name__)


def clip_text(title: str, quote: str) -> str:
    """What is embedded: the clip's public title and its anonymised quote."""
    return f"{title}\n{quote}".strip()


def vector_for(text: str) -> npt.NDArray[np.float32] | None:
    """The vector of a clip's public text; None for no text, or when the encoder fails
    (the clip is still made: ``manage.py embed_stories`` embeds it later)."""
    if not text:
        return None
    try:
        return encoder().passage(text)
    except Exception:  # the encoder's own failure must not lose a checked clip
        logger.exception("a clip's text could not be embedded")
        return None


def keep(clip: Clip, text: str, vector: npt.NDArray[np.float32] | None) -> None:
    """Store (or replace) the vector of ``clip``'s public text."""
    if vector is None:
        return
    ClipEmbedding.objects.update_or_create(
        clip=clip,
        defaults={
            "model": MODEL_NAME,
            "vector": to_bytes(vector),
            "text_hash": embeddings.text_hash(text),
        },
    )


def forget(clip_ids: list[int]) -> int:
    """Delete the vectors of clips that left the public; returns how many went."""
    deleted, _ = ClipEmbedding.objects.filter(clip_id__in=clip_ids).delete()
    return deleted


def embed_missing(live: list[Clip], batch_size: int = 32) -> int:
    """Embed the public clips in ``live`` that have no current vector (the backfill)."""
    current = dict(
        ClipEmbedding.objects.filter(model=MODEL_NAME).values_list("clip_id", "text_hash")
    )
    pending = [
        (clip, text)
        for clip in live
        if (text := clip_text(clip.title, clip.quote))
        and current.get(clip.pk) != embeddings.text_hash(text)
    ]
    for start in range(0, len(pending), batch_size):
        chunk = pending[start : start + batch_size]
        vectors = encoder().passages([text for _, text in chunk])
        for (clip, text), vector in zip(chunk, vectors, strict=True):
            keep(clip, text, vector)
    return len(pending)


_store = embeddings.InProcessStore(ClipEmbedding, "clip_id")


def store() -> embeddings.VectorStore:
    """The clip vector store of this process (keys are ``Clip`` primary keys)."""
    return _store
