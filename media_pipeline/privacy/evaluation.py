"""Span-level recall and precision of ``detect`` on a labelled JSONL set.

Matching: a predicted span matches a gold span when their types agree and they share at
least one character. ``person`` and ``known_identifier`` agree with each other (both become
``[Person N]``). Recall is the share of gold spans matched by some prediction; precision
is the share of predictions that match some gold span. ``exact`` counts matches whose
boundaries are identical too, to show how often the overlap rule was needed.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from media_pipeline.privacy.detector import detect
from media_pipeline.privacy.gazetteer import Gazetteer
from media_pipeline.privacy.spans import PersonalDataSpan

_SAME = {"known_identifier": "person"}


def _family(kind: str) -> str:
    return _SAME.get(kind, kind)


@dataclass
class Tally:
    """Counts for one slice (a type, a language, or everything)."""

    gold: int = 0
    found: int = 0  # gold spans matched
    predicted: int = 0
    correct: int = 0  # predictions matched
    exact: int = 0

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0


@dataclass
class Report:
    """Tallies overall, per type and per language, plus the errors for inspection."""

    overall: Tally = field(default_factory=Tally)
    by_type: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_language: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # id, type, text
    false_positives: list[tuple[str, str, str]] = field(default_factory=list)


def load_texts(path: Path | str) -> Iterator[dict[str, Any]]:
    """Records of the labelled set (see bench/build_pii_texts.py for the format)."""
    with Path(path).open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def _overlap(a: dict[str, Any], b: PersonalDataSpan) -> bool:
    return int(a["start"]) < b.end and b.start < int(a["end"])


def evaluate(records: Iterable[dict[str, Any]], gazetteer: Gazetteer) -> Report:
    """Run ``detect`` on every record and score it against the gold spans."""
    report = Report()
    for record in records:
        text, language = record["text"], record["language"]
        predicted = detect(
            text,
            language,
            known_identifiers=record.get("known_identifiers", ()),
            region=record.get("region"),
            gazetteer=gazetteer,
        )
        gold = record["spans"]
        for g in gold:
            hits = [
                p for p in predicted if _family(p.type) == _family(g["type"]) and _overlap(g, p)
            ]
            for tally in (report.overall, report.by_type[g["type"]], report.by_language[language]):
                tally.gold += 1
                tally.found += bool(hits)
                tally.exact += any(p.start == g["start"] and p.end == g["end"] for p in hits)
            if not hits:
                report.misses.append((record["id"], g["type"], g["text"]))
        for p in predicted:
            ok = any(_family(p.type) == _family(g["type"]) and _overlap(g, p) for g in gold)
            for tally in (report.overall, report.by_type[p.type], report.by_language[language]):
                tally.predicted += 1
                tally.correct += ok
            if not ok:
                report.false_positives.append((record["id"], p.type.value, p.text))
    return report
