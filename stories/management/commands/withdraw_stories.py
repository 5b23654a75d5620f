"""``manage.py withdraw_stories ID [ID ...]``: withdraw stories again after a restore.

A backup taken before a reporter withdrew still holds their story. After restoring one,
run this with the ids of every story withdrawn since the backup was taken (the live
system's audit trail lists them; docs/reliability.md, "Recovery"). Ids may also come on
standard input, one per line. Withdrawing is idempotent and repairing: a story already
withdrawn has whatever its erasure left (text, files, public copy) erased now, and is
reported so; unknown ids are reported and skipped.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from stories.domain import consent
from stories.models import Story

ACTOR = "restore"


class Command(BaseCommand):
    help = "Withdraw the given stories (ids as arguments or on stdin), e.g. after a restore."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ids", nargs="*", help="story ids; none: read them from stdin")

    def handle(self, *args: Any, **options: Any) -> None:
        raw = options["ids"] or sys.stdin.read().split()
        try:
            ids = sorted({int(value) for value in raw})
        except ValueError as error:
            raise CommandError(f"Story ids are whole numbers: {error}") from None
        withdrawn = 0
        for story_id in ids:
            story = Story.objects.filter(pk=story_id).first()
            if story is None:
                self.stdout.write(f"story {story_id}: not in this database")
                continue
            done = consent.withdraw(story, actor_label=ACTOR)
            withdrawn += done.withdrawn
            self.stdout.write(f"story {story_id}: {_outcome(done)}")
        self.stdout.write(f"Withdrew {withdrawn} of {len(ids)} stories.")


def _outcome(done: consent.Withdrawal) -> str:
    if done.withdrawn:
        return "withdrawn"
    if done.removed:
        return f"already withdrawn; erased {done.removed} things its erasure had left"
    return "already withdrawn"
