"""The web's submission and receipt limits, applied to messages that have no HTTP request.

A channel shares the per-drive budget with the web and the API: the count lives under the
same cache key as ``stories.api.throttles.SubmissionDriveThrottle`` (DRF's sliding window:
a list of timestamps). A sender is counted per hashed contact, at the rate the web gives
one address (``TARINA_SUBMISSION_THROTTLE_ADDRESS``); receipts tried in a channel count
against ``TARINA_RECEIPT_THROTTLE`` per contact, as guesses do on the web.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.settings import api_settings

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _parse(rate: str) -> tuple[int, int] | None:
    if not rate:
        return None
    number, period = rate.split("/")
    return int(number), _PERIODS[period[0]]


def _take(scope: str, ident: str, rate: str, *, count: bool = True) -> float | None:
    """Count one request against ``rate`` (only look, unless ``count``); the wait in
    seconds when it is used up."""
    parsed = _parse(rate)
    if parsed is None:
        return None
    allowed, duration = parsed
    key = f"throttle_{scope}_{ident}"  # DRF's SimpleRateThrottle.cache_format
    now = time.time()
    history = [stamp for stamp in cache.get(key, []) if stamp > now - duration]
    if len(history) >= allowed:
        return duration - (now - history[-1])
    if count:
        cache.set(key, [now, *history], duration)
    return None


def _submission_limits(drive_slug: str, contact_hash: str) -> list[tuple[str, str, str]]:
    drive_ident = hashlib.sha256(drive_slug.strip().lower().encode()).hexdigest()[:32]
    return [
        ("submissions-drive", drive_ident, settings.TARINA_SUBMISSION_THROTTLE_DRIVE),
        ("submissions-channel", contact_hash[:32], settings.TARINA_SUBMISSION_THROTTLE_ADDRESS),
    ]


def submission_wait(drive_slug: str, contact_hash: str) -> float | None:
    """The wait before ``contact_hash`` may start a story in the drive, when either limit
    is used up; nothing is counted (``count_submission`` does, once the draft is kept)."""
    limits = _submission_limits(drive_slug, contact_hash)
    found = [wait for limit in limits if (wait := _take(*limit, count=False)) is not None]
    return max(found) if found else None


def count_submission(drive_slug: str, contact_hash: str) -> None:
    """Count a story started by ``contact_hash`` against the drive's and the sender's limits."""
    for limit in _submission_limits(drive_slug, contact_hash):
        _take(*limit)


def receipt_wait(contact_hash: str) -> float | None:
    """Count one receipt tried by ``contact_hash``; the wait when too many were tried."""
    rates = api_settings.DEFAULT_THROTTLE_RATES  # TARINA_RECEIPT_THROTTLE, as the web reads it
    return _take("receipts-channel", contact_hash[:32], str(rates.get("receipts") or ""))
