"""Template helpers for the web UI."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.http import urlencode

from frontend.views.common import current_language
from stories.models import Theme

register = template.Library()


@register.simple_tag
def theme_label(theme: Theme) -> str:
    """A theme's label in the reader's language (autoescaped by the template)."""
    return theme.label(current_language())


@register.simple_tag
def query_with(query: dict[str, Any] | None, **changes: Any) -> str:
    """The query string ``query`` with ``changes`` applied, for pager links."""
    params = dict(query or {})
    params.update({k: v for k, v in changes.items() if v not in (None, "")})
    return urlencode(params)
