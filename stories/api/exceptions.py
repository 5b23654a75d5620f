"""Domain errors become clear HTTP answers: a broken rule is a 4xx, never a 500."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext, ngettext
from django.views.defaults import page_not_found
from rest_framework import status
from rest_framework.exceptions import APIException, Throttled
from rest_framework.response import Response
from rest_framework.views import exception_handler

from stories.domain.collections import NotCollectable
from stories.domain.consent import ConsentRequired
from stories.domain.diskspace import is_full
from stories.domain.lifecycle import InvalidTransition
from stories.domain.pictures import InvalidBoxes, PictureChanged
from stories.domain.publication import NotPublishable
from stories.domain.redactions import InvalidRedaction


class Conflict(APIException):
    """The request is fine but the story's state does not allow it now."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The story's current state does not allow this."
    default_code = "conflict"


def handle_exception(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, taught the domain's exceptions."""
    if isinstance(exc, InvalidTransition):
        return Response(
            {"detail": str(exc), "status": exc.current, "requested": exc.target},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, NotPublishable | NotCollectable | PictureChanged):
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, InvalidRedaction | InvalidBoxes):
        return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ConsentRequired):
        return Response({"consent": [str(exc)]}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024
        return Response(
            {
                "detail": gettext("The request body is larger than the limit of %(limit)s kB.")
                % {"limit": limit}
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, SuspiciousOperation):
        # Django raises these for oversized or malformed request bodies.
        return Response(
            {"detail": gettext("The request was too large or malformed.")},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, Throttled):
        return throttled(exc, context)
    if is_full(exc):
        # Multipart submissions: the transaction rolled back, nothing was stored.
        return Response(
            {"detail": gettext("The server has no room for this right now. Try again later.")},
            status=status.HTTP_507_INSUFFICIENT_STORAGE,
        )
    return exception_handler(exc, context)


def throttled(exc: Throttled, context: dict[str, Any]) -> Response | None:
    """DRF's 429 (with its Retry-After), worded for a person and in their language."""
    response = exception_handler(exc, context)
    wait = getattr(exc, "wait", None)  # whole seconds, as in Retry-After; the stubs miss it
    if response is not None:
        if wait is None:
            detail = gettext("Too many requests were sent from here just now. Try again later.")
        else:
            seconds = max(1, int(wait))
            detail = ngettext(
                "Too many requests were sent from here just now. Try again in %(seconds)d second.",
                "Too many requests were sent from here just now. Try again in %(seconds)d seconds.",
                seconds,
            ) % {"seconds": seconds}
        response.data = {"detail": detail}
    return response


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's 404 for URLs no route matches: JSON under /api/, the HTML page elsewhere.

    API clients get the same ``{"detail": ...}`` body as from any other refusal, also for
    paths that do not parse (a negative or non-numeric id).
    """
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": gettext("Not found.")}, status=status.HTTP_404_NOT_FOUND)
    return page_not_found(request, exception or Exception("Not found"))
