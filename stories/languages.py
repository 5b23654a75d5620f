"""The language a reader of public pages, feeds and the API asked for."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language_from_request
from rest_framework.request import Request

FALLBACK = "en"  # every theme label and description exists in English


def reader_language(request: HttpRequest | Request) -> str:
    """The reader's language for theme labels: ``?lang=``, else Accept-Language, else en."""
    # Django's helper wants Django's request; a DRF request wraps one.
    django_request = request._request if isinstance(request, Request) else request
    requested = django_request.GET.get("lang") or get_language_from_request(django_request)
    languages = {code for code, _ in settings.LANGUAGES}
    language = (requested or FALLBACK)[:2].lower()
    return language if language in languages else FALLBACK
