"""Speed, accuracy and memory of Tarina's transcription vs openai-whisper's own ``transcribe()``.

    python bench/transcription_speed.py [--configs reference,default,...] [--sets clips,long]
        [--threads 2] [--repeat 1] [--limit N] [--only=-en-] [--no-warmup] [--json out.json]
        [--write docs/performance.md]

Every configuration runs in its own worker process (its peak RSS is that engine's
memory, model and runtime included) and the workers take turns file by file, so a
neighbour's load on a shared machine slows all configurations alike. Speed is reported as
RTF (processing seconds / audio seconds, summed over the set) and as the speed-up over the
reference: the median over files of reference time / configuration time (robust to load
drift). A configuration with ``streams`` > 1 is given that many files at once and
transcribes them concurrently with one loaded model (what a worker serving a queue can
do): its RTF and speed-up are then throughput (wall time per batch of files, the
reference running the same batch one file after another), and the "median s per file"
column shows the latency each file saw. A ``batched`` configuration decodes the VAD regions
of all its files in batched CTranslate2 calls (:func:`batched_transcriber`). WER is
corpus-level after Whisper's normalisers (EnglishTextNormalizer for en,
BasicTextNormalizer for de).

Sets: ``clips`` are the 20 FLEURS clips; ``long`` joins each language's clips with half a
second of silence (one ~96 s English and one ~162 s German file). The clips are read from
``../shared/speech/fleurs`` and never copied into the repository.

The reference is openai-whisper's ``transcribe()`` on the same base weights, float32,
beam size 5 / best_of 5, its default temperature fallback and conditioning on previous
text, the language given, no word timestamps (its cheapest setting); Tarina's
configurations always produce word timestamps and detect the language themselves (the
language is a hint).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
FLEURS = ROOT.parent / "shared" / "speech" / "fleurs"
RATE = 16_000
REFERENCE = "reference"

# Tarina's earlier defaults: each VAD region decoded whole, one decode at a time, no
# second decode of an untranscribed tail.
_ONE_AT_A_TIME = {
    "vad_max_speech_seconds": None,
    "tail_redecode_seconds": None,
    "workers": 1,
    "greedy_first": False,
}
# Beam search on every region (the default before greedy-first decoding).
_BEAM = {"greedy_first": False}

# name -> (description, settings). Tarina settings: compute_type, workers (concurrent
# decodes, sharing the threads), streams (files transcribed at once by one worker
# process: throughput, not latency) plus DecodeOptions fields.
CONFIGS: dict[str, tuple[str, dict[str, Any]]] = {
    REFERENCE: ("openai-whisper transcribe(), fp32, beam 5, fallback", {}),
    "fw-fp32-b5": (
        "faster-whisper fp32, beam 5",
        {"compute_type": "float32", "beam_size": 5, "best_of": 5, **_ONE_AT_A_TIME},
    ),
    "fw-int8-b5": (
        "+ int8 weights (int8_float32) (Tarina's previous default)",
        {"compute_type": "int8_float32", "beam_size": 5, "best_of": 5, **_ONE_AT_A_TIME},
    ),
    "fw-int8-b5-split": (
        "+ speech cut at pauses into <= 30 s regions, untranscribed tails decoded again "
        "(one decode at a time, 2 threads; Tarina's previous default)",
        {"compute_type": "int8_float32", "workers": 1, **_BEAM},
    ),
    "fw-fp32-b5-split": (
        "split, float32 weights",
        {"compute_type": "float32", "workers": 1, **_BEAM},
    ),
    "fw-int8-b5-split-2w": (
        "+ 2 regions decoded at once, 1 thread each (TARINA_TRANSCRIBE_WORKERS=2)",
        {"compute_type": "int8_float32", "workers": 2, **_BEAM},
    ),
    "fw-int8-b5-2w": (
        "int8, 2 decode workers, regions not cut (ablation)",
        {
            "compute_type": "int8_float32",
            "workers": 2,
            "vad_max_speech_seconds": None,
            **_BEAM,
        },
    ),
    "fw-fp32-b1": (
        "fp32, greedy (beam 1, best_of 1)",
        {"compute_type": "float32", "beam_size": 1, "best_of": 1, **_ONE_AT_A_TIME},
    ),
    "fw-int8-b1": (
        "int8, greedy",
        {"compute_type": "int8_float32", "beam_size": 1, "best_of": 1, **_ONE_AT_A_TIME},
    ),
    "fw-int8-b2": (
        "int8, beam 2",
        {"compute_type": "int8_float32", "beam_size": 2, "best_of": 2, **_ONE_AT_A_TIME},
    ),
    "fw-int8-b1-nots": (
        "int8, greedy, text without timestamp tokens (words aligned after)",
        {
            "compute_type": "int8_float32",
            "beam_size": 1,
            "best_of": 1,
            "without_timestamps": True,
            **_ONE_AT_A_TIME,
        },
    ),
    "default": (
        "Tarina's default engine settings (now: fw-int8-b5-split with the compute type "
        "chosen from the CPU's flags)",
        {},
    ),
    "fw-int8-b5-split-2w-2files": (
        "split-2w given two files at once (throughput of one worker process)",
        {"compute_type": "int8_float32", "workers": 2, "streams": 2, **_BEAM},
    ),
    "fw-int8-b1-split": (
        "split, greedy only (beam 1, temperature 0, no fallback)",
        {
            "compute_type": "int8_float32",
            "workers": 1,
            "beam_size": 1,
            "best_of": 1,
            "temperatures": (0.0,),
        },
    ),
    "greedy-first-lp0.5": (
        "split, greedy first, beam 5 + fallback again for doubtful regions (average "
        "log-probability < -0.5, compression ratio > 2.0 or no-speech probability > 0.5)",
        {"compute_type": "int8_float32", "workers": 1, "greedy_first": True, "doubt": -0.5},
    ),
    "greedy-first-lp0.3": (
        "greedy-first, beam search again below an average log-probability of -0.3",
        {"compute_type": "int8_float32", "workers": 1, "greedy_first": True, "doubt": -0.3},
    ),
    "fw-int8-b5-split-nots": (
        "split, beam 5, text without timestamp tokens (regions <= 30 s: one input each; "
        "words aligned after)",
        {"compute_type": "int8_float32", "workers": 1, "without_timestamps": True, **_BEAM},
    ),
    "batched-4files": (
        "4 files' VAD regions decoded in batched CTranslate2 calls (BatchedInferencePipeline, "
        "beam 5, no fallback, text without timestamp tokens; throughput)",
        {"compute_type": "int8_float32", "streams": 4, "batched": True, **_BEAM},
    ),
    "batched-4files-greedy": (
        "batched-4files with greedy decoding (beam 1)",
        {
            "compute_type": "int8_float32",
            "streams": 4,
            "batched": True,
            "beam_size": 1,
            "best_of": 1,
            **_BEAM,
        },
    ),
}


def streams(config: str) -> int:
    """How many files a configuration transcribes at once."""
    return int(CONFIGS[config][1].get("streams", 1))


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- Worker -----------------------------------------------------------------------------


def reference_transcriber(models_dir: Path, threads: int) -> Callable[[Path, str], str]:
    """openai-whisper's own ``transcribe()`` on the provisioned checkpoint."""
    import torch
    import whisper

    from media_pipeline.speech.audio import decode_audio
    from media_pipeline.speech.engines.openai import load_openai_whisper
    from media_pipeline.speech.weights import openai_whisper_checkpoint

    torch.set_num_threads(threads)
    model = load_openai_whisper(openai_whisper_checkpoint(models_dir, "base"), "cpu")

    def run(path: Path, language: str) -> str:
        result = whisper.transcribe(
            model,
            decode_audio(path),
            language=language,
            beam_size=5,
            best_of=5,
            fp16=False,
            verbose=None,
        )
        return str(result["text"])

    return run


