"""Compile Tarina's translations (.po -> .mo) with polib: no GNU gettext needed."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import polib
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

# The web UI's catalogue; the API's messages for reporters live in stories/locale.
LOCALE_DIR = Path(__file__).resolve().parents[2] / "locale"


def project_locale_dirs() -> list[Path]:
    """Every catalogue folder of Tarina's own apps, plus LOCALE_PATHS (not installed packages')."""
    root = Path(settings.BASE_DIR).resolve()
    folders = [Path(folder) for folder in settings.LOCALE_PATHS]
    for config in apps.get_app_configs():
        folder = Path(config.path).resolve() / "locale"
        if folder.is_relative_to(root) and "site-packages" not in folder.parts:
            folders.append(folder)
    return sorted({folder for folder in folders if folder.is_dir()})


class Command(BaseCommand):
    help = (
        "Compile <app>/locale/*/LC_MESSAGES/*.po of Tarina's apps (frontend, stories) into "
        ".mo files, only when out of date."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="Compile every catalogue, even up-to-date ones."
        )
        parser.add_argument(
            "--locale-dir",
            help="Compile only the catalogues in this folder (default: every app's locale/).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        compiled = skipped = 0
        folders = [Path(options["locale_dir"])] if options["locale_dir"] else project_locale_dirs()
        for po_path in sorted(p for folder in folders for p in folder.glob("*/LC_MESSAGES/*.po")):
            mo_path = po_path.with_suffix(".mo")
            fresh = mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime
            if fresh and not options["force"]:
                skipped += 1
                continue
            catalogue = polib.pofile(str(po_path))
            # Fuzzy entries are guesses: like msgfmt, leave them out of the compiled file.
            # Written aside and moved into place, so a test run next door never reads half.
            partial = mo_path.with_name(f".{mo_path.name}.{os.getpid()}")
            catalogue.save_as_mofile(str(partial))
            os.replace(partial, mo_path)
            compiled += 1
            if options["verbosity"] > 1:
                self.stdout.write(f"{po_path.parent.parent.name}: {mo_path}")
        self.stdout.write(f"Translations: {compiled} compiled, {skipped} up to date.")
