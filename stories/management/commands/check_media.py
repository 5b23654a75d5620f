"""``manage.py check_media``: compare stored media with the database; ``--repair`` fixes it."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from stories.domain import media_reconciler


class Command(BaseCommand):
    help = (
        "Report media files no row owns (orphans) and rows whose file is missing, in the "
        "private and public storages. Changes nothing unless --repair is given: then orphans "
        "are deleted, missing derivatives forgotten (the pipeline remakes them) and missing "
        "public files rebuilt. Exits 1 when problems remain."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--repair", action="store_true", help="Delete orphans and repair missing files."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = media_reconciler.check(repair=options["repair"])
        for finding in report.orphans:
            self.stdout.write(f"orphan  {finding.storage}:{finding.name} ({finding.reason})")
        for finding in report.missing:
            self.stdout.write(
                f"missing {finding.storage}:{finding.name} (story {finding.story_id})"
            )
        self.stdout.write(
            f"{report.files_checked} file(s) checked: {len(report.orphans)} orphan(s), "
            f"{len(report.missing)} missing, {len(report.stale_intents)} stale intent(s); "
            f"repaired: {report.orphans_deleted} orphan(s) deleted, "
            f"{report.missing_repaired} missing repaired."
        )
        unrepaired = len(report.orphans) - report.orphans_deleted
        unrepaired += len(report.missing) - report.missing_repaired
        if unrepaired:
            raise CommandError(
                f"{unrepaired} problem(s) left" + ("" if report.repaired else "; run with --repair")
            )
