"""Rate limits for the API, keyed so that people behind one address are not punished together.

Reporters in a workshop, or on a mobile carrier's NAT, share one IP address. A limit per
address alone would either stop a whole room or be too loose to matter, so submissions
are counted three ways: per signed-in account (tight), per drive (a flood aimed at one
drive), and per address (generous, for anonymous submissions). Any one of them refuses
the request with 429 and a ``Retry-After``.

Rates are read from settings on every request (``TARINA_SUBMISSION_THROTTLE_*``), so they
can be changed per deployment and in tests.
"""

from __future__ import annotations

import hashlib
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle


class _SettingsRateThrottle(SimpleRateThrottle):
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


SUBMISSION_THROTTLES = [
    SubmissionAccountThrottle,
    SubmissionAddressThrottle,
    SubmissionDriveThrottle,
]


def submission_wait(request: HttpRequest, drive_slug: str) -> float | None:
    """The same limits for the web form's no-JS submissions: seconds to wait, or None.

    The form posts to a page, not to the API, so the throttles are run here on a DRF view of
    the same request (its form fields are already parsed; nothing is read twice).
    """
    wrapped = Request(request, parsers=[FormParser(), MultiPartParser()])
    view = SimpleNamespace(drive_slug=drive_slug)
    waits = []
    for throttle_class in SUBMISSION_THROTTLES:
        throttle = throttle_class()
        if not throttle.allow_request(wrapped, view):  # type: ignore[arg-type]
            waits.append(throttle.wait() or 1.0)
    return max(waits) if waits else None
