"""Drafts that never got consent to store: erased once their retention has passed."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from stories.domain.channels import dialogue
from stories.models import ChannelConversation


def erase_expired(now: datetime | None = None) -> int:
    """Erase every draft past ``TARINA_CHANNEL_DRAFT_RETENTION_DAYS``; returns how many.

    Run by Celery beat. The files are uploads that expire at the same moment, so
    ``uploads.remove_expired`` would take them too; erasing them here does not wait for it.
    """
    expired = ChannelConversation.objects.filter(expires_at__lte=now or timezone.now())
    count = 0
    for draft in expired.iterator():
        dialogue.erase(draft)
        count += 1
    return count