def tarina_transcriber(
    settings: dict[str, Any], models_dir: Path, threads: int
) -> Callable[[Path, str], str]:
    """Tarina's pipeline (faster-whisper engine) with some settings changed."""
    settings = {k: v for k, v in settings.items() if k != "streams"}
    doubt = settings.pop("doubt", None)
    if doubt is not None:
        # The engine reads the module's rule at each decode: this worker process only.
        from media_pipeline.speech import decoding

        decoding.DEFAULT_DOUBT_RULE = decoding.DoubtRule(min_avg_logprob=float(doubt))
    transcriber = _build_transcriber(settings, models_dir, threads)
    return lambda path, language: transcriber.transcribe(path, language=language).text


def _build_transcriber(settings: dict[str, Any], models_dir: Path, threads: int) -> Any:
    """The faster-whisper transcriber for a configuration's settings."""
    from dataclasses import replace

    from media_pipeline.speech.loader import get_transcriber
    from media_pipeline.speech.policy import DecodeOptions

    settings = dict(settings)
    compute_type = settings.pop("compute_type", None)
    workers = int(settings.pop("workers", 0))
    return get_transcriber(
        "faster-whisper",
        "base",
        "cpu",
        compute_type=compute_type,
        threads=threads,
        workers=workers,
        models_dir=models_dir,
        options=replace(DecodeOptions(), **settings),
    )


