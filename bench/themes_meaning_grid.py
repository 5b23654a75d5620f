"""Grid over the meaning knobs, through the real tagger, on cached vectors.

    python bench/themes_meaning_grid.py [--dev] [--no-curated] [--json OUT]

For each setting of the knobs in :data:`GRID` it prints micro-F1 of lexicon + meaning in
5-fold cross-validation (2 repeats, stratified by language) over the 240 tuning stories
(the other folds' stories as curated examples, plus the taxonomy's own examples), and
with ``--dev`` also on the development set of implicit stories
(``implicit_stories.jsonl``, every run counted in docs/themes.md: aggregate numbers only,
the texts are never printed), per language. ``--no-curated`` leaves the curated stories
out (a fresh installation: taxonomy examples and descriptions only). It never reads the
held-out set.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from themes_eval import (  # noqa: E402
    BLIND1_STORIES,
    DEV_STORIES,
    IMPLICIT_STORIES,
    STORIES,
    CachingEncoder,
    folds,
    merge,
    semantic_for,
)

from media_pipeline.themes import semantic, tagger  # noqa: E402
from media_pipeline.themes.evaluation import Report, evaluate, load_stories  # noqa: E402
from media_pipeline.themes.semantic import SemanticModel  # noqa: E402
from media_pipeline.themes.taxonomy import load_default  # noqa: E402

GRID: dict[str, list[float]] = {
    "PROBE_SHARE": [0.0, 0.5, 0.75, 1.0],
    "PROBE_C": [1.0, 10.0, 100.0],
    "WEIGHT": [0.5, 0.6],
}


def apply(knobs: dict[str, float]) -> None:
    """Set the knobs where the tagger and the meaning model read them."""
    for name, value in knobs.items():
        setattr(semantic, name, int(value) if name in {"NEIGHBOURS", "THEME_TOP"} else value)
    tagger.MEANING_WEIGHT = semantic.WEIGHT
    tagger.MEANING_WEIGHT_WITHOUT_WORDS = semantic.WEIGHT_WITHOUT_WORDS
    tagger.MEANING_THRESHOLD = semantic.THRESHOLD
    tagger.MEANING_FALLBACK = semantic.FALLBACK


def main(argv: list[str] | None = None) -> int:
    """Run the grid and print one line per setting."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", action="store_true", help="also the implicit development set")
    parser.add_argument("--no-curated", action="store_true", help="taxonomy examples only")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--only", default="", help="JSON of knobs: run this setting only")
    parser.add_argument("--grid", default="", help="JSON of knob lists, instead of GRID")
    args = parser.parse_args(argv)

    taxonomy = load_default()
    encoder = CachingEncoder()
    base = SemanticModel.build(taxonomy, encoder)
    pooled = load_stories(STORIES) + load_stories(DEV_STORIES) + load_stories(BLIND1_STORIES)
    splits = []
    for seed in range(args.repeats):
        parts = folds(pooled, 5, seed)
        for i, held_out in enumerate(parts):
            rest = [s for j, part in enumerate(parts) if j != i for s in part]
            splits.append((held_out, rest))
    dev = load_stories(IMPLICIT_STORIES) if args.dev else []

    grid = json.loads(args.grid) if args.grid else GRID
    settings = (
        [json.loads(args.only)]
        if args.only
        else [dict(zip(grid, values, strict=True)) for values in itertools.product(*grid.values())]
    )
    rows = []
    for knobs in settings:
        apply(knobs)
        # The probe is fitted when a model is made: every setting makes its own.
        base = base.with_curated([])
        plans = [
            (held_out, base if args.no_curated else semantic_for(base, rest, encoder))
            for held_out, rest in splits
        ]
        dev_model = base if args.no_curated else semantic_for(base, pooled, encoder)
        cv: Report | None = None
        for held_out, model in plans:
            cv = merge(cv, evaluate(held_out, taxonomy, semantic=model))
        assert cv is not None
        row: dict[str, object] = {**knobs, "cv": round(cv.micro.f1, 4)}
        if dev:
            report = evaluate(dev, taxonomy, semantic=dev_model)
            row["dev"] = round(report.micro.f1, 4)
            row.update({lang: round(c.f1, 3) for lang, c in sorted(report.per_language.items())})
        rows.append(row)
        print(json.dumps(row), flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
