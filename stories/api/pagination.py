"""Limit/offset pagination that refuses what its schema refuses.

DRF's ``LimitOffsetPagination`` reads ``limit=``, ``limit=null`` or ``limit=-3`` as "use the
default", while the schema it publishes says ``integer``: a client could not tell a typo
from a request that worked. Here a value that is sent must be a whole number (``limit`` at
least 1, ``offset`` at least 0), else the answer is a 400 naming the parameter, and the
schema says the same with ``minimum``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request

NOT_A_COUNT = gettext_lazy("Send a whole number of at least {minimum}.")


def _count(request: Request, name: str, minimum: int) -> int | None:
    """The query parameter ``name`` as an integer, None when absent; 400 when malformed."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if not raw.isascii() or not raw.isdigit() or int(raw) < minimum:
        raise ValidationError({name: [str(NOT_A_COUNT).format(minimum=minimum)]})
    return int(raw)


class StrictLimitOffsetPagination(LimitOffsetPagination):
    """``limit`` (1 up, default ``PAGE_SIZE``) and ``offset`` (0 up), checked."""

    def get_limit(self, request: Request) -> int | None:
        limit = _count(request, self.limit_query_param, 1)
        if limit is None:
            return self.default_limit
        return min(limit, self.max_limit) if self.max_limit else limit

    def get_offset(self, request: Request) -> int:
        return _count(request, self.offset_query_param, 0) or 0

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        minimum = {self.limit_query_param: 1, self.offset_query_param: 0}
        for parameter in parameters:
            parameter["schema"]["minimum"] = minimum[parameter["name"]]
        return parameters
