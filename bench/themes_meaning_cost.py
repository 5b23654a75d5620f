"""What the taxonomy's examples cost: building the meaning model and tagging a story.

    DJANGO_DEBUG=1 python bench/themes_meaning_cost.py

Prints the time to embed the taxonomy's descriptions and examples from scratch, to load
them again from the vector file the service keeps (``VAR_DIR/meaning/``, here a fresh
temporary folder), and per story the time of tagging with and without the meaning, and of
the meaning's scoring alone once the story's vector is known.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from media_pipeline.meaning import encoder  # noqa: E402
from media_pipeline.themes import load_default, tag  # noqa: E402
from media_pipeline.themes.semantic import SemanticModel  # noqa: E402
from stories.domain.themes import StoredPassages  # noqa: E402

STORY = "I waited {} months and the office never said where my papers were or who had them."


def main() -> int:
    """Measure and print; returns a process exit status."""
    passages = encoder()
    passages.passages(["warm up"])  # load the model outside the timings
    taxonomy = load_default()
    settings.VAR_DIR = Path(tempfile.mkdtemp())
    started = time.perf_counter()
    model = SemanticModel.build(taxonomy, StoredPassages())
    built = time.perf_counter()
    SemanticModel.build(taxonomy, StoredPassages())
    loaded = time.perf_counter()
    texts = len(model.taxonomy_examples) + sum(len(v) for v in model.descriptions.values())
    print(f"{texts} texts: built in {built - started:.1f} s, loaded in {loaded - built:.2f} s")
    model = model.with_curated([], passages)
    stories = [STORY.format(i) for i in range(10)]
    timings = {}
    for name, kwargs in (("with meaning", {"semantic": model}), ("lexicon only", {})):
        started = time.perf_counter()
        for text in stories:
            tag(text, "en", taxonomy, **kwargs)  # type: ignore[arg-type]
        timings[name] = (time.perf_counter() - started) / len(stories)
    vectors = passages.passages(stories)
    started = time.perf_counter()
    for text, vector in zip(stories, vectors, strict=True):
        tag(text, "en", taxonomy, semantic=model, meaning_vector=vector)
    scoring = (time.perf_counter() - started) / len(stories) - timings["lexicon only"]
    print(", ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in timings.items()))
    print(f"meaning scoring once the story's vector is known: {scoring * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
