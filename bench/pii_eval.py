"""Recall and precision of personal-data detection on the labelled set.

    python bench/pii_eval.py [--data tests/data/privacy/texts.jsonl] [--errors]

Span-level scoring (media_pipeline/privacy/evaluation.py): a prediction matches a gold span
when the types agree (person and known_identifier count as one) and the spans overlap by at
least one character; "exact" is the share of gold spans also matched with identical
boundaries. Targets: overall recall >= 0.95 and precision >= 0.80. The gazetteer is built
into var/models/privacy when missing (about 20 s, once).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATA = ROOT / "tests" / "data" / "privacy" / "texts.jsonl"
TARGET_RECALL = 0.95
TARGET_PRECISION = 0.80


def main(argv: list[str] | None = None) -> int:
    """Print the tables; exit status 1 when a target is missed."""
    from media_pipeline.privacy.evaluation import Tally, evaluate, load_texts
    from media_pipeline.privacy.gazetteer import build_gazetteer, load_gazetteer

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--models-dir", type=Path, default=ROOT / "var" / "models")
    parser.add_argument("--errors", action="store_true", help="list misses and false positives")
    args = parser.parse_args(argv)

    started = time.monotonic()
    gazetteer = load_gazetteer(build_gazetteer(args.models_dir / "privacy"))
    loaded = time.monotonic()
    records = list(load_texts(args.data))
    report = evaluate(records, gazetteer)
    seconds = time.monotonic() - loaded

    def row(name: str, t: Tally) -> str:
        exact = t.exact / t.gold if t.gold else 1.0
        return (
            f"{name:<18}{t.gold:>6}{t.predicted:>6}{t.recall:>9.3f}{t.precision:>11.3f}"
            f"{exact:>8.3f}"
        )

    header = f"{'':<18}{'gold':>6}{'pred':>6}{'recall':>9}{'precision':>11}{'exact':>8}"
    print(
        f"{len(records)} texts, gazetteer {len(gazetteer)} entries "
        f"(ready in {loaded - started:.2f} s), detection {seconds:.2f} s"
    )
    print("\nby type\n" + header)
    for name in sorted(report.by_type):
        print(row(name, report.by_type[name]))
    print("\nby language\n" + header)
    for name in sorted(report.by_language):
        print(row(name, report.by_language[name]))
    print("\n" + header)
    print(row("overall", report.overall))
    if args.errors:
        print("\nmisses:")
        for item in report.misses:
            print("  ", *item)
        print("false positives:")
        for item in report.false_positives:
            print("  ", *item)
    met = report.overall.recall >= TARGET_RECALL and report.overall.precision >= TARGET_PRECISION
    print(
        f"\ntargets recall >= {TARGET_RECALL}, precision >= {TARGET_PRECISION}: "
        f"{'met' if met else 'NOT met'}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
