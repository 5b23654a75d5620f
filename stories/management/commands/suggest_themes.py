"""``manage.py suggest_themes PATH... --json [--lang xx]``: theme suggestions for text files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from media_pipeline.themes.cli import suggest_for_file
from stories.domain import themes


class Command(BaseCommand):
    help = "Suggest CoSIE roadmap themes for story text files, with evidence."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--json", action="store_true", help="Print JSON.")
        parser.add_argument("--lang", help="The text's language (ISO 639-1); else detected.")

    def handle(self, *args: Any, **options: Any) -> None:
        taxonomy, model = themes.current_taxonomy(), themes.latest_model()
        results = []
        for name in options["paths"]:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{name}: no such file.")
            try:
                result = suggest_for_file(path, options["lang"], taxonomy, model=model)
            except (UnicodeDecodeError, ValueError) as error:
                raise CommandError(
                    f"{name}: not a UTF-8 text or transcript file ({error})."
                ) from error
            results.append(result)
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    results if len(results) > 1 else results[0], indent=2, ensure_ascii=False
                )
            )
            return
        for result in results:
            chosen = [t["theme"] for t in result["themes"] if t["suggested"]]
            self.stdout.write(
                f"{result['path']} ({result['language']}): {', '.join(chosen) or '-'}"
            )
