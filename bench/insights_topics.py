"""What insights topics by meaning cost and find, on 200 labelled stories (fi/sv/de/en).

    python bench/insights_topics.py [--stories 200] [--json OUT]

Reads the labelled theme stories (``tests/data/themes``), and measures:

- embedding the stories (what the publish task stores once per story);

Wall and CPU seconds (the encoder's threads summed) are both printed: on a shared
machine the wall time says more about the neighbours than about the code.
- ``topics.analyse`` with those vectors given (what a report costs), and how many
  sentences it embedded for its quotes, and how long that took; and the same report
  again with those sentence vectors kept (as ``stories.domain.insights`` keeps them);
- embedding every sentence of every story (what quoting "by meaning" would cost if each
  sentence were embedded instead of the most central stories' only).

And what it found: topics, how many languages each is told in, and the share of its
stories that carry its most common gold theme.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from media_pipeline.insights import topics  # noqa: E402
from media_pipeline.meaning import encoder  # noqa: E402

SETS = ("stories.jsonl", "dev_stories.jsonl", "blind1_stories.jsonl")


def labelled(limit: int) -> list[dict]:
    rows = []
    for name in SETS:
        path = ROOT / "tests" / "data" / "themes" / name
        rows += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return rows[:limit]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=200)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    rows = labelled(args.stories)
    model = encoder()
    model.passages(["warm up"])  # load the model outside the timings

    started, cpu = time.perf_counter(), time.process_time()
    vectors = model.passages([r["text"] for r in rows])
    embed_stories = time.perf_counter() - started
    embed_stories_cpu = time.process_time() - cpu

    months = ["2026-09", "2026-10", "2026-11"]
    documents = [
        topics.Document(r["id"], r["text"], r["language"], months[i % 3], vector=v)
        for i, (r, v) in enumerate(zip(rows, vectors, strict=True))
    ]
    embedded: list[str] = []
    embed_seconds = 0.0

    def counted(texts: Sequence[str]) -> np.ndarray:
        nonlocal embed_seconds
        began = time.perf_counter()
        out = model.passages(texts)
        embed_seconds += time.perf_counter() - began
        embedded.extend(texts)
        return out

    # Each language's lemma dictionary is loaded once per process (seconds): not timed.
    one_each = list({d.language: d for d in documents}.values())
    for document in one_each:
        topics.lemmas(document.text, document.language)
    embedded.clear()
    embed_seconds = 0.0
    started, cpu = time.perf_counter(), time.process_time()
    found = topics.analyse(documents, embed=counted)
    report = time.perf_counter() - started
    report_cpu = time.process_time() - cpu
    sentence_vectors = dict(zip(embedded, model.passages(embedded), strict=True))
    started = time.perf_counter()
    topics.analyse(documents, embed=lambda texts: np.vstack([sentence_vectors[t] for t in texts]))
    report_again = time.perf_counter() - started

    sentences = [s for d in documents for s in topics._sentences(d)]
    started, cpu = time.perf_counter(), time.process_time()
    model.passages(sentences)
    every_sentence = time.perf_counter() - started
    every_sentence_cpu = time.process_time() - cpu

    gold = {r["id"]: r for r in rows}
    found_topics = []
    for topic in found.topics:
        themes = Counter(t for key in topic.keys for t in gold[key]["themes"])
        top, count = themes.most_common(1)[0] if themes else ("", 0)
        found_topics.append(
            {
                "terms": topic.terms,
                "stories": len(topic.keys),
                "languages": sorted({gold[k]["language"] for k in topic.keys}),
                "quote_languages": sorted({gold[q.key]["language"] for q in topic.quotes}),
                "theme": top,
                "theme_share": round(count / len(topic.keys), 2),
            }
        )
    result = {
        "stories": len(rows),
        "languages": dict(Counter(r["language"] for r in rows)),
        "embed_stories_s": round(embed_stories, 2),
        "embed_stories_cpu_s": round(embed_stories_cpu, 2),
        "report_s": round(report, 2),
        "report_cpu_s": round(report_cpu, 2),
        "report_with_sentence_vectors_kept_s": round(report_again, 2),
        "report_sentences_embedded": len(embedded),
        "report_sentence_embedding_s": round(embed_seconds, 2),
        "every_sentence_count": len(sentences),
        "every_sentence_s": round(every_sentence, 2),
        "every_sentence_cpu_s": round(every_sentence_cpu, 2),
        "topics": found_topics,
        "in_no_topic": len(rows) - sum(len(t.keys) for t in found.topics),
    }
    text = json.dumps(result, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
