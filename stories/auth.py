"""Sign-in with a limit on failures, per account name and per address.

Every password sign-in (the curator console, the admin, DRF's session login) goes through
``ThrottledModelBackend``. After ``TARINA_LOGIN_FAILURES_PER_ACCOUNT`` failures for one
account name, further tries for that name are refused for ``TARINA_LOGIN_WINDOW_SECONDS``,
whatever address they come from; after ``TARINA_LOGIN_FAILURES_PER_ADDRESS`` failures from
one address, that address is refused for any name. The per-account limit is what stops a
guesser behind a shared carrier NAT without locking out everyone else behind it.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from rest_framework.settings import api_settings


def client_address(request: HttpRequest | None) -> str:
    """The client's address: REMOTE_ADDR, or the entry the trusted proxies added to XFF."""
    if request is None:
        return ""
    remote = str(request.META.get("REMOTE_ADDR", ""))
    proxies = api_settings.NUM_PROXIES or 0
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies <= 0 or not forwarded:
        return remote
    hops = [hop.strip() for hop in str(forwarded).split(",") if hop.strip()]
    return hops[-min(proxies, len(hops))] if hops else remote


def _key(kind: str, value: str) -> str:
    # Hashed: account names and addresses are personal data, and keys must stay short.
    return f"login-failures:{kind}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


def _keys(username: str, address: str) -> list[tuple[str, int]]:
    keys = [(_key("account", username.strip().lower()), settings.TARINA_LOGIN_FAILURES_PER_ACCOUNT)]
    if address:
        keys.append((_key("address", address), settings.TARINA_LOGIN_FAILURES_PER_ADDRESS))
    return keys


def is_blocked(username: str, address: str) -> bool:
    """True while this account name or this address has used up its failed sign-ins."""
    return any(cache.get(key, 0) >= limit for key, limit in _keys(username, address))


def record_failure(username: str, address: str) -> None:
    """Count one failed sign-in against the account name and the address."""
    window = settings.TARINA_LOGIN_WINDOW_SECONDS
    for key, _limit in _keys(username, address):
        if cache.add(key, 1, timeout=window):
            continue
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)


def forget_failures(username: str) -> None:
    """A successful sign-in clears the account's count (not the address's)."""
    cache.delete(_key("account", username.strip().lower()))


class ThrottledModelBackend(ModelBackend):
    """Django's model backend, refusing names and addresses with too many failures."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        name = str(username or kwargs.get(User.USERNAME_FIELD) or "")
        address = client_address(request)
        if is_blocked(name, address):
            # Stops every backend; authenticate() then reports a failed sign-in.
            raise PermissionDenied("Too many failed sign-ins.")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            record_failure(name, address)
        else:
            forget_failures(name)
        return user
