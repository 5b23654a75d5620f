"""Recall and precision of personal-data detection on the labelled sets.

    python bench/pii_eval.py [--errors] [--data tests/data/privacy/texts.jsonl ...]

Without ``--data`` it scores two sets: typed text (texts.jsonl and holdout.jsonl) and
speech-recognition-style text (asr.jsonl and asr_holdout.jsonl: lower case, no
punctuation, numbers as words, misheard digits and street names), each per type and per
language, then a summary of recall and precision per language and set.

Span-level scoring (media_pipeline/privacy/evaluation.py): a prediction matches a gold span
when the types agree (person and known_identifier count as one) and the spans overlap by at
least one character; "exact" is the share of gold spans also matched with identical
boundaries. Targets: recall >= 0.95 per language on each set, and overall precision >= 0.80.
The gazetteer is built into var/models/privacy when missing (about 20 s, once).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from media_pipeline.privacy.evaluation import Report, Tally

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATA = ROOT / "tests" / "data" / "privacy"
SETS: dict[str, tuple[Path, ...]] = {
    "typed": (DATA / "texts.jsonl", DATA / "holdout.jsonl"),
    "asr": (DATA / "asr.jsonl", DATA / "asr_holdout.jsonl"),
}
TARGET_RECALL = 0.95
TARGET_PRECISION = 0.80
HEADER = f"{'':<18}{'gold':>6}{'pred':>6}{'recall':>9}{'precision':>11}{'exact':>8}"


def _row(name: str, tally: Tally) -> str:
    exact = tally.exact / tally.gold if tally.gold else 1.0
    return (
        f"{name:<18}{tally.gold:>6}{tally.predicted:>6}{tally.recall:>9.3f}"
        f"{tally.precision:>11.3f}{exact:>8.3f}"
    )


def _print_report(name: str, count: int, report: Report, errors: bool) -> None:
    print(f"\n=== {name}: {count} texts")
    print("by type\n" + HEADER)
    for kind in sorted(report.by_type):
        print(_row(kind, report.by_type[kind]))
    print("by language\n" + HEADER)
    for language in sorted(report.by_language):
        print(_row(language, report.by_language[language]))
    print(_row("overall", report.overall))
    if errors:
        print("misses:")
        for item in report.misses:
            print("  ", *item)
        print("false positives:")
        for item in report.false_positives:
            print("  ", *item)


def main(argv: list[str] | None = None) -> int:
    """Print the tables; exit status 1 when a target is missed."""
    from media_pipeline.privacy.evaluation import evaluate, load_texts
    from media_pipeline.privacy.gazetteer import build_gazetteer, load_gazetteer

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, nargs="+", help="score these files as one set")
    parser.add_argument("--models-dir", type=Path, default=ROOT / "var" / "models")
    parser.add_argument("--errors", action="store_true", help="list misses and false positives")
    args = parser.parse_args(argv)

    started = time.monotonic()
    gazetteer = load_gazetteer(build_gazetteer(args.models_dir / "privacy"))
    print(f"gazetteer {len(gazetteer)} entries, ready in {time.monotonic() - started:.2f} s")
    sets = {"data": tuple(args.data)} if args.data else SETS
    summary = []
    met = True
    for name, paths in sets.items():
        records = [r for path in paths for r in load_texts(path)]
        began = time.monotonic()
        report = evaluate(records, gazetteer)
        print(f"\ndetection on {name}: {time.monotonic() - began:.2f} s")
        _print_report(name, len(records), report, args.errors)
        met &= report.overall.precision >= TARGET_PRECISION
        for language in sorted(report.by_language):
            tally = report.by_language[language]
            met &= tally.recall >= TARGET_RECALL
            summary.append(
                f"| {name} | {language} | {tally.gold} | {tally.recall:.3f} "
                f"| {tally.precision:.3f} |"
            )
        summary.append(
            f"| {name} | all | {report.overall.gold} | {report.overall.recall:.3f} "
            f"| {report.overall.precision:.3f} |"
        )
    print("\n| set | language | gold spans | recall | precision |\n| --- | --- | --- | --- | --- |")
    print("\n".join(summary))
    print(
        f"\ntargets recall >= {TARGET_RECALL} per language and set, overall precision >= "
        f"{TARGET_PRECISION}: {'met' if met else 'NOT met'}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
