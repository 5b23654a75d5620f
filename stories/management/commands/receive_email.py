"""``manage.py receive_email [--recipient ADDRESS]``: one RFC 5322 message on standard input.

For an MTA's pipe delivery, e.g. Postfix ``stories unix - n n - - pipe user=tarina
argv=/srv/tarina/manage.py receive_email --recipient ${original_recipient}`` (see
docs/channels.md). The answer (consent question, receipt) goes out by ``EMAIL_URL``.
Exit status 75 (EX_TEMPFAIL) asks the MTA to try again later, for a database or mail
server that is briefly away; any other failure (a bug) exits 1, and the MTA returns the
message to its sender, who then knows it was not received.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError

from stories.domain.channels import mail

logger = logging.getLogger(__name__)
EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Read one e-mail message on standard input and answer it (MTA pipe delivery)."
    stealth_options = ("stdin",)  # call_command(..., stdin=a binary stream), for tests

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--recipient", default="", help="the envelope recipient (default: from the headers)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stdin = options.get("stdin") or sys.stdin.buffer
        raw = stdin.read()
        try:
            answered = mail.receive(
                raw if isinstance(raw, bytes) else raw.encode(), options["recipient"]
            )
        except (DatabaseError, OSError):
            logger.exception("e-mail not handled; the MTA will deliver it again")
            sys.exit(EX_TEMPFAIL)
        if options["verbosity"] > 1:
            self.stdout.write("answered" if answered else "automatic mail: not answered")
