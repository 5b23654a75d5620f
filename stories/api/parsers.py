"""Parsers that refuse oversized bodies before reading them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser


def _refuse_if_larger_than(parser_context: dict[str, Any] | None, limit: int) -> None:
    request = (parser_context or {}).get("request")
    length = request.META.get("CONTENT_LENGTH") if request is not None else None
    try:
        too_big = length is not None and int(length) > limit
    except ValueError:
        too_big = False
    if too_big:
        raise ParseError(f"The request body is larger than the limit of {limit // 1024} kB.")


class BoundedJSONParser(JSONParser):
    """JSON, up to ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes (DRF alone reads any size)."""

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        _refuse_if_larger_than(parser_context, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        return super().parse(stream, media_type, parser_context)


class BoundedMultiPartParser(MultiPartParser):
    """Multipart uploads, up to the file limit times the number of files allowed."""

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        limit = (
            settings.TARINA_MAX_UPLOAD_BYTES * settings.TARINA_MAX_FILES_PER_STORY
            + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        )
        _refuse_if_larger_than(parser_context, limit)
        return super().parse(stream, media_type, parser_context)


API_PARSERS = [BoundedJSONParser, BoundedMultiPartParser, FormParser]
