"""The labelled set is sound, and detection meets the recall/precision targets on it."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise
from pathlib import Path

import pytest

from media_pipeline.privacy.evaluation import evaluate, load_texts

DATA = Path(__file__).resolve().parents[2] / "data" / "privacy"
TARGET_RECALL = 0.95
TARGET_PRECISION = 0.80


def test_labelled_set_shape_and_offsets():
    records = list(load_texts(DATA / "texts.jsonl"))
    assert len(records) >= 60
    per_language = Counter(r["language"] for r in records)
    assert all(per_language[lang] >= 15 for lang in ("en", "fi", "sv", "de"))
    for record in records:
        spans = sorted(record["spans"], key=lambda s: s["start"])
        for span in spans:
            assert record["text"][span["start"] : span["end"]] == span["text"]
        for left, right in pairwise(spans):
            assert left["end"] <= right["start"], record["id"]


@pytest.mark.parametrize("name", ["texts.jsonl", "holdout.jsonl"])
def test_targets_overall_and_per_language(gazetteer, name):
    report = evaluate(load_texts(DATA / name), gazetteer)
    assert report.overall.recall >= TARGET_RECALL, report.misses
    assert report.overall.precision >= TARGET_PRECISION, report.false_positives
    for language, tally in report.by_language.items():
        assert tally.recall >= 0.9, (language, report.misses)
        assert tally.precision >= 0.75, (language, report.false_positives)


ASR_SETS = ["asr.jsonl", "asr_holdout.jsonl"]


@pytest.mark.parametrize("name", ASR_SETS)
def test_asr_sets_cover_every_language_and_finding(name):
    records = list(load_texts(DATA / name))
    per_language = Counter(r["language"] for r in records)
    assert all(per_language[lang] >= 4 for lang in ("en", "fi", "sv", "de"))
    for record in records:
        for span in record["spans"]:
            assert record["text"][span["start"] : span["end"]] == span["text"]
        assert "." not in record["text"], "speech-recognition style: no sentence punctuation"


def test_asr_set_holds_the_reported_findings():
    texts = " ".join(r["text"] for r in load_texts(DATA / "asr.jsonl"))
    for needle in ("07-I-11-123-456", "Kaivo Kato", "Stor gatan", "Ingen", "Toinen", "Niemand"):
        assert needle in texts
    for numbers in ("nolla neljä nolla", "noll sju tre", "null eins sieben", "oh seven seven"):
        assert numbers in texts


@pytest.mark.parametrize("name", ["texts.jsonl", "holdout.jsonl", *ASR_SETS])
def test_recall_per_language_on_typed_and_asr_text(gazetteer, name):
    report = evaluate(load_texts(DATA / name), gazetteer)
    for language in ("en", "fi", "sv", "de"):
        tally = report.by_language[language]
        assert tally.gold > 0
        assert tally.recall >= TARGET_RECALL, (language, report.misses)
    assert report.overall.precision >= TARGET_PRECISION, report.false_positives
