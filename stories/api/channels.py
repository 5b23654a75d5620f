"""Webhooks of messaging providers: Telegram's Bot API (docs/channels.md).

The view only checks the provider's secret and hands the update to the channel; a
request without the right secret is refused (403) before its body is read.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ParseError, PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from stories.domain.channels import telegram

logger = logging.getLogger(__name__)


@extend_schema(exclude=True)  # Telegram's format, not ours: documented by Telegram
class TelegramWebhookView(APIView):
    """``POST /api/v1/channels/telegram/``: one Bot API update."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    throttle_classes: list[type] = []

    def post(self, request: Request) -> Response:
        if not telegram.verified(request.headers.get("X-Telegram-Bot-Api-Secret-Token")):
            raise PermissionDenied("This webhook needs the secret it was registered with.")
        if not isinstance(request.data, Mapping):
            raise ParseError("An update is a JSON object.")
        try:
            telegram.receive(request.data)
        except telegram.ProviderError as error:
            # Nothing was kept; Telegram delivers the update again later.
            logger.warning("telegram update not handled: %s", error)
            return Response(
                {"detail": "Telegram could not be reached; try again."},
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
            )
        return Response({})
