"""Curators edit the theme taxonomy: ``PATCH /api/v1/themes/<slug>/``.

Reading stays public (``views.ThemeViewSet``); an edit changes a theme's labels,
descriptions, signal words or examples per language and records a new taxonomy version, so later
suggestions say which version produced them.
"""

from __future__ import annotations

import re
from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from media_pipeline.themes.taxonomy import (
    MAX_EXAMPLE_CHARS,
    MAX_EXAMPLES_PER_LANGUAGE,
    TaxonomyError,
)
from stories.api import views
from stories.api.permissions import require_curator
from stories.api.serializers import TextField
from stories.domain import themes as theme_tags
from stories.models import Theme

_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
MAX_SIGNALS_PER_LANGUAGE = 2000
MAX_TERM_LENGTH = 100


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "maxLength": MAX_TERM_LENGTH},
            {
                "type": "object",
                "properties": {
                    "term": {"type": "string", "maxLength": MAX_TERM_LENGTH},
                    "weight": {
                        "type": "number",
                        "minimum": 0,
                        "exclusiveMinimum": True,
                        "maximum": 5,
                    },
                },
                "required": ["term"],
                "additionalProperties": False,
            },
        ]
    }
)
class SignalField(serializers.Field):
    """A signal word or phrase: ``"kuunnella"`` or ``{"term": "...", "weight": 0.5}``."""

    default_error_messages = {
        "invalid": 'Expected a word or phrase, or {{"term": ..., "weight": ...}}.',
        "blank": "A signal needs a word or phrase.",
        "too_long": f"A signal is at most {MAX_TERM_LENGTH} characters.",
        "weight": "A signal's weight is a number above 0 and at most 5.",
        "keys": 'A signal has only "term" and "weight".',
    }

    def to_internal_value(self, data: Any) -> str | dict[str, Any]:
        raw: Any = data
        weight: Any = 1.0
        if isinstance(data, dict):
            if set(data) - {"term", "weight"}:
                self.fail("keys")
            raw, weight = data.get("term"), data.get("weight", 1.0)
            # bool is an int in Python; true is not a weight.
            if isinstance(weight, bool) or not isinstance(weight, int | float):
                self.fail("weight")
            if not 0 < weight <= 5:
                self.fail("weight")
        if not isinstance(raw, str):
            self.fail("invalid")
        term = " ".join(raw.split())
        if not term.strip("*"):
            self.fail("blank")
        if len(term) > MAX_TERM_LENGTH:
            self.fail("too_long")
        return term if weight == 1.0 else {"term": term, "weight": weight}

    def to_representation(self, value: Any) -> Any:
        return value


class ExampleField(serializers.CharField):
    """One example vignette: text only (a number or an object is not an example)."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return str(super().to_internal_value(data))


def _check_languages(value: dict[Any, Any]) -> None:
    bad = [str(code) for code in value if not _LANGUAGE.match(str(code))]
    if bad:
        raise serializers.ValidationError(
            f"Not a language code: {', '.join(sorted(bad))}. Use ISO 639-1, e.g. 'fi'."
        )


class ThemeEditSerializer(serializers.Serializer):
    """A curator's change to one theme; languages not mentioned keep their values."""

    # Nothing but these fields (``validate`` below).
    request_rules = {"additionalProperties": False}

    labels = serializers.DictField(
        child=serializers.CharField(max_length=200), required=False, validators=[_check_languages]
    )
    descriptions = serializers.DictField(
        child=serializers.CharField(max_length=5000),
        required=False,
        validators=[_check_languages],
    )
    signals = serializers.DictField(
        child=serializers.ListField(child=SignalField(), max_length=MAX_SIGNALS_PER_LANGUAGE),
        required=False,
        validators=[_check_languages],
        help_text="Per language, the full new list of signal words and phrases.",
    )
    examples = serializers.DictField(
        child=serializers.ListField(
            child=ExampleField(max_length=MAX_EXAMPLE_CHARS),
            max_length=MAX_EXAMPLES_PER_LANGUAGE,
        ),
        required=False,
        validators=[_check_languages],
        help_text=(
            "Per language, the full new list of example vignettes (one to three sentences of "
            "what happens when the theme is at stake); an empty list removes the language's."
        ),
    )
    note = TextField(
        max_length=200, required=False, allow_blank=True, help_text="Why (kept with the version)."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        unknown = set(self.initial_data) - set(self.fields)
        if unknown:
            raise serializers.ValidationError(
                {key: ["This field cannot be changed here."] for key in sorted(unknown)}
            )
        if not any(field in attrs for field in theme_tags.EDITABLE_FIELDS):
            raise serializers.ValidationError(
                "Give at least one of: " + ", ".join(theme_tags.EDITABLE_FIELDS) + "."
            )
        return attrs


class ThemeEditorSerializer(serializers.ModelSerializer):
    """A theme as curators edit it: every language at once, signal words included."""

    taxonomy_version = serializers.IntegerField(read_only=True)

    class Meta:
        model = Theme
        fields = [
            "slug",
            "constellation",
            "labels",
            "descriptions",
            "signals",
            "examples",
            "taxonomy_version",
        ]


class ThemeEditorViewSet(views.ThemeViewSet):
    """The public theme list and detail, plus ``PATCH`` for curators."""

    http_method_names = ["get", "patch", "head", "options"]

    @extend_schema(request=ThemeEditSerializer, responses=ThemeEditorSerializer)
    def partial_update(self, request: Request, slug: str | None = None) -> Response:
        """Edit a theme's labels, descriptions, signals or examples (curators); makes a new
        version."""
        require_curator(request.user, "Only curators edit the theme taxonomy.")
        theme = self.get_object()
        edit = ThemeEditSerializer(data=request.data)
        edit.is_valid(raise_exception=True)
        changes = {
            field: edit.validated_data[field]
            for field in theme_tags.EDITABLE_FIELDS
            if field in edit.validated_data
        }
        try:
            version = theme_tags.edit_theme(
                theme.slug, changes, actor=request.user, note=edit.validated_data.get("note", "")
            )
        except TaxonomyError as error:
            return Response({"detail": str(error)}, status=status.HTTP_400_BAD_REQUEST)
        theme.refresh_from_db()
        theme.taxonomy_version = version.version
        return Response(ThemeEditorSerializer(theme).data)
