"""A hosted mailbox read over IMAP (``TARINA_IMAP_URL``), for sites without their own MTA.

Each unread message goes through ``mail.receive`` like a piped one, then is deleted from
the mailbox: a story's only copy belongs in Tarina, where withdrawal can reach it.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
from urllib.parse import unquote, urlsplit

from stories.domain.channels import mail

logger = logging.getLogger(__name__)


def poll(url: str) -> int:
    """Handle every message in the mailbox ``url`` names; returns how many were read.

    ``imaps://user:password@host:993/INBOX`` (or ``imap://`` for a local server). A message
    whose handling fails stays in the mailbox and is tried again on the next poll.
    """
    parts = urlsplit(url)
    if parts.scheme == "imaps":
        connection: imaplib.IMAP4 = imaplib.IMAP4_SSL(parts.hostname or "", parts.port or 993)
    else:
        connection = imaplib.IMAP4(parts.hostname or "", parts.port or 143)
    read = 0
    try:
        connection.login(unquote(parts.username or ""), unquote(parts.password or ""))
        connection.select(unquote(parts.path.strip("/")) or "INBOX")
        _status, found = connection.uid("SEARCH", "ALL")
        for uid in (found[0] or b"").decode().split():
            _status, data = connection.uid("FETCH", uid, "(RFC822)")
            raw = next((item[1] for item in data if isinstance(item, tuple)), None)
            if raw is None:
                continue
            try:
                mail.receive(raw)
            except Exception:
                logger.exception("mailbox message %s could not be handled; kept", uid)
                continue
            connection.uid("STORE", uid, "+FLAGS", "(\\Deleted)")
            read += 1
        connection.expunge()
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            connection.logout()
    return read
