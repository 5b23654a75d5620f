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

from stories.api.converters import MAX_ROW_ID

NOT_A_COUNT = gettext_lazy("Send a whole number from {minimum} to {maximum}.")
# A page of more would be slow to build; an offset past a 64-bit integer is past any row
# (and PostgreSQL refuses it with an error, which was a 500).
MAX_LIMIT = 1000


def count_parameter(request: Request, name: str, minimum: int, maximum: int) -> int | None:
    """The query parameter ``name`` as an integer, None when absent; 400 when malformed."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if not raw.isascii() or not raw.isdigit() or not minimum <= int(raw) <= maximum:
        message = str(NOT_A_COUNT).format(minimum=minimum, maximum=maximum)
        raise ValidationError({name: [message]})
    return int(raw)


class StrictLimitOffsetPagination(LimitOffsetPagination):
    """``limit`` (1 to 1000, default ``PAGE_SIZE``) and ``offset`` (0 up), checked."""

    def bounds(self) -> dict[str, tuple[int, int]]:
        return {self.limit_query_param: (1, MAX_LIMIT), self.offset_query_param: (0, MAX_ROW_ID)}

    def get_limit(self, request: Request) -> int | None:
        limit = count_parameter(request, self.limit_query_param, *self.bounds()["limit"])
        return self.default_limit if limit is None else limit

    def get_offset(self, request: Request) -> int:
        return count_parameter(request, self.offset_query_param, *self.bounds()["offset"]) or 0

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            minimum, maximum = self.bounds()[parameter["name"]]
            parameter["schema"].update(minimum=minimum, maximum=maximum)
        return parameters
