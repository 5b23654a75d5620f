"""Grid over the trained model's features and blend, through the real tagger, on cached
vectors.

    python bench/themes_model_grid.py [--dev] [--only JSON] [--json OUT]

For each setting it prints micro-F1 of lexicon + meaning + the model in 5-fold
cross-validation (2 repeats, stratified by language) over the 240 tuning stories: each
fold's model is trained on the other folds' gold labels (and, when the setting reads the
meaning, their vectors), and the other folds' stories are the meaning's curated examples.
The first row is lexicon + meaning without a model. With ``--dev`` it also scores the
development set of implicit stories (``implicit_stories.jsonl``: aggregate numbers only,
the texts are never printed; every run is counted in docs/themes.md) with a model trained
on all 240. It never reads the held-out set.

A setting is JSON: ``FeatureConfig`` fields (``meaning_scale``, ``word_features``,
``char_features``, ``lexicon_scale``), ``c`` (the regression's C) and
``model_last`` (the tagger's ``MODEL_LAST_WITHOUT_WORDS``), ``keep_words`` (its
``KEEP_WORDS_THEME``) and ``no_model`` (lexicon + meaning only).
"""

from __future__ import annotations

import argparse
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
    examples_for,
    folds,
    merge,
    semantic_for,
)

from media_pipeline.themes import learning, tagger  # noqa: E402
from media_pipeline.themes.evaluation import (  # noqa: E402
    LabelledStory,
    Report,
    evaluate,
    load_stories,
)
from media_pipeline.themes.learning import (  # noqa: E402
    FeatureConfig,
    TrainingExample,
    train,
)
from media_pipeline.themes.semantic import SemanticModel  # noqa: E402
from media_pipeline.themes.taxonomy import Taxonomy, load_default  # noqa: E402

# The shipped model (words, characters, lexicon; no vector), then the meaning at a few
# scales beside the words, and the meaning instead of the words.
GRID: list[dict[str, float]] = [
    {},
    {"meaning_scale": 1.0},
    {"meaning_scale": 3.0},
    {"meaning_scale": 10.0},
    {"meaning_scale": 3.0, "word_features": 0, "char_features": 0},
    {"meaning_scale": 10.0, "word_features": 0, "char_features": 0},
]


def cache_lexicon_scores() -> None:
    """Keep each training story's lexicon scores between folds and settings (one taxonomy
    per run): scoring the words is most of what training costs here."""
    score = learning.lexicon_scores
    kept: dict[tuple[str, str], dict[str, float]] = {}

    def cached(text: str, language: str, taxonomy: Taxonomy) -> dict[str, float]:
        if (text, language) not in kept:
            kept[(text, language)] = score(text, language, taxonomy)
        return kept[(text, language)]

    learning.lexicon_scores = cached


def row_of(report: Report) -> dict[str, float]:
    """Micro-F1 and F1 per language, rounded."""
    out = {"f1": round(report.micro.f1, 4)}
    out.update({lang: round(c.f1, 3) for lang, c in sorted(report.per_language.items())})
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the grid and print one line per setting."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", action="store_true", help="also the implicit development set")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--only", default="", help="JSON list of settings instead of GRID")
    parser.add_argument("--no-baseline", action="store_true", help="skip lexicon + meaning")
    args = parser.parse_args(argv)

    taxonomy = load_default()
    cache_lexicon_scores()
    encoder = CachingEncoder()
    base = SemanticModel.build(taxonomy, encoder)
    pooled = load_stories(STORIES) + load_stories(DEV_STORIES) + load_stories(BLIND1_STORIES)
    vectors = dict(
        zip([s.id for s in pooled], encoder.passages([s.text for s in pooled]), strict=True)
    )
    splits = []
    for seed in range(args.repeats):
        parts = folds(pooled, 5, seed)
        for i, held_out in enumerate(parts):
            rest = [s for j, part in enumerate(parts) if j != i for s in part]
            splits.append((held_out, rest, semantic_for(base, rest, encoder)))
    dev = load_stories(IMPLICIT_STORIES) if args.dev else []
    dev_semantic = semantic_for(base, pooled, encoder)

    def examples(stories: list[LabelledStory]) -> list[TrainingExample]:
        return [
            TrainingExample(ex.text, ex.language, ex.positive, ex.negative, vectors[s.id])
            for s, ex in zip(stories, examples_for(stories, taxonomy), strict=True)
        ]

    settings = json.loads(args.only) if args.only else GRID
    rows = []
    if not args.no_baseline:
        cv: Report | None = None
        for held_out, _, semantic in splits:
            cv = merge(cv, evaluate(held_out, taxonomy, semantic=semantic))
        assert cv is not None
        row: dict[str, object] = {"setting": "lexicon + meaning", "cv": row_of(cv)}
        if dev:
            row["dev"] = row_of(evaluate(dev, taxonomy, semantic=dev_semantic))
        rows.append(row)
        print(json.dumps(row), flush=True)
    shipped = (tagger.MODEL_LAST_WITHOUT_WORDS, tagger.KEEP_WORDS_THEME)
    for setting in settings:
        knobs = dict(setting)
        c = float(knobs.pop("c", 1.0))
        tagger.MODEL_LAST_WITHOUT_WORDS = bool(knobs.pop("model_last", shipped[0]))
        tagger.KEEP_WORDS_THEME = int(knobs.pop("keep_words", shipped[1]))
        with_model = not knobs.pop("no_model", False)
        config = FeatureConfig(
            **{k: (int(v) if k.endswith("features") else v) for k, v in knobs.items()}  # type: ignore[arg-type]
        )

        cv = None
        for held_out, rest, semantic in splits:
            model = train(examples(rest), taxonomy, config=config, c=c) if with_model else None
            cv = merge(cv, evaluate(held_out, taxonomy, model=model, semantic=semantic))
        assert cv is not None
        row = {"setting": setting, "cv": row_of(cv)}
        if dev:
            model = train(examples(pooled), taxonomy, config=config, c=c) if with_model else None
            row["dev"] = row_of(evaluate(dev, taxonomy, model=model, semantic=dev_semantic))
        rows.append(row)
        print(json.dumps(row), flush=True)
    tagger.MODEL_LAST_WITHOUT_WORDS, tagger.KEEP_WORDS_THEME = shipped
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
