"""``python manage.py provision_models``: build Whisper weights offline into TARINA_MODELS_DIR."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from media_pipeline.privacy import build_gazetteer
from media_pipeline.speech.weights import ENGINES, SOURCES, WeightsError, provision


class Command(BaseCommand):
    help = (
        "Assemble and verify Whisper weights from the installed weight packages (no network): "
        "the CTranslate2 model for faster-whisper and a converted checkpoint for openai-whisper."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--engine",
            action="append",
            choices=ENGINES,
            help="engine to provision for (repeatable; default: all)",
        )
        parser.add_argument(
            "--model",
            action="append",
            choices=sorted(SOURCES),
            help="Whisper model (repeatable; default: TARINA_WHISPER_MODEL)",
        )
        parser.add_argument(
            "--models-dir", type=Path, default=None, help="default: TARINA_MODELS_DIR"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        models_dir = options["models_dir"] or Path(settings.TARINA_MODELS_DIR)
        engines = options["engine"] or list(ENGINES)
        models = options["model"] or [settings.TARINA_WHISPER_MODEL]
        try:
            report = provision(models_dir, engines=engines, models=models)
        except WeightsError as exc:
            raise CommandError(str(exc)) from exc
        for item in report.items:
            self.stdout.write(
                f"{item.engine:<15} {item.model:<8} {item.action:<8} {item.path} "
                f"({item.seconds:.1f}s)"
            )
        # The personal-data detector's name list: built once from names-dataset, small to load.
        gazetteer = build_gazetteer(models_dir / "privacy")
        self.stdout.write(f"{'names':<15} {'eu':<8} {'ready':<8} {gazetteer}")
