"""Parsers that refuse oversized and too deeply nested bodies before they reach a view."""

from __future__ import annotations

import io
import json
from typing import Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

# No request of this API nests deeper than a few levels. A body of "[[[[…" a thousand deep
# would exhaust Python's recursion in the decoder (or later, in a serializer): a 500.
MAX_JSON_DEPTH = 32


class TooDeep(ValueError):
    """A JSON document nests deeper than ``MAX_JSON_DEPTH``."""


def nesting_depth(text: str | bytes) -> int:
    """How deeply arrays and objects nest in a JSON text, counted without recursion.

    Brackets inside strings do not count; the text need not be valid JSON.
    """
    depth = deepest = 0
    in_string = escaped = False
    for char in text.decode("utf-8", "replace") if isinstance(text, bytes) else text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def load_json(text: str | bytes) -> Any:
    """``json.loads`` that refuses documents nested deeper than ``MAX_JSON_DEPTH``.

    Raises ``ValueError`` (``TooDeep`` for the nesting) on anything it will not accept.
    """
    if nesting_depth(text) > MAX_JSON_DEPTH:
        raise TooDeep(f"JSON nested deeper than {MAX_JSON_DEPTH} levels is not accepted.")
    return json.loads(text)


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
    """JSON, up to ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes (DRF alone reads any size) and
    ``MAX_JSON_DEPTH`` levels of nesting."""

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        _refuse_if_larger_than(parser_context, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        body = stream.read() if stream is not None else b""
        if nesting_depth(body) > MAX_JSON_DEPTH:
            raise ParseError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels is not accepted.")
        # DRF's own decoding (charset, strict floats) on the bytes already read.
        return super().parse(io.BytesIO(body), media_type, parser_context)


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