def batched_transcriber(
    settings: dict[str, Any], models_dir: Path, threads: int
) -> Callable[[list[tuple[Path, str]]], list[str]]:
    """Several recordings from a queue transcribed together: each one's VAD regions (and
    language) found as Tarina does, then the regions of all recordings in one language
    decoded in batched CTranslate2 calls (faster-whisper's BatchedInferencePipeline over
    the regions laid end to end, ``clip_timestamps`` marking them), then Tarina's guards
    per recording. Beam search without the temperature fallback (the pipeline has none)."""
    from faster_whisper import BatchedInferencePipeline

    from media_pipeline.speech.audio import decode_audio
    from media_pipeline.speech.policy import (
        RawSegment,
        choose_language,
        decode_regions,
        filter_segments,
        join_text,
    )
    from media_pipeline.speech.vad import speech_intervals, speech_only

    settings = {k: v for k, v in settings.items() if k not in ("streams", "batched")}
    transcriber = _build_transcriber(settings, models_dir, threads)
    pipeline = BatchedInferencePipeline(transcriber._model)
    o = transcriber.options

    def run(files: list[tuple[Path, str]]) -> list[str]:
        regions: dict[str | None, list[tuple[int, float, np.ndarray]]] = {}
        speech_of = []
        for n, (path, hint) in enumerate(files):
            samples = decode_audio(path)
            speech = speech_intervals(
                samples,
                o.vad_threshold,
                o.vad_min_silence_ms,
                o.vad_speech_pad_ms,
                o.vad_max_speech_seconds,
            )
            speech_of.append(speech)
            if not speech:
                continue
            detected, probability = transcriber._detect_language(speech_only(samples, speech))
            chosen, _ = choose_language(detected, probability, hint, o.language_threshold)
            for group in decode_regions(speech, o.region_group_seconds):
                start, end = group[0][0], group[-1][1]
                first = int(start * RATE)
                audio = samples[first : int(end * RATE)]
                regions.setdefault(chosen, []).append((n, first / RATE, audio))
        found: list[list[RawSegment]] = [[] for _ in files]
        for language, parts in regions.items():
            clips, at = [], 0
            for _, _, audio in parts:
                clips.append({"start": at / RATE, "end": (at + len(audio)) / RATE})
                at += len(audio)
            segments, _ = pipeline.transcribe(
                np.concatenate([audio for _, _, audio in parts]),
                language=language,
                clip_timestamps=clips,
                batch_size=8,
                beam_size=o.beam_size,
                best_of=o.best_of,
                temperature=0.0,
                word_timestamps=True,
                without_timestamps=True,
                vad_filter=False,
            )
            for s in segments:
                k = max(i for i, c in enumerate(clips) if c["start"] <= s.start + 0.01)
                n, offset, _ = parts[k]
                shift = offset - clips[k]["start"]
                found[n].append(
                    RawSegment(
                        s.start + shift,
                        s.end + shift,
                        s.text,
                        [],
                        s.avg_logprob,
                        s.no_speech_prob,
                        s.compression_ratio,
                    )
                )
        texts = []
        for segments_of, speech in zip(found, speech_of, strict=True):
            segments_of.sort(key=lambda r: r.start)
            kept, _ = filter_segments(segments_of, o, speech)
            texts.append(join_text(kept))
        return texts

    return run


