"""Each message handled once, however often its provider delivers it.

Telegram delivers an update again when the webhook did not answer in time (a slow
download, a weak network), and an MTA or a mailbox poll may hand over the same mail twice.
The first delivery claims the message's id; a repeat, during or after the first one's
handling, finds the claim and is answered without being handled. A handling that fails
gives its claim back, so the provider's next delivery is handled.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from stories.models import ChannelDelivery

# Telegram keeps an undelivered update for 24 hours; mail retries stop within days, but a
# repeat that late finds no draft waiting and starts nothing that was not wanted.
MEMORY = timedelta(days=2)


def delivery_hash(contact_hash: str, delivery_id: str) -> str:
    """The stored form of a message's id: scoped to its sender (one sender cannot claim
    another's ids) and telling nothing of either."""
    return hashlib.sha256(f"{contact_hash}:{delivery_id}".encode()).hexdigest()


@contextmanager
def first_delivery(channel: str, contact_hash: str, delivery_id: str) -> Iterator[bool]:
    """Yield True to the first delivery of ``delivery_id`` from ``contact_hash``, False to
    a repeat. A message without an id is always new. When the block raises, the claim is
    given back."""
    if not delivery_id:
        yield True
        return
    try:
        with transaction.atomic():  # a savepoint: a failed INSERT spoils no caller's transaction
            claim = ChannelDelivery.objects.create(
                channel=channel, delivery_hash=delivery_hash(contact_hash, delivery_id)
            )
    except IntegrityError:
        yield False
        return
    try:
        yield True
    except BaseException:
        ChannelDelivery.objects.filter(pk=claim.pk).delete()
        raise


def forget_old(now: datetime | None = None) -> int:
    """Forget deliveries older than ``MEMORY``; returns how many (run by beat)."""
    cutoff = (now or timezone.now()) - MEMORY
    deleted, _by_model = ChannelDelivery.objects.filter(received_at__lt=cutoff).delete()
    return deleted
