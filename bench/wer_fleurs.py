"""Word error rate and speed on the 20 FLEURS clips (10 English, 10 German).

    python bench/wer_fleurs.py [--engine faster-whisper|openai-whisper] [--model base]

Transcripts are compared with the FLEURS references after Whisper's text normalisation
(EnglishTextNormalizer for English, BasicTextNormalizer otherwise). WER per language and
overall is corpus-level (all errors / all reference words). RTF = processing time / audio
duration (lower is faster); model loading is reported separately. The clips are read from
``../shared/speech/fleurs`` next to the repository and never copied into it.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FLEURS = ROOT.parent / "shared" / "speech" / "fleurs"


def normaliser(language: str) -> Callable[[str], str]:
    """Whisper's normaliser for a language."""
    from whisper.normalizers import BasicTextNormalizer, EnglishTextNormalizer

    return EnglishTextNormalizer() if language == "en" else BasicTextNormalizer()


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table; returns a process exit status."""
    import jiwer

    from media_pipeline.speech.loader import get_transcriber
    from media_pipeline.speech.policy import DecodeOptions

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", default="faster-whisper")
    parser.add_argument("--model", default="base")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--compute-type", default=None)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--no-hint", action="store_true", help="do not pass the language hint")
    parser.add_argument("--no-vad", action="store_true")
    parser.add_argument("--models-dir", type=Path, default=None)
    parser.add_argument("--limit", type=int, default=0, help="clips per language (0: all)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    clips = sorted(FLEURS.glob("fleurs-*.ogg"))
    if not clips:
        print(f"No FLEURS clips in {FLEURS}", file=sys.stderr)
        return 2
    if args.limit:
        per_lang: dict[str, int] = defaultdict(int)
        kept = []
        for clip in clips:
            lang = clip.stem.split("-")[1]
            if per_lang[lang] < args.limit:
                per_lang[lang] += 1
                kept.append(clip)
        clips = kept

    started = time.perf_counter()
    transcriber = get_transcriber(
        args.engine,
        args.model,
        args.device,
        compute_type=args.compute_type,
        threads=args.threads,
        models_dir=args.models_dir,
        options=DecodeOptions(vad=not args.no_vad),
        auto_provision=True,
    )
    load_seconds = time.perf_counter() - started

    refs: dict[str, list[str]] = defaultdict(list)
    hyps: dict[str, list[str]] = defaultdict(list)
    audio_seconds: dict[str, float] = defaultdict(float)
    work_seconds: dict[str, float] = defaultdict(float)
    wrong_language = 0
    print(f"{'clip':<16} {'lang':>4} {'det':>4} {'dur s':>6} {'time s':>6} {'RTF':>5} {'WER':>6}")
    for clip in clips:
        lang = clip.stem.split("-")[1]
        norm = normaliser(lang)
        reference = norm(clip.with_suffix(".txt").read_text(encoding="utf-8"))
        t0 = time.perf_counter()
        result = transcriber.transcribe(clip, language=None if args.no_hint else lang)
        elapsed = time.perf_counter() - t0
        hypothesis = norm(result.text)
        wer = jiwer.wer(reference, hypothesis) if hypothesis else 1.0
        wrong_language += result.language != lang
        refs[lang].append(reference)
        hyps[lang].append(hypothesis)
        audio_seconds[lang] += result.duration
        work_seconds[lang] += elapsed
        print(
            f"{clip.stem:<16} {lang:>4} {result.language or '-':>4} {result.duration:6.1f} "
            f"{elapsed:6.2f} {elapsed / result.duration:5.2f} {100 * wer:5.1f}%"
        )

    print()
    print(f"{'language':<10} {'clips':>5} {'audio s':>8} {'time s':>7} {'RTF':>5} {'WER':>6}")
    for lang in sorted(refs):
        wer = jiwer.wer(refs[lang], hyps[lang])
        rtf = work_seconds[lang] / audio_seconds[lang]
        print(
            f"{lang:<10} {len(refs[lang]):>5} {audio_seconds[lang]:8.1f} "
            f"{work_seconds[lang]:7.1f} {rtf:5.2f} {100 * wer:5.1f}%"
        )
    all_refs = [r for lang in sorted(refs) for r in refs[lang]]
    all_hyps = [h for lang in sorted(refs) for h in hyps[lang]]
    total_audio = sum(audio_seconds.values())
    total_work = sum(work_seconds.values())
    overall = jiwer.wer(all_refs, all_hyps)
    print(
        f"{'overall':<10} {len(all_refs):>5} {total_audio:8.1f} {total_work:7.1f} "
        f"{total_work / total_audio:5.2f} {100 * overall:5.1f}%"
    )
    print(
        f"\nengine={transcriber.engine} model={transcriber.model_name} "
        f"device={transcriber.device} compute_type={transcriber.compute_type} "
        f"threads={args.threads or 'all'} hint={'off' if args.no_hint else 'on'} "
        f"vad={'off' if args.no_vad else 'on'} load={load_seconds:.1f}s "
        f"wrong_language={wrong_language}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
