"""Compile the web UI's translations (.po -> .mo) with polib: no GNU gettext needed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polib
from django.core.management.base import BaseCommand, CommandParser

LOCALE_DIR = Path(__file__).resolve().parents[2] / "locale"


class Command(BaseCommand):
    help = "Compile frontend/locale/*/LC_MESSAGES/*.po into .mo files (only when out of date)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="Compile every catalogue, even up-to-date ones."
        )
        parser.add_argument(
            "--locale-dir", default=str(LOCALE_DIR), help="Where the catalogues live."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        compiled = skipped = 0
        for po_path in sorted(Path(options["locale_dir"]).glob("*/LC_MESSAGES/*.po")):
            mo_path = po_path.with_suffix(".mo")
            fresh = mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime
            if fresh and not options["force"]:
                skipped += 1
                continue
            catalogue = polib.pofile(str(po_path))
            # Fuzzy entries are guesses: like msgfmt, leave them out of the compiled file.
            catalogue.save_as_mofile(str(mo_path))
            compiled += 1
            if options["verbosity"] > 1:
                self.stdout.write(f"{po_path.parent.parent.name}: {mo_path}")
        self.stdout.write(f"Translations: {compiled} compiled, {skipped} up to date.")
