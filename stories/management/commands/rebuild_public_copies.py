"""``manage.py rebuild_public_copies [--dry-run] [--now]``: after an upgrade, give stories
published before the synchronised transcript their timed transcript and captions (by
rebuilding their public copy through publishing), and queue the English translation of
published recordings that have none."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from stories.domain import public_copies


class Command(BaseCommand):
    help = (
        "Rebuild the public copies of published stories that lack their timed transcript, "
        "and queue missing translations. Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Only count what would be done.")
        parser.add_argument(
            "--now",
            action="store_true",
            help="Build here rather than in the workers (needs the speech model for the "
            "release check of stories with sound).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        done = public_copies.rebuild(dry_run=options["dry_run"], now=options["now"])
        prefix = "dry run: " if options["dry_run"] else ""
        self.stdout.write(
            f"{prefix}{done.without_segments} published stories without a timed transcript: "
            f"{done.rebuilt} rebuilt, {done.queued} queued, {done.refused} refused; "
            f"{done.translations_queued} translations "
            f"{'to queue' if options['dry_run'] else 'queued'}"
        )
