"""Template helpers for the web UI."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.http import urlencode
from django.utils.translation import gettext, gettext_noop

from frontend.views.common import current_language
from stories.models import Theme

register = template.Library()

# The domain's stored values in words people read (the enums' labels are for developers),
# marked for translation here so the console speaks the curator's language.
WORDS: dict[str, dict[str, str]] = {
    "status": {
        "draft": gettext_noop("Draft"),
        "submitted": gettext_noop("Submitted"),
        "processing": gettext_noop("Processing"),
        "needs_review": gettext_noop("Needs review"),
        "approved": gettext_noop("Approved"),
        "published": gettext_noop("Published"),
        "rejected": gettext_noop("Rejected"),
        "failed": gettext_noop("Failed"),
        "withdrawn": gettext_noop("Withdrawn"),
    },
    "kind": {
        "text": gettext_noop("Text"),
        "audio": gettext_noop("Audio"),
        "video": gettext_noop("Video"),
        "photo": gettext_noop("Photo"),
    },
    "source": {
        "reporter": gettext_noop("chosen by the reporter"),
        "machine": gettext_noop("machine suggestion"),
        "curator": gettext_noop("added by a curator"),
        "detector": gettext_noop("found by the detector"),
    },
    "state": {
        "suggested": gettext_noop("suggested"),
        "confirmed": gettext_noop("confirmed"),
        "rejected": gettext_noop("rejected"),
    },
    "field": {
        "title": gettext_noop("title"),
        "text": gettext_noop("written text"),
        "transcript": gettext_noop("transcript"),
        "audio": gettext_noop("recording"),
    },
    "pd": {
        "person": gettext_noop("name"),
        "known_identifier": gettext_noop("reporter's own name"),
        "email": gettext_noop("e-mail address"),
        "phone": gettext_noop("phone number"),
        "national_id": gettext_noop("personal identity code"),
        "iban": gettext_noop("bank account"),
        "address": gettext_noop("street address"),
        "postcode": gettext_noop("postcode"),
        "coordinates": gettext_noop("coordinates"),
        "url": gettext_noop("web address"),
        "handle": gettext_noop("social media handle"),
        "time_range": gettext_noop("muted stretch"),
    },
}


@register.filter
def word(value: Any, vocabulary: str) -> str:
    """``value`` (a stored code such as ``needs_review``) in the reader's language."""
    text = WORDS.get(vocabulary, {}).get(str(value))
    return gettext(text) if text else str(value)


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
