"""API views: they parse, ask ``stories.rules`` and call ``stories.domain``; nothing more."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import (
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from stories import rules
from stories.api import serializers as s
from stories.api.converters import ROW_ID_PATTERN
from stories.api.exceptions import Conflict
from stories.api.parsers import API_PARSERS
from stories.api.throttles import SUBMISSION_THROTTLES, HealthThrottle, ReceiptThrottle
from stories.domain import (
    consent,
    editing,
    health,
    processing,
    receipts,
    submission,
)
from stories.domain import themes as theme_tags
from stories.domain.roles import AnyUser
from stories.enums import StoryStatus, ThemeAction, ThemeTagState
from stories.languages import reader_language
from stories.models import ConsentRecord, Drive, Story, Theme

WITHDRAWAL_REASON_REQUIRED = (
    "Say why you withdraw this story on its reporter's behalf (for example, "
    '"asked by phone on 3 May"): it is kept in the audit trail.'
)


class StoryFilter(filters.FilterSet):
    drive = filters.CharFilter(field_name="drive__slug")

    class Meta:
        model = Story
        fields = ["status", "drive", "language", "kind"]

    def is_valid(self) -> bool:
        """``?status=`` (blank) is refused like any value outside the schema's enum;
        django-filter alone reads it as no filter."""
        valid = super().is_valid()
        for name in ("status", "kind"):
            if self.data.get(name) == "":
                self.form.add_error(name, gettext("Choose one of the listed values."))
        return valid and not self.form.errors


def reader_serializer(user: AnyUser) -> type[s.StorySerializer]:
    """How ``user`` reads a story: curators see more (who sent it, how processing went)."""
    return s.CuratorStorySerializer if rules.sees_all_stories(user) else s.StorySerializer


class StoryViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Stories: reporters see their own, curators see all."""

    parser_classes = API_PARSERS
    filterset_class = StoryFilter
    http_method_names = ["get", "post", "patch", "head", "options"]
    permission_classes = [permissions.AllowAny]  # decided per action below, by stories.rules
    lookup_value_regex = ROW_ID_PATTERN
    # Only telling a story is open to anonymous callers (the schema says so too).
    anonymous_actions = frozenset({"create"})
    throttle_classes = SUBMISSION_THROTTLES

    def get_throttles(self) -> list[BaseThrottle]:
        """Submissions are rate-limited per account, per drive and per address; reads are not."""
        return super().get_throttles() if self.action == "create" else []

    def get_queryset(self) -> QuerySet[Story]:
        queryset = Story.objects.select_related("drive", "reporter").prefetch_related(
            "assets",
            Prefetch("consent_records", queryset=ConsentRecord.objects.order_by("-given_at")),
        )
        user = self.request.user
        if rules.sees_all_stories(user):
            return queryset
        return queryset.filter(reporter_id=user.pk) if user.is_authenticated else queryset.none()

    def get_serializer_class(self) -> type[s.serializers.Serializer]:
        if self.action == "create":
            return s.StorySubmitSerializer
        if self.action == "partial_update":
            return s.StoryUpdateSerializer
        return (
            s.CuratorStorySerializer
            if rules.sees_all_stories(self.request.user)
            else s.StorySerializer
        )

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if self.action != "create" and not request.user.is_authenticated:
            raise NotAuthenticated()
        if self.action != "create" and not rules.can_list_stories(request.user):
            raise PermissionDenied("This account reads published stories through the feeds.")

    @extend_schema(
        request=s.StoryJsonSubmitSerializer,
        responses={201: s.SubmissionResponseSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Tell a story. Files: upload each with tus (``/api/v1/uploads/``) and list their ids
        in ``uploads``; a multipart/form-data body with ``files`` fields is read too."""
        incoming = s.StorySubmitSerializer(data=request.data, context={"request": request})
        incoming.is_valid(raise_exception=True)
        result = submission.submit(incoming.to_request())
        body = {"id": result.story.pk, "status": result.story.status, "receipt": result.receipt}
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.StoryUpdateSerializer,
        responses={
            200: OpenApiResponse(
                s.StorySerializer, description="The story as the caller sees it (curators: more)."
            ),
            400: OpenApiResponse(
                description="A field is invalid, or ``status`` was sent: a status changes only "
                "through the story's actions (approve/, reject/, reopen/, publish/, "
                "unpublish/, retry/; POST /api/v1/withdrawals/), which the answer names."
            ),
        },
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Edit a story's text and details. Its status is not a field: a PATCH carrying
        ``status`` is a 400 naming the action to use (approve/, reject/, reopen/, publish/,
        unpublish/, retry/, or POST /api/v1/withdrawals/)."""
        story = self.get_object()
        changes = s.StoryUpdateSerializer(
            data=request.data, partial=True, context={"story_id": story.pk}
        )
        changes.is_valid(raise_exception=True)
        data = dict(changes.validated_data)
        if data:
            self._edit_content(story, data)
        story = self.get_queryset().get(pk=story.pk)
        # The story as the caller reads it, not the shape of the changes they sent.
        reader = (
            s.CuratorStorySerializer if rules.sees_all_stories(request.user) else s.StorySerializer
        )
        return Response(reader(story, context=self.get_serializer_context()).data)

    def _edit_content(self, story: Story, data: dict[str, Any]) -> None:
        if not rules.can_edit_content(self.request.user, story):
            raise Conflict(
                f"A story that is {story.get_status_display().lower()} can no longer be edited."
            )
        editing.edit(story, data, actor=self.request.user)

    @extend_schema(request=None, responses=s.CuratorStorySerializer)
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk: str | None = None) -> Response:
        """Send a failed story through processing again (curators)."""
        story = self.get_object()
        if not rules.can_change_status(request.user):
            raise PermissionDenied("Only curators can retry processing.")
        processing.retry(story, actor=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=story.pk)).data)

    @extend_schema(request=s.ThemeDecisionSerializer, responses=s.StoryThemeSerializer(many=True))
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def themes(self, request: Request, pk: str | None = None) -> Response:
        """The story's themes from every source; curators confirm, reject or add (POST)."""
        story = self.get_object()
        if request.method == "POST":
            if not rules.can_change_status(request.user):
                raise PermissionDenied("Only curators decide on themes.")
            decision = s.ThemeDecisionSerializer(data=request.data)
            decision.is_valid(raise_exception=True)
            try:
                theme_tags.decide(
                    story,
                    decision.validated_data["theme"],
                    ThemeAction(decision.validated_data["action"]),
                    actor=request.user,
                    evidence=decision.validated_data.get("evidence"),
                )
            except theme_tags.UnknownTheme as unknown:
                return Response({"theme": [str(unknown)]}, status=status.HTTP_400_BAD_REQUEST)
        tags = story.theme_tags.select_related("theme").order_by("theme__position", "source")
        return Response(s.StoryThemeSerializer(tags, many=True).data)


