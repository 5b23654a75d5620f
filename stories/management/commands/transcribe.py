"""``python manage.py transcribe PATH... [--json]``: transcribe files from the command line."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from media_pipeline.speech.audio import AudioDecodeError
from media_pipeline.speech.loader import get_transcriber
from media_pipeline.speech.weights import ENGINES, WeightsError


class Command(BaseCommand):
    help = "Transcribe audio or video files with Whisper (weights are provisioned if missing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        parser.add_argument("--json", action="store_true", help="print a JSON list")
        parser.add_argument("--engine", choices=ENGINES, default=None)
        parser.add_argument("--model", default=None, help="default: TARINA_WHISPER_MODEL")
        parser.add_argument("--language", default=None, help="expected language (a hint)")
        parser.add_argument("--device", default=None, help="auto, cpu or cuda")
        parser.add_argument("--compute-type", default=None, help="faster-whisper only")

    def handle(self, *args: Any, **options: Any) -> None:
        paths: list[Path] = options["paths"]
        for path in paths:
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
        try:
            transcriber = get_transcriber(
                options["engine"] or settings.TARINA_TRANSCRIBE_ENGINE,
                options["model"] or settings.TARINA_WHISPER_MODEL,
                options["device"] or settings.TARINA_TRANSCRIBE_DEVICE,
                compute_type=options["compute_type"],
                threads=settings.TARINA_TRANSCRIBE_THREADS,
                models_dir=Path(settings.TARINA_MODELS_DIR),
                auto_provision=True,
            )
        except (WeightsError, ValueError) as exc:
            raise CommandError(str(exc)) from exc

        results = []
        for path in paths:
            started = time.perf_counter()
            try:
                transcript = transcriber.transcribe(path, language=options["language"])
            except AudioDecodeError as exc:
                raise CommandError(str(exc)) from exc
            result = transcript.to_dict()
            result["path"] = str(path)
            result["seconds"] = round(time.perf_counter() - started, 3)
            results.append(result)
            if not options["json"]:
                self._write_text(result)
        if options["json"]:
            self.stdout.write(json.dumps(results, ensure_ascii=False, indent=2))

    def _write_text(self, result: dict[str, Any]) -> None:
        self.stdout.write(
            f"== {result['path']}: {result['engine']} {result['model']}, "
            f"language {result['language']} (p={result['language_probability']:.2f}), "
            f"{result['duration']:.1f}s of audio in {result['seconds']:.1f}s"
        )
        for segment in result["segments"]:
            self.stdout.write(
                f"[{segment['start']:8.2f} -> {segment['end']:8.2f}] {segment['text']}"
            )
