"""The OpenAPI schema's view of errors and sign-in, which drf-spectacular cannot infer.

Every view answers refusals with JSON (``stories.api.exceptions``), and clients (and the
API fuzzing in ``tests/reliability``) need those answers in the schema: which codes an
operation can return, and the shape of their bodies. Views whose permission is decided
per action (the story viewset) name the actions that take anonymous callers, so that the
schema does not advertise the others as open.
"""

from __future__ import annotations

from typing import Any

from django.core.validators import RegexValidator
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

# The API's parsers also read form encodings (a submission's files come as multipart), but
# each body is documented under one media type, JSON: one schema under three encodings
# made generated clients send nested objects as form fields, which cannot carry them, and
# a client generated for a body under two media types (openapi-python-client 0.29) does not
# even import. Files reach a JSON submission through tus uploads (``uploads``).
FORM_MEDIA_TYPES = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})

# The service refuses any URL with a NUL in it (``stories.api.middleware``): its string
# parameters say so.
NO_NUL = "^[^\\u0000]*$"
NOT_BLANK_NO_NUL = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"

DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
    "additionalProperties": True,
}
# Field errors: ``{"field": ["message", ...]}``, nested for nested serializers.
FIELD_ERRORS = {"type": "object", "additionalProperties": True}


def _error(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


class TarinaAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema, plus error answers and per-action anonymous access."""

    def get_auth(self) -> list[dict[str, Any]]:
        auths = super().get_auth()
        anonymous_actions = getattr(self.view, "anonymous_actions", None)
        if anonymous_actions is not None and getattr(self.view, "action", None) not in (
            anonymous_actions
        ):
            auths = [auth for auth in auths if auth]
        return auths

    def map_parsers(self) -> list[Any]:
        """The request media types to document: JSON (and tus's own, in ``tus_schema``)."""
        return [m for m in super().map_parsers() if m not in FORM_MEDIA_TYPES]

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is not None:
            self._add_errors(operation)
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if schema.get("type") == "string" and not {"enum", "pattern"} & set(schema):
                    schema["pattern"] = NO_NUL
        return operation

    def _map_serializer_field(
        self, field: Any, direction: str, bypass_extensions: bool = False
    ) -> dict[str, Any]:
        """Text as the server reads it: never a NUL (DRF refuses it), never only spaces where
        blank is refused (DRF trims first), and a ``RegexField``'s own pattern."""
        schema: dict[str, Any] = super()._map_serializer_field(field, direction, bypass_extensions)
        if (
            direction != "request"
            or not isinstance(field, serializers.CharField)
            or schema.get("type") != "string"
            or {"enum", "format"} & set(schema)
        ):
            return schema
        own = [
            getattr(v.regex, "pattern", v.regex)
            for v in field.validators
            if isinstance(v, RegexValidator)
        ]
        if own:
            schema["pattern"] = own[0]
        elif "pattern" not in schema:
            not_blank = field.trim_whitespace and not field.allow_blank
            schema["pattern"] = NOT_BLANK_NO_NUL if not_blank else NO_NUL
        return schema

    def _map_basic_serializer(self, serializer: Any, direction: str) -> dict[str, Any]:
        """A request body's rules across fields, which fields alone cannot say.

        A serializer lists them as ``request_rules`` (JSON Schema keywords such as
        ``additionalProperties``); its ``required`` fields stay required in a PATCH body.
        Not ``oneOf``/``anyOf`` of required fields ("a receipt or a story id"): generated
        clients (openapi-python-client 0.29) write code that does not parse for them.
        """
        schema: dict[str, Any] = super()._map_basic_serializer(serializer, direction)
        rules = getattr(serializer, "request_rules", None)
        if direction == "request" and rules:
            required = sorted({*schema.get("required", []), *rules.get("required", [])})
            schema.update({**rules, **({"required": required} if required else {})})
        return schema

    def _add_errors(self, operation: dict[str, Any]) -> None:
        method = self.method.upper()
        query = [p for p in operation.get("parameters", []) if p.get("in") == "query"]
        errors: dict[str, dict[str, Any]] = {}
        if "requestBody" in operation or query:
            errors["400"] = _error("Invalid input, field by field.", FIELD_ERRORS)
        if operation.get("security", [{}]) != [{}]:
            # A wrong or expired token is refused even where no account is needed.
            errors["401"] = _error("Not signed in, or the credentials are invalid.", DETAIL)
            errors["403"] = _error("This account may not do this.", DETAIL)
        errors["404"] = _error("Not found, or not yours to see.", DETAIL)
        if method in {"POST", "PUT", "PATCH", "DELETE"}:
            errors["409"] = _error("The story's current state does not allow this.", DETAIL)
        if method in {"POST", "PUT", "PATCH"}:
            errors["413"] = _error("The request body is too large.", DETAIL)
            errors["415"] = _error("The request body's media type is not accepted.", DETAIL)
        if self._is_throttled():
            errors["429"] = _error("Too many requests; try again later.", DETAIL)
        responses = operation.setdefault("responses", {})
        for code, error in errors.items():
            declared = responses.setdefault(code, error)
            if "content" not in declared:  # declared with a description only
                declared["content"] = error["content"]

    def _is_throttled(self) -> bool:
        try:
            return bool(self.view.get_throttles())
        except Exception:  # a view whose throttles depend on a live request: say so
            return True
