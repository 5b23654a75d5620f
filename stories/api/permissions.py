"""The API's side of ``stories.rules``' "curators only": turned into 401 and 403 answers."""

from __future__ import annotations

from rest_framework import permissions
from rest_framework.exceptions import NotAuthenticated, PermissionDenied
from rest_framework.request import Request
from rest_framework.views import APIView

from stories import rules
from stories.domain.roles import AnyUser

DEFAULT_REFUSAL = "Only curators review and publish stories."


def require_curator(user: AnyUser | None, refusal: str = DEFAULT_REFUSAL) -> None:
    """Raise unless ``user`` is a curator: not signed in is a 401, anyone else a 403."""
    access = rules.curator_access(user)
    if access is rules.CuratorAccess.SIGN_IN:
        raise NotAuthenticated()
    if access is rules.CuratorAccess.REFUSED:
        raise PermissionDenied(refusal)


class CuratorsOnly(permissions.BasePermission):
    """Signed-in curators and admins; everyone else is refused.

    A view may name its own refusal in ``curator_refusal``, so the 403 says what was refused.
    """

    def has_permission(self, request: Request, view: APIView) -> bool:
        require_curator(request.user, getattr(view, "curator_refusal", DEFAULT_REFUSAL))
        return True
