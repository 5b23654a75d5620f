"""Rate limits for the API, keyed so that people behind one address are not punished together.

Reporters in a workshop, or on a mobile carrier's NAT, share one IP address. A limit per
address alone would either stop a whole room or be too loose to matter, so submissions
are counted three ways: per signed-in account (tight), per drive (a flood aimed at one
drive), and per address (generous, for anonymous submissions). Any one of them refuses
the request with 429 and a ``Retry-After``.

Rates are read from settings on every request (``TARINA_SUBMISSION_THROTTLE_*``), so they
can be changed per deployment and in tests.

Every throttle here names the client by ``stories.auth.client_address``, the one reading of
``TARINA_NUM_PROXIES``: behind nginx each reporter has their own budget, not the proxy's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from stories.auth import client_address


class ClientAddressThrottle(SimpleRateThrottle):
    """A rate throttle that identifies an anonymous client by its proxy-aware address."""

    def get_ident(self, request: Request) -> str:
        """The client's address as ``stories.auth`` reads it (sign-in limits use it too)."""
        return client_address(request)


class _SettingsRateThrottle(ClientAddressThrottle):
    """A rate throttle whose rate is the Django setting named by ``setting``."""

    setting = ""

    def get_rate(self) -> str | None:
        return str(getattr(settings, self.setting)) or None


class SubmissionAccountThrottle(_SettingsRateThrottle):
    """Stories submitted by one signed-in account, wherever it submits from."""

    scope = "submissions-account"
    setting = "TARINA_SUBMISSION_THROTTLE_ACCOUNT"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class SubmissionAddressThrottle(_SettingsRateThrottle):
    """Anonymous stories from one address: generous, since many people may share it."""

    scope = "submissions-address"
    setting = "TARINA_SUBMISSION_THROTTLE_ADDRESS"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class SubmissionDriveThrottle(_SettingsRateThrottle):
    """All stories sent to one drive, from anyone: a ceiling against flooding a drive."""

    scope = "submissions-drive"
    setting = "TARINA_SUBMISSION_THROTTLE_DRIVE"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        slug = getattr(view, "drive_slug", None)  # the web form names it in its URL
        if slug is None:
            data = request.data
            if not hasattr(data, "get"):  # a body that is not an object; validation refuses it
                return None
            slug = data.get("drive")
        if not isinstance(slug, str) or not slug or len(slug) > 100:
            return None
        ident = hashlib.sha256(slug.strip().lower().encode()).hexdigest()[:32]
        return self.cache_format % {"scope": self.scope, "ident": ident}


class HealthThrottle(_SettingsRateThrottle):
    """Health checks per client address, signed in or not (``TARINA_HEALTH_THROTTLE``)."""

    scope = "health"
    setting = "TARINA_HEALTH_THROTTLE"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


SUBMISSION_THROTTLES = [
    SubmissionAccountThrottle,
    SubmissionAddressThrottle,
    SubmissionDriveThrottle,
]


class ReceiptThrottle(ClientAddressThrottle):
    """Receipt look-ups, withdrawals and consent changes per address: receipts are guessable
    only by trying many, so every way of using one (API and web form) shares this budget.

    The rate is ``DEFAULT_THROTTLE_RATES["receipts"]`` (``TARINA_RECEIPT_THROTTLE``), read on
    every request rather than once at import, so that a deployment or a test can change it.
    """

    scope = "receipts"

    def get_rate(self) -> str | None:
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        return str(rate) if rate else None

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def _wait(request: HttpRequest, throttles: Sequence[type[BaseThrottle]], view: Any) -> float | None:
    """Run DRF throttles on a plain Django request: the longest wait asked for, or None.

    The web form posts to a page, not to the API, so the throttles see a DRF view of the same
    request (its form fields are already parsed; nothing is read twice).
    """
    wrapped = Request(request, parsers=[FormParser(), MultiPartParser()])
    # The page's session user: a Request with no authenticators sees everyone as anonymous,
    # and a signed-in reporter would be limited per address instead of per account.
    wrapped.user = request.user
    waits = []
    for throttle_class in throttles:
        throttle = throttle_class()
        if not throttle.allow_request(wrapped, view):
            waits.append(throttle.wait() or 1.0)
    return max(waits) if waits else None


def submission_wait(request: HttpRequest, drive_slug: str) -> float | None:
    """The API's submission limits for the web form's no-JS submissions: seconds, or None."""
    return _wait(request, SUBMISSION_THROTTLES, SimpleNamespace(drive_slug=drive_slug))


def receipt_wait(request: HttpRequest) -> float | None:
    """The API's receipt limit for the web form's receipt look-ups: seconds, or None."""
    return _wait(request, [ReceiptThrottle], None)