class ThemeViewSet(viewsets.ReadOnlyModelViewSet):
    """The theme taxonomy, in the reader's language, with counts of published stories."""

    permission_classes = [permissions.AllowAny]
    serializer_class = s.ThemeSerializer
    lookup_field = "slug"
    pagination_class = None

    def get_queryset(self) -> QuerySet[Theme]:
        published = Q(
            tags__story__status=StoryStatus.PUBLISHED,
            tags__state=ThemeTagState.CONFIRMED,
        )
        # Django leaves Meta.ordering out of aggregating queries, so it is spelled out here.
        return Theme.objects.annotate(
            published_stories=Count("tags__story", filter=published, distinct=True)
        ).order_by("position", "slug")

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "language": reader_language(self.request)}


class DriveViewSet(viewsets.ReadOnlyModelViewSet):
    """Story drives, with their prompts and consent text: public."""

    permission_classes = [permissions.AllowAny]
    serializer_class = s.DriveSerializer
    lookup_field = "slug"
    queryset = Drive.objects.prefetch_related("consent_texts").order_by("-created_at")


# The receipt in a URL path (GET /api/v1/receipts/<receipt>/) answers until this date, with
# RFC 9745 / RFC 8594 headers that say so; POST /api/v1/receipts/lookup/ replaces it.
RECEIPT_PATH_DEPRECATED = "@1796601600"  # 2026-12-07
RECEIPT_PATH_SUNSET = "Wed, 30 Jun 2027 00:00:00 GMT"


def receipt_answer(receipt: str) -> Response:
    """The status of the story behind ``receipt``, and nothing else about it; else 404."""
    story = receipts.find_story(receipt)
    if story is None:
        raise NotFound(gettext("No story matches this receipt. Check it for typing errors."))
    return Response(receipt_status(story))


def receipt_status(story: Story) -> dict[str, Any]:
    """What a receipt holder may know of ``story``: the look-up's answer, and the
    withdrawal's (so that the two never disagree)."""
    show_reason = story.status in (StoryStatus.REJECTED, StoryStatus.FAILED)
    return {
        "status": story.status,
        "reason": story.status_reason if show_reason else "",
        "processing_percent": story.processing_percent,
    }