def worker(config: str, models_dir: Path, threads: int) -> int:
    """Serve ``{"files": [{"path", "language"}, ...]}`` lines on stdin.

    Answers ``{"texts", "seconds" (per file), "wall"}``; the files are transcribed one
    after another, or ``streams`` at a time in threads sharing one loaded model.
    """
    from concurrent.futures import ThreadPoolExecutor

    settings = CONFIGS[config][1]
    if config == REFERENCE:
        run = reference_transcriber(models_dir, threads)
    elif not settings.get("batched"):
        run = tarina_transcriber(settings, models_dir, threads)

    def timed(request: dict[str, str]) -> tuple[str, float]:
        started = time.perf_counter()
        text = run(Path(request["path"]), request["language"])
        return text, time.perf_counter() - started

    pool = ThreadPoolExecutor(streams(config))
    batch = batched_transcriber(settings, models_dir, threads) if settings.get("batched") else None
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        files = json.loads(line)["files"]
        started = time.perf_counter()
        if batch is not None:
            texts = batch([(Path(f["path"]), f["language"]) for f in files])
            wall = time.perf_counter() - started
            seconds = [wall] * len(files)
        else:
            answers = list(pool.map(timed, files))
            wall = time.perf_counter() - started
            texts, seconds = [a[0] for a in answers], [a[1] for a in answers]
        print(json.dumps({"texts": texts, "seconds": seconds, "wall": wall}), flush=True)
    print(json.dumps({"peak_rss_mb": peak_rss_mb()}), flush=True)
    return 0


# --- Data -------------------------------------------------------------------------------


@dataclass
class Item:
    """One file to transcribe, with its reference text."""

    set_name: str
    name: str
    path: Path
    language: str
    reference: str
    seconds: float


