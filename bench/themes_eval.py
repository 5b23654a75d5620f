"""Precision, recall and F1 of the theme tagger on the labelled story set.

    python bench/themes_eval.py [--stories tests/data/themes/stories.jsonl] [--json OUT]

Prints per-theme and per-language P/R/F1 with micro and macro averages for
(a) the lexicon alone, on all stories and on the held-out test split, and
(b) the lexicon blended with a model trained on the train split's gold labels (as if
curators had confirmed those themes and rejected the rest), on the test split,
and both on the development set (``dev_stories.jsonl``), which is what tuning looks at so
that the test split stays unseen until the end.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from media_pipeline.themes.evaluation import Report, evaluate, load_stories  # noqa: E402
from media_pipeline.themes.learning import TrainingExample, train  # noqa: E402
from media_pipeline.themes.taxonomy import load_default  # noqa: E402

STORIES = ROOT / "tests" / "data" / "themes" / "stories.jsonl"
DEV_STORIES = ROOT / "tests" / "data" / "themes" / "dev_stories.jsonl"


def print_report(title: str, report: Report) -> dict[str, object]:
    """Print one table and return its numbers as plain data."""
    print(f"\n== {title} ({report.n_stories} stories)")
    print(f"{'':16} {'P':>6} {'R':>6} {'F1':>6} {'tp':>4} {'fp':>4} {'fn':>4}")
    rows: dict[str, object] = {}
    for group in (report.per_theme, report.per_language):
        for name, c in group.items():
            print(
                f"{name:16} {c.precision:6.3f} {c.recall:6.3f} {c.f1:6.3f}"
                f" {c.tp:4d} {c.fp:4d} {c.fn:4d}"
            )
            rows[name] = {"p": c.precision, "r": c.recall, "f1": c.f1}
        print()
    m = report.micro
    print(f"{'micro':16} {m.precision:6.3f} {m.recall:6.3f} {m.f1:6.3f}")
    print(f"{'macro F1':16} {'':6} {'':6} {report.macro_f1:6.3f}")
    return {"micro_f1": m.f1, "micro_p": m.precision, "micro_r": m.recall,
            "macro_f1": report.macro_f1, "rows": rows}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation and print the tables; returns a process exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=Path, default=STORIES)
    parser.add_argument("--dev", type=Path, default=DEV_STORIES, help="development set")
    parser.add_argument(
        "--no-test", action="store_true", help="report train and dev only (for tuning)"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write numbers as JSON")
    args = parser.parse_args(argv)

    taxonomy = load_default()
    stories = load_stories(args.stories)
    train_split = [s for s in stories if s.split == "train"]
    test_split = [s for s in stories if s.split == "test"]
    out: dict[str, object] = {}

    dev = load_stories(args.dev)
    if not args.no_test:
        out["lexicon_all"] = print_report("lexicon only, all stories", evaluate(stories, taxonomy))
        out["lexicon_test"] = print_report(
            "lexicon only, test split", evaluate(test_split, taxonomy)
        )
    out["lexicon_dev"] = print_report("lexicon only, dev set", evaluate(dev, taxonomy))

    started = time.perf_counter()
    examples = [
        TrainingExample(s.text, s.language, s.themes, frozenset(taxonomy.slugs) - s.themes)
        for s in train_split
    ]
    model = train(examples, taxonomy)
    took = time.perf_counter() - started
    print(f"\ntrained on {len(examples)} stories ({model.n_decisions} decisions) in {took:.1f} s")
    out["trained_dev"] = print_report(
        "lexicon + model trained on train split, dev set", evaluate(dev, taxonomy, model=model)
    )
    if not args.no_test:
        out["trained_test"] = print_report(
            "lexicon + model trained on train split, test split",
            evaluate(test_split, taxonomy, model=model),
        )
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
