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


def _take(scope: str, ident: str, rate: str) -> float | None:
    """Count one request against ``rate``; the wait in seconds when it is used up."""
    parsed = _parse(rate)
    if parsed is None:
        return None
    allowed, duration = parsed
    key = f"throttle_{scope}_{ident}"  # DRF's SimpleRateThrottle.cache_format
    now = time.time()
    history = [stamp for stamp in cache.get(key, []) if stamp > now - duration]
    if len(history) >= allowed:
        return duration - (now - history[-1])
    cache.set(key, [now, *history], duration)
    return None


def submission_wait(drive_slug: str, contact_hash: str) -> float | None:
    """Count a new story from ``contact_hash`` to the drive; the wait when either limit is hit."""
    drive_ident = hashlib.sha256(drive_slug.strip().lower().encode()).hexdigest()[:32]
    waits = [
        _take("submissions-drive", drive_ident, settings.TARINA_SUBMISSION_THROTTLE_DRIVE),
        _take(
            "submissions-channel", contact_hash[:32], settings.TARINA_SUBMISSION_THROTTLE_ADDRESS
        ),
    ]
    found = [wait for wait in waits if wait is not None]
    return max(found) if found else None


def receipt_wait(contact_hash: str) -> float | None:
    """Count one receipt tried by ``contact_hash``; the wait when too many were tried."""
    rates = api_settings.DEFAULT_THROTTLE_RATES  # TARINA_RECEIPT_THROTTLE, as the web reads it
    return _take("receipts-channel", contact_hash[:32], str(rates.get("receipts") or ""))
