"""``manage.py remove_expired_uploads``: delete expired resumable uploads and their files."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from stories.domain import uploads


class Command(BaseCommand):
    help = "Delete resumable uploads past their Upload-Expires, and stray upload files."

    def handle(self, *args: Any, **options: Any) -> None:
        removed = uploads.remove_expired()
        if options["verbosity"]:
            self.stdout.write(f"Removed {removed} expired upload(s).")