def build_sets(tmp: Path, sets: list[str]) -> list[Item]:
    """The FLEURS clips, and per language the clips joined by 0.5 s of silence."""
    from media_pipeline.speech.audio import decode_audio

    clips = sorted(FLEURS.glob("fleurs-*.ogg"))
    if not clips:
        raise SystemExit(f"No FLEURS clips in {FLEURS}")
    items: list[Item] = []
    by_language: dict[str, list[tuple[np.ndarray, str]]] = {}
    for clip in clips:
        language = clip.stem.split("-")[1]
        samples = decode_audio(clip)
        text = clip.with_suffix(".txt").read_text(encoding="utf-8").strip()
        by_language.setdefault(language, []).append((samples, text))
        if "clips" in sets:
            items.append(Item("clips", clip.stem, clip, language, text, len(samples) / RATE))
    if "long" in sets:
        silence = np.zeros(RATE // 2, dtype=np.float32)
        for language, parts in sorted(by_language.items()):
            audio = np.concatenate([x for samples, _ in parts for x in (samples, silence)][:-1])
            path = tmp / f"fleurs-{language}-joined.wav"
            with wave.open(str(path), "wb") as out:
                out.setnchannels(1)
                out.setsampwidth(2)
                out.setframerate(RATE)
                out.writeframes((np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes())
            reference = " ".join(text for _, text in parts)
            items.append(Item("long", path.stem, path, language, reference, len(audio) / RATE))
    return items


# --- Parent -----------------------------------------------------------------------------


@dataclass
class Worker:
    """A configuration's worker process and what it has measured."""

    config: str
    process: subprocess.Popen[str]
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Wall seconds per batch of files sent together (keyed by the batch's first file).
    walls: dict[str, float] = field(default_factory=dict)
    peak_rss_mb: float = 0.0

    def run(self, batch: list[Item]) -> None:
        """Transcribe a batch of files; keep the fastest pass of each file and batch."""
        answer = self.ask({"files": [{"path": str(i.path), "language": i.language} for i in batch]})
        for item, text, seconds in zip(batch, answer["texts"], answer["seconds"], strict=True):
            previous = self.results.get(item.name)
            if previous is not None:
                seconds = min(seconds, previous["seconds"])
            self.results[item.name] = {"text": text, "seconds": seconds}
        key = batch[0].name
        self.walls[key] = min(answer["wall"], self.walls.get(key, answer["wall"]))

    def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        """Send one request and wait for its answer."""
        assert self.process.stdin
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        return self.read()

    def read(self) -> dict[str, Any]:
        """Next JSON line from the worker (fails loudly if it died)."""
        assert self.process.stdout
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"worker {self.config} died (rc={self.process.wait()})")
        return dict(json.loads(line))

    def finish(self) -> None:
        """Close stdin, collect the peak RSS, wait for exit."""
        assert self.process.stdin
        self.process.stdin.close()
        self.peak_rss_mb = float(self.read()["peak_rss_mb"])
        self.process.wait()


def start_worker(config: str, models_dir: Path, threads: int) -> Worker:
    """Start a worker process for one configuration and wait until its model is loaded."""
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), PYTHONWARNINGS="ignore")
    process = subprocess.Popen(
        [
            *(sys.executable, __file__, "--worker", config),
            *("--threads", str(threads), "--models-dir", str(models_dir)),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    started = Worker(config, process)
    started.read()
    return started


def normaliser(language: str) -> Callable[[str], str]:
    """Whisper's normaliser for a language."""
    from whisper.normalizers import BasicTextNormalizer, EnglishTextNormalizer

    return EnglishTextNormalizer() if language == "en" else BasicTextNormalizer()


def summarise(
    items: list[Item], batches: list[list[Item]], workers: list[Worker], set_name: str
) -> list[dict[str, Any]]:
    """Per configuration: RTF, speed-up vs reference, WER, latency, peak RSS.

    RTF is wall time over audio (for configurations that take several files at once, the
    batch's wall time: throughput). The speed-up is the median over files of reference
    time / configuration time, or over batches for several files at once.
    """
    import jiwer

    chosen = [item for item in items if item.set_name == set_name]
    keys = [b[0].name for b in batches if b[0].set_name == set_name]
    audio = sum(item.seconds for item in chosen)
    reference = next((w for w in workers if w.config == REFERENCE), None)
    rows = []
    for w in workers:
        refs = [normaliser(i.language)(i.reference) for i in chosen]
        hyps = [normaliser(i.language)(w.results[i.name]["text"]) for i in chosen]
        speedup = None
        if reference is not None and streams(w.config) > 1:
            speedup = statistics.median(reference.walls[k] / w.walls[k] for k in keys)
        elif reference is not None:
            speedup = statistics.median(
                reference.results[i.name]["seconds"] / w.results[i.name]["seconds"] for i in chosen
            )
        rows.append(
            {
                "config": w.config,
                "set": set_name,
                "rtf": sum(w.walls[k] for k in keys) / audio,
                "speedup": speedup,
                "wer": 100 * float(jiwer.wer(refs, hyps)),
                "latency": statistics.median(w.results[i.name]["seconds"] for i in chosen),
                "peak_rss_mb": w.peak_rss_mb,
            }
        )
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    """Markdown table of the summary rows."""
    lines = [
        "| set | configuration | RTF | speed-up vs reference | WER % "
        "| median s per file | peak RSS MB |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        speedup = f"{r['speedup']:.2f}x" if r["speedup"] is not None else "-"
        lines.append(
            f"| {r['set']} | `{r['config']}`: {CONFIGS[r['config']][0]} | {r['rtf']:.3f} "
            f"| {speedup} | {r['wer']:.1f} | {r['latency']:.2f} | {r['peak_rss_mb']:.0f} |"
        )
    return "\n".join(lines)


def write_section(path: Path, key: str, text: str) -> None:
    """Replace the ``key`` block of a markdown file (between markers), or append one."""
    start, end = f"<!-- {key} -->", f"<!-- /{key} -->"
    block = f"{start}\n{text.strip()}\n{end}"
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    if start in current and end in current:
        before, rest = current.split(start, 1)
        after = rest.split(end, 1)[1]
        current = before + block + after
    else:
        current = current.rstrip("\n") + ("\n\n" if current else "") + block + "\n"
    path.write_text(current, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Run the configurations in turn over the sets and print (and optionally save) a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", default=",".join(CONFIGS))
    parser.add_argument("--sets", default="clips,long")
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--repeat", type=int, default=1, help="passes over the files")
    parser.add_argument("--models-dir", type=Path, default=None)
    parser.add_argument("--limit", type=int, default=0, help="files per set (0: all)")
    parser.add_argument(
        "--write", type=Path, default=None, help="update this markdown file's table(s)"
    )
    parser.add_argument("--json", type=Path, default=None, help="save rows and transcripts")
    parser.add_argument("--only", default="", help="files whose name contains this (e.g. -en-)")
    parser.add_argument(
        "--no-warmup",
        action="store_true",
        help="skip the unmeasured first pass over the first file (long files on a busy machine)",
    )
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.models_dir is None:
        from media_pipeline.speech.loader import default_models_dir

        args.models_dir = default_models_dir()
    if args.worker:
        return worker(args.worker, args.models_dir, args.threads)

    configs = [c for c in args.configs.split(",") if c]
    unknown = [c for c in configs if c not in CONFIGS]
    if unknown:
        parser.error(f"unknown configurations {unknown}; choose from {', '.join(CONFIGS)}")
    sets = args.sets.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        items = build_sets(Path(tmp), sets)
        if args.only:
            items = [i for i in items if args.only in i.name]
        if args.limit:
            # Languages taking turns (de-000, en-000, de-001, ...), so a short run has both.
            items = [
                i
                for s in sets
                for i in sorted(
                    (i for i in items if i.set_name == s),
                    key=lambda i: (i.name.rsplit("-", 1)[-1], i.name),
                )[: args.limit]
            ]
        # Files go to every configuration in batches as large as the most files any
        # configuration takes at once (one-at-a-time configurations run them in turn).
        size = max(streams(c) for c in configs)
        batches = [
            chosen[n : n + size]
            for s in sets
            for chosen in [[i for i in items if i.set_name == s]]
            for n in range(0, len(chosen), size)
        ]
        load_before = os.getloadavg()[0]
        workers = [start_worker(c, args.models_dir, args.threads) for c in configs]
        # Warm-up (first-call allocations, lazy imports) outside the measurements.
        for w in workers if not args.no_warmup else []:
            w.ask({"files": [{"path": str(items[0].path), "language": items[0].language}]})
        for n in range(args.repeat):
            for i, batch in enumerate(batches):
                # Rotate who goes first so no configuration always follows the same one.
                k = (i + n) % len(workers)
                for w in workers[k:] + workers[:k]:
                    w.run(batch)
                names = " ".join(item.name for item in batch)
                print(f"{batch[0].set_name} {names} done", file=sys.stderr, flush=True)
        for w in workers:
            w.finish()
    load_after = os.getloadavg()[0]
    header = (
        f"load average (1 min) {load_before:.1f} before, {load_after:.1f} after; "
        f"threads={args.threads}, passes={args.repeat}, "
        f"cpu={os.cpu_count()} ({len(os.sched_getaffinity(0))} usable), "
        f"{time.strftime('%Y-%m-%d')}"
    )
    rows = []
    for set_name in sets:
        set_rows = summarise(items, batches, workers, set_name)
        rows.extend(set_rows)
        output = f"{header}\n\n{table(set_rows)}\n"
        print(output)
        if args.write:
            write_section(args.write, f"transcription_speed {set_name}", output)
    if args.json:
        transcripts = {w.config: {"files": w.results, "walls": w.walls} for w in workers}
        args.json.write_text(json.dumps({"rows": rows, "transcripts": transcripts}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