class ReceiptLookupView(APIView):
    """The status of the story behind a receipt sent in the body, and nothing else about it."""

    permission_classes = [permissions.AllowAny]
    throttle_classes = [ReceiptThrottle]
    parser_classes = API_PARSERS

    @extend_schema(request=s.ReceiptLookupSerializer, responses=s.ReceiptStatusSerializer)
    def post(self, request: Request) -> Response:
        incoming = s.ReceiptLookupSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        return receipt_answer(incoming.validated_data["receipt"])


class ReceiptView(APIView):
    """Deprecated: the receipt in the URL path, which access logs would keep (they now
    scrub it, config/logging.py). Answers as before, saying when it goes."""

    permission_classes = [permissions.AllowAny]
    throttle_classes = [ReceiptThrottle]

    @extend_schema(responses=s.ReceiptStatusSerializer, deprecated=True)
    def get(self, request: Request, receipt: str) -> Response:
        response = receipt_answer(receipt)
        response["Deprecation"] = RECEIPT_PATH_DEPRECATED
        response["Sunset"] = RECEIPT_PATH_SUNSET
        response["Link"] = '</api/v1/receipts/lookup/>; rel="successor-version"'
        return response


class WithdrawalView(APIView):
    """Withdraw consent, by receipt or as the signed-in owner: the story leaves everywhere."""

    permission_classes = [permissions.AllowAny]
    throttle_classes = [ReceiptThrottle]
    parser_classes = API_PARSERS

    @extend_schema(request=s.WithdrawalSerializer, responses=s.ReceiptStatusSerializer)
    def post(self, request: Request) -> Response:
        incoming = s.WithdrawalSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        if incoming.validated_data.get("receipt"):
            story = receipts.find_story(incoming.validated_data["receipt"])
            if story is None:
                return Response(
                    {"receipt": [gettext("No story matches this receipt.")]},
                    status=status.HTTP_400_BAD_REQUEST,
                )
            consent.withdraw(story, actor_label="receipt holder")
        else:
            story = self._withdraw_by_id(request, incoming.validated_data)
        # Withdrawn whether this call withdrew it or found it withdrawn: either way its
        # content is erased now (a second withdrawal finishes what an earlier one left).
        # The story as stored now, as a look-up of the receipt answers from here on.
        story.refresh_from_db()
        return Response(receipt_status(story))

    def _withdraw_by_id(self, request: Request, data: dict[str, Any]) -> Story:
        """The owner, or a curator on the reporter's behalf (who must say why)."""
        if not request.user.is_authenticated:
            raise NotAuthenticated(gettext("Sign in to withdraw by story id, or use your receipt."))
        story = get_object_or_404(Story, pk=data["story"])
        if not rules.can_withdraw(request.user, story):
            raise NotFound()
        reason = data.get("reason", "").strip()
        if rules.withdraws_on_behalf(request.user, story) and not reason:
            raise ValidationError({"reason": [WITHDRAWAL_REASON_REQUIRED]})
        consent.withdraw(story, actor=request.user, reason=reason)
        return story


_CHECK = {
    "type": "object",
    "properties": {
        "ok": {"type": "boolean"},
        "detail": {"type": "string"},
        "extra": {"type": "object", "additionalProperties": True},
    },
    "required": ["ok", "detail", "extra"],
}
_HEALTH = {
    "type": "object",
    "properties": {
        "status": {"type": "string", "enum": ["ok", "unavailable"]},
        "checks": {
            "type": "object",
            "additionalProperties": _CHECK,
            "description": "Curators and admins only.",
        },
    },
    "required": ["status"],
}


class HealthView(APIView):
    """Database, broker and worker reachability: 200 only when all are up.

    Everyone learns up or down; curators and admins also read each check. The report is
    kept a few seconds (``health.cached_report``) and calls are throttled per address.
    """

    permission_classes = [permissions.AllowAny]
    throttle_classes = [HealthThrottle]

    @extend_schema(
        responses={
            200: OpenApiResponse(_HEALTH, description="Everything is reachable."),
            429: OpenApiResponse(description="Too many health checks from this address."),
            503: OpenApiResponse(_HEALTH, description="Something is down; see its check."),
        }
    )
    def get(self, request: Request) -> Response:
        healthy, body = health.cached_report()
        if not rules.sees_health_detail(request.user):
            body = health.status_only(body)
        return Response(body, status=status.HTTP_200_OK if healthy else 503)
