"""Precision, recall and F1 of the theme tagger on the labelled story set.

    python bench/themes_eval.py [--json OUT] [--no-holdout]
    python bench/themes_eval.py --cv 5 [--calibrate] [--taxonomy PATH]   # k-fold over all
    python bench/themes_eval.py --write-calibrated OUT [--taxonomy PATH]
    python bench/themes_eval.py --cv 5 --repeats 2 --semantic      # + meaning, in fold
    python bench/themes_eval.py --semantic [--implicit]   # held-out (and implicit) sets
    python bench/themes_eval.py --semantic --blind PATH   # + any other held-out set

With ``--semantic`` the tagger also reads the stories' meaning (multilingual embeddings,
``media_pipeline.themes.semantic``) with the taxonomy's examples and the tuning stories
as labelled examples (in ``--cv``, the other folds' stories only). ``--implicit`` also
reads the first set of implicit stories (``implicit_stories.jsonl``, now a development
set): every look is counted in docs/themes.md. ``--blind PATH`` reads any further
held-out set in the same format and reports it the same way, per theme and per language.
Story vectors are cached in ``var/bench/`` (the model is deterministic).

Prints per-theme and per-language P/R/F1 with micro and macro averages for
(a) the lexicon alone, on the 240 stories it was tuned on (``stories.jsonl``,
``dev_stories.jsonl`` and ``blind1_stories.jsonl``, the first blind set, looked at once
and then used for tuning) and on the 80 held-out stories (``holdout_stories.jsonl``,
written blind, see docs/themes.md), and
(b) the lexicon blended with a model trained on the 240 stories' gold labels (as if
curators had confirmed those themes and rejected the rest), on the held-out stories.
Tuning uses ``--cv`` or ``--no-holdout`` and never reads the held-out file.

``--cv K`` pools all labelled stories (train, test and dev), splits them into K folds
stratified by language (seeded, repeated ``--repeats`` times), and for each fold reports
the lexicon alone and the lexicon blended with a model trained on the other folds. With
``--calibrate`` the lexicon is also calibrated (``calibration.calibrate``) on the other
folds first; give ``--taxonomy`` the hand-written, uncalibrated lexicon for that, since
the shipped one is already calibrated on all of these stories. ``--write-calibrated OUT``
writes ``--taxonomy`` (default: the shipped one) calibrated on all labelled stories.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from media_pipeline.meaning import encoder  # noqa: E402
from media_pipeline.themes.calibration import calibrate  # noqa: E402
from media_pipeline.themes.evaluation import (  # noqa: E402
    Counts,
    LabelledStory,
    Report,
    evaluate,
    load_stories,
)
from media_pipeline.themes.learning import (  # noqa: E402
    WITH_MEANING,
    WORDS_ONLY,
    ThemeModel,
    TrainingExample,
    train,
)
from media_pipeline.themes.semantic import Example, SemanticModel  # noqa: E402
from media_pipeline.themes.taxonomy import Taxonomy, load_default  # noqa: E402

STORIES = ROOT / "tests" / "data" / "themes" / "stories.jsonl"
DEV_STORIES = ROOT / "tests" / "data" / "themes" / "dev_stories.jsonl"
BLIND1_STORIES = ROOT / "tests" / "data" / "themes" / "blind1_stories.jsonl"
HOLDOUT_STORIES = ROOT / "tests" / "data" / "themes" / "holdout_stories.jsonl"
IMPLICIT_STORIES = ROOT / "tests" / "data" / "themes" / "implicit_stories.jsonl"
VECTOR_CACHE = ROOT / "var" / "bench" / "meaning_vectors.npz"


class CachingEncoder:
    """The packaged encoder, with every text's vector kept on disk between runs."""

    def __init__(self, path: Path = VECTOR_CACHE) -> None:
        self._encoder, self._path = encoder(), path
        self._vectors: dict[str, npt.NDArray[np.float32]] = {}
        if path.exists():
            with np.load(path) as stored:
                self._vectors = {key: stored[key] for key in stored.files}

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()

    def passages(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Vectors of ``texts``, embedding only those not cached yet."""
        missing = [t for t in dict.fromkeys(texts) if self._key(t) not in self._vectors]
        if missing:
            for text, vector in zip(missing, self._encoder.passages(missing), strict=True):
                self._vectors[self._key(text)] = vector
            self._path.parent.mkdir(parents=True, exist_ok=True)
            np.savez(self._path, **self._vectors)  # type: ignore[arg-type]
        return np.vstack([self._vectors[self._key(t)] for t in texts])


def semantic_for(
    base: SemanticModel, examples: list[LabelledStory], encoder: CachingEncoder
) -> SemanticModel:
    """``base`` (the theme descriptions and examples) with ``examples`` as its curated
    stories."""
    vectors = list(encoder.passages([s.text for s in examples])) if examples else []
    rows = [
        Example(s.id, s.text, s.themes, vector) for s, vector in zip(examples, vectors, strict=True)
    ]
    return base.with_curated(rows)


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


def examples_for(
    stories: list[LabelledStory], taxonomy: Taxonomy, encoder: CachingEncoder | None = None
) -> list[TrainingExample]:
    """Gold labels as curator decisions: themes confirmed, the other twelve rejected; with
    ``encoder``, each story's meaning vector too (the model reads it)."""
    vectors = list(encoder.passages([s.text for s in stories])) if encoder and stories else None
    return [
        TrainingExample(
            s.text,
            s.language,
            s.themes,
            frozenset(taxonomy.slugs) - s.themes,
            vectors[i] if vectors is not None else None,
        )
        for i, s in enumerate(stories)
    ]


def fit(
    examples: list[TrainingExample],
    taxonomy: Taxonomy,
    prior: float | None,
    meaning_scale: float | None = None,
) -> ThemeModel:
    """A model trained with the default settings, or with ``prior`` as its prior strength
    and ``meaning_scale`` for its meaning columns (0: the words-only model)."""
    config = None
    if meaning_scale == 0:
        config = WORDS_ONLY
    elif meaning_scale is not None:
        config = replace(WITH_MEANING, meaning_scale=meaning_scale)
    if prior is None:
        return train(examples, taxonomy, config=config)
    return train(examples, taxonomy, config=config, prior_strength=prior)


def folds(stories: list[LabelledStory], k: int, seed: int) -> list[list[LabelledStory]]:
    """``k`` folds, each language dealt round-robin after a seeded shuffle."""
    out: list[list[LabelledStory]] = [[] for _ in range(k)]
    for language in sorted({s.language for s in stories}):
        items = [s for s in stories if s.language == language]
        random.Random(f"{seed}-{language}").shuffle(items)
        for i, story in enumerate(items):
            out[i % k].append(story)
    return out


def merge(a: Report | None, b: Report) -> Report:
    """Counts of two reports added together."""
    if a is None:
        return b
    langs = set(a.per_language) | set(b.per_language)
    return Report(
        {t: a.per_theme[t] + b.per_theme[t] for t in a.per_theme},
        {g: a.per_language.get(g, Counts()) + b.per_language.get(g, Counts()) for g in langs},
        a.n_stories + b.n_stories,
    )


def cross_validate(
    stories: list[LabelledStory],
    taxonomy: Taxonomy,
    k: int,
    repeats: int,
    recalibrate: bool,
    with_model: bool = True,
    prior: float | None = None,
    semantic: SemanticModel | None = None,
    encoder: CachingEncoder | None = None,
    meaning_scale: float | None = None,
) -> dict[str, object]:
    """Pooled k-fold numbers for the lexicon alone and (``with_model``) blended with a
    model trained on the other folds (with ``encoder``, on their meaning vectors too)."""
    lexicon: Report | None = None
    blended: Report | None = None
    meaning: Report | None = None
    meaning_model: Report | None = None
    for seed in range(repeats):
        parts = folds(stories, k, seed)
        for i, held_out in enumerate(parts):
            rest = [s for j, part in enumerate(parts) if j != i for s in part]
            fold_taxonomy = calibrate(taxonomy, rest) if recalibrate else taxonomy
            lexicon = merge(lexicon, evaluate(held_out, fold_taxonomy))
            model = None
            if with_model:
                examples = examples_for(rest, fold_taxonomy, encoder)
                model = fit(examples, fold_taxonomy, prior, meaning_scale)
                blended = merge(
                    blended, evaluate(held_out, fold_taxonomy, model=model, encoder=encoder)
                )
            if semantic is not None and encoder is not None:
                fold_semantic = semantic_for(semantic, rest, encoder)
                meaning = merge(meaning, evaluate(held_out, fold_taxonomy, semantic=fold_semantic))
                if model is not None:
                    meaning_model = merge(
                        meaning_model,
                        evaluate(held_out, fold_taxonomy, model=model, semantic=fold_semantic),
                    )
    assert lexicon is not None
    name = f"{k}-fold x {repeats}" + (", calibrated in fold" if recalibrate else "")
    out: dict[str, object] = {"cv_lexicon": print_report(f"lexicon only, {name}", lexicon)}
    if blended is not None:
        title = f"lexicon + model trained on the other folds, {name}"
        out["cv_trained"] = print_report(title, blended)
    if meaning is not None:
        out["cv_meaning"] = print_report(f"lexicon + meaning (other folds), {name}", meaning)
    if meaning_model is not None:
        title = f"lexicon + model + meaning (other folds), {name}"
        out["cv_meaning_trained"] = print_report(title, meaning_model)
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation and print the tables; returns a process exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=Path, default=STORIES)
    parser.add_argument("--dev", type=Path, default=DEV_STORIES, help="development set")
    parser.add_argument(
        "--blind1", type=Path, default=BLIND1_STORIES, help="first blind set (now tuning data)"
    )
    parser.add_argument("--holdout", type=Path, default=HOLDOUT_STORIES, help="held-out set")
    parser.add_argument(
        "--no-holdout", action="store_true", help="leave the held-out set unread (tuning)"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write numbers as JSON")
    parser.add_argument("--taxonomy", type=Path, default=None, help="taxonomy JSON to evaluate")
    parser.add_argument("--cv", type=int, default=0, help="k-fold over all labelled stories")
    parser.add_argument("--repeats", type=int, default=1, help="k-fold repetitions (seeds)")
    parser.add_argument("--calibrate", action="store_true", help="calibrate within each fold")
    parser.add_argument("--lexicon-only", action="store_true", help="--cv without the model")
    parser.add_argument("--prior", type=float, default=None, help="model prior strength")
    parser.add_argument(
        "--meaning-scale",
        type=float,
        default=None,
        help="the model's meaning columns' scale (0: the words-only model; default: shipped)",
    )
    parser.add_argument("--write-calibrated", type=Path, default=None, metavar="OUT")
    parser.add_argument("--semantic", action="store_true", help="also blend in meaning")
    parser.add_argument(
        "--implicit",
        type=Path,
        nargs="?",
        const=IMPLICIT_STORIES,
        default=None,
        help="also read the held-out implicit set (each look is counted in docs/themes.md)",
    )
    parser.add_argument(
        "--blind",
        type=Path,
        action="append",
        default=[],
        metavar="PATH",
        help="also read this held-out set (JSONL like implicit_stories.jsonl); repeatable",
    )
    parser.add_argument(
        "--calibrate-on",
        default="train,test,dev",
        help="splits --write-calibrated calibrates on (comma-separated)",
    )
    args = parser.parse_args(argv)

    taxonomy = (
        Taxonomy.from_dict(json.loads(args.taxonomy.read_text(encoding="utf-8")))
        if args.taxonomy
        else load_default()
    )
    stories = load_stories(args.stories)
    encoder = CachingEncoder() if args.semantic else None
    semantic = SemanticModel.build(taxonomy, encoder) if encoder is not None else None
    if args.write_calibrated or args.cv:
        pooled = stories + load_stories(args.dev) + load_stories(args.blind1)
        if args.write_calibrated:
            chosen = set(args.calibrate_on.split(","))
            data = calibrate(taxonomy, [s for s in pooled if s.split in chosen]).to_dict()
            text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
            args.write_calibrated.write_text(text, encoding="utf-8")
            return 0
        cv = cross_validate(
            pooled,
            taxonomy,
            args.cv,
            args.repeats,
            args.calibrate,
            not args.lexicon_only,
            args.prior,
            semantic,
            encoder,
            args.meaning_scale,
        )
        if args.json:
            args.json.write_text(json.dumps(cv, indent=2))
        return 0
    tuning = stories + load_stories(args.dev) + load_stories(args.blind1)
    out: dict[str, object] = {
        "lexicon_tuning": print_report(
            f"lexicon only, the {len(tuning)} stories it was tuned on", evaluate(tuning, taxonomy)
        )
    }
    started = time.perf_counter()
    examples = examples_for(tuning, taxonomy, encoder)
    model = fit(examples, taxonomy, args.prior, args.meaning_scale)
    took = time.perf_counter() - started
    print(f"\ntrained on {len(examples)} stories ({model.n_decisions} decisions) in {took:.1f} s")
    if not args.no_holdout:
        holdout = load_stories(args.holdout)
        out["lexicon_holdout"] = print_report(
            "lexicon only, held-out stories", evaluate(holdout, taxonomy)
        )
        out["trained_holdout"] = print_report(
            f"lexicon + model trained on the {len(tuning)}, held-out stories",
            evaluate(holdout, taxonomy, model=model, encoder=encoder),
        )
    tuned = semantic_for(semantic, tuning, encoder) if semantic and encoder else None
    if tuned is not None and not args.no_holdout:
        out["meaning_holdout"] = print_report(
            "lexicon + meaning (the tuning stories as examples), held-out stories",
            evaluate(holdout, taxonomy, semantic=tuned),
        )
        out["meaning_trained_holdout"] = print_report(
            "lexicon + model + meaning, held-out stories",
            evaluate(holdout, taxonomy, model=model, semantic=tuned),
        )
    extra = [("implicit", args.implicit)] if args.implicit else []
    extra += [(f"blind:{path.name}", path) for path in args.blind]
    for name, path in extra:
        story_set = load_stories(path)
        key = "implicit" if name == "implicit" else name
        out[f"lexicon_{key}"] = print_report(
            f"lexicon only, {name} stories", evaluate(story_set, taxonomy)
        )
        out[f"trained_{key}"] = print_report(
            f"lexicon + model, {name} stories",
            evaluate(story_set, taxonomy, model=model, encoder=encoder),
        )
        if tuned is not None:
            out[f"meaning_{key}"] = print_report(
                f"lexicon + meaning, {name} stories",
                evaluate(story_set, taxonomy, semantic=tuned),
            )
            out[f"meaning_trained_{key}"] = print_report(
                f"lexicon + model + meaning, {name} stories",
                evaluate(story_set, taxonomy, model=model, semantic=tuned),
            )
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
