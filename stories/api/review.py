"""Curators' API: the review queue, transcripts, redactions, approval and collections.

Views parse the request, ask ``stories.rules`` and call ``stories.domain``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import (
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from stories import rules
from stories.api import review_serializers as rs
from stories.api.converters import ROW_ID_PATTERN
from stories.api.parsers import API_PARSERS
from stories.api.permissions import CuratorsOnly
from stories.api.throttles import ReceiptThrottle
from stories.domain import (
    audio_redactions,
    collections,
    consent,
    publication,
    receipts,
    redactions,
    review,
    transcripts,
)
from stories.enums import RedactionField, StoryStatus
from stories.models import Collection, CollectionStory, Redaction, Story, Transcript


def reviewed_story(pk: int) -> Story:
    """One story with everything its reviewer sees, preloaded."""
    return get_object_or_404(
        Story.objects.select_related("drive").prefetch_related(
            Prefetch("transcripts", queryset=Transcript.objects.prefetch_related("revisions")),
            "theme_tags__theme",
            Prefetch("redactions", queryset=Redaction.objects.order_by("field", "start")),
        ),
        pk=pk,
    )


class ReviewQueueView(generics.ListAPIView[Story]):
    """Stories waiting for review, oldest first; filter by status, drive, theme (not where
    a curator rejected it) and language, search their words, or sort newest first."""

    permission_classes = [CuratorsOnly]
    serializer_class = rs.ReviewStorySerializer

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "status",
                str,
                enum=[str(s) for s in review.QUEUE_STATUSES],
                description="Default needs_review.",
            ),
            OpenApiParameter("drive", str, description="A drive's slug."),
            OpenApiParameter("theme", str, description="A theme's slug."),
            OpenApiParameter("language", str, description="An ISO 639-1 code."),
            OpenApiParameter("q", str, description="Words in the title, text or transcript."),
            OpenApiParameter("sort", str, enum=["oldest", "newest"], description="By age."),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Story]:
        params = self.request.query_params
        status_ = params.get("status") or StoryStatus.NEEDS_REVIEW
        if status_ not in review.QUEUE_STATUSES:
            raise ValidationError({"status": [f"One of {', '.join(review.QUEUE_STATUSES)}."]})
        if params.get("sort", "oldest") not in ("oldest", "newest"):
            raise ValidationError({"sort": ["oldest or newest."]})
        return review.queue(
            status=status_,
            drive=params.get("drive"),
            theme=params.get("theme"),
            language=params.get("language"),
            search=(params.get("q") or "")[:200] or None,
            newest_first=params.get("sort") == "newest",
        )


class ApproveView(APIView):
    permission_classes = [CuratorsOnly]
    parser_classes = API_PARSERS

    @extend_schema(request=rs.ApprovalSerializer, responses=rs.ReviewStorySerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Approve a story for publication (it may then join collections)."""
        incoming = rs.ApprovalSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        story = get_object_or_404(Story, pk=pk)
        review.approve(story, actor=request.user, **incoming.validated_data)
        return Response(rs.ReviewStorySerializer(reviewed_story(pk)).data)


class RejectView(APIView):
    permission_classes = [CuratorsOnly]
    parser_classes = API_PARSERS

    @extend_schema(request=rs.RejectionSerializer, responses=rs.ReviewStorySerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Reject a story with a reason the reporter reads through their receipt."""
        incoming = rs.RejectionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        story = get_object_or_404(Story, pk=pk)
        review.reject(story, incoming.validated_data["reason"], actor=request.user)
        return Response(rs.ReviewStorySerializer(reviewed_story(pk)).data)


class UnpublishView(APIView):
    permission_classes = [CuratorsOnly]
    parser_classes = API_PARSERS

    @extend_schema(request=rs.StatusReasonSerializer, responses=rs.ReviewStorySerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Take a published story off every public surface at once (its public copy and
        files go); it stays approved, and publish/ builds a fresh copy."""
        incoming = rs.StatusReasonSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        story = get_object_or_404(Story, pk=pk)
        publication.unpublish(story, actor=request.user, **incoming.validated_data)
        return Response(rs.ReviewStorySerializer(reviewed_story(pk)).data)


class ReopenView(APIView):
    permission_classes = [CuratorsOnly]
    parser_classes = API_PARSERS

    @extend_schema(request=rs.StatusReasonSerializer, responses=rs.ReviewStorySerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Send an approved, published or rejected story back to review (a published
        story's public copy goes first)."""
        incoming = rs.StatusReasonSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        story = get_object_or_404(Story, pk=pk)
        review.reopen(story, actor=request.user, **incoming.validated_data)
        return Response(rs.ReviewStorySerializer(reviewed_story(pk)).data)


class TranscriptView(APIView):
    permission_classes = [CuratorsOnly]
    parser_classes = API_PARSERS

    @extend_schema(responses=rs.TranscriptSerializer)
    def get(self, request: Request, pk: int) -> Response:
        """The machine transcript with every curator revision."""
        return Response(rs.TranscriptSerializer(self._transcript(pk)).data)

    @extend_schema(request=rs.TranscriptEditSerializer, responses=rs.TranscriptSerializer)
    def put(self, request: Request, pk: int) -> Response:
        """Save a corrected transcript as a new revision; personal data is looked for again."""
        incoming = rs.TranscriptEditSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        transcript = self._transcript(pk)
        transcripts.revise(transcript, incoming.validated_data["text"], actor=request.user)
        redactions.detect(transcript.story, ["transcript"])
        return Response(rs.TranscriptSerializer(self._transcript(pk)).data)

    def _transcript(self, pk: int) -> Transcript:
        story = get_object_or_404(Story, pk=pk)
        transcript = transcripts.primary(story)
        if transcript is None:
            raise NotFound("This story has no transcript.")
        return (
            Transcript.objects.prefetch_related("revisions")
            .select_related("story")
            .get(pk=transcript.pk)
        )


class RedactionListView(APIView):
    permission_classes = [CuratorsOnly]
    parser_classes = API_PARSERS

    @extend_schema(responses=rs.RedactionSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        """Personal data found in the story, and whether each span is hidden."""
        story = get_object_or_404(Story, pk=pk)
        spans = story.redactions.order_by("field", "start")
        return Response(rs.RedactionSerializer(spans, many=True).data)

    @extend_schema(request=rs.RedactionAddSerializer, responses={201: rs.RedactionSerializer})
    def post(self, request: Request, pk: int) -> Response:
        """Hide a span the detector missed (character offsets into title, text or transcript),
        or mute a stretch of the recording (field audio, start_seconds and end_seconds)."""
        incoming = rs.RedactionAddSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        story = get_object_or_404(Story, pk=pk)
        if data["field"] == RedactionField.AUDIO:
            added = audio_redactions.mute(
                story, data["start_seconds"], data["end_seconds"], actor=request.user
            )
        else:
            added = redactions.add(
                story, data["field"], data["start"], data["end"], data["type"], actor=request.user
            )
        return Response(rs.RedactionSerializer(added).data, status=status.HTTP_201_CREATED)


class RedactionDetailView(APIView):
    permission_classes = [CuratorsOnly]
    parser_classes = API_PARSERS

    @extend_schema(request=rs.RedactionDecisionSerializer, responses=rs.RedactionSerializer)
    def patch(self, request: Request, pk: int, redaction_id: int) -> Response:
        """Keep a span hidden, or lift it so it is published as written."""
        incoming = rs.RedactionDecisionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        span = get_object_or_404(
            Redaction.objects.select_related("story"), pk=redaction_id, story=pk
        )
        redactions.decide(span, redact=incoming.validated_data["redact"], actor=request.user)
        return Response(rs.RedactionSerializer(span).data)


class PreviewView(APIView):
    permission_classes = [CuratorsOnly]

    @extend_schema(responses=rs.PreviewSerializer)
    def get(self, request: Request, pk: int) -> Response:
        """What publishing this story would make public, as the consent on record allows."""
        story = get_object_or_404(Story, pk=pk)
        return Response(rs.PreviewSerializer(publication.preview(story)).data)


class PublishStoryView(APIView):
    permission_classes = [CuratorsOnly]

    @extend_schema(request=None, responses={202: rs.PublishResultSerializer})
    def post(self, request: Request, pk: int) -> Response:
        """Publish one approved story to the feed (its anonymised copy is built in a worker)."""
        story = get_object_or_404(Story, pk=pk)
        reason = publication.why_not_publishable(story)
        if reason:
            raise publication.NotPublishable(reason)
        publication.enqueue(story)
        return Response({"queued": [story.pk], "skipped": {}}, status=status.HTTP_202_ACCEPTED)


class CollectionViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Collection],
):
    """Curators build collections of approved stories and publish them."""

    permission_classes = [CuratorsOnly]
    lookup_value_regex = ROW_ID_PATTERN
    serializer_class = rs.CollectionSerializer
    parser_classes = API_PARSERS
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    queryset = Collection.objects.prefetch_related(
        "themes", Prefetch("entries", queryset=CollectionStory.objects.order_by("position"))
    )

    def perform_create(self, serializer: rs.CollectionSerializer) -> None:  # type: ignore[override]
        data = serializer.validated_data
        serializer.instance = collections.create(
            data["title"],
            description=data.get("description", ""),
            themes=data.get("themes", []),
            actor=self.request.user,
        )

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise PermissionDenied("Collections are not deleted; remove their stories instead.")

    @extend_schema(request=rs.CollectionEntrySerializer, responses=rs.CollectionSerializer)
    @action(detail=True, methods=["post"])
    def stories(self, request: Request, pk: str | None = None) -> Response:
        """Add an approved story to the collection."""
        collection = self.get_object()
        incoming = rs.CollectionEntrySerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        story = get_object_or_404(Story, pk=incoming.validated_data["story"])
        collections.add_story(collection, story, actor=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=collection.pk)).data)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=rf"stories/(?P<story_id>{ROW_ID_PATTERN})")
    def remove_story(self, request: Request, pk: str | None = None, story_id: str = "") -> Response:
        """Take a story out of the collection."""
        collection = self.get_object()
        story = get_object_or_404(Story, pk=int(story_id))
        if not collections.remove_story(collection, story, actor=request.user):
            raise NotFound("The story is not in this collection.")
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={202: rs.PublishResultSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        """Make the collection public; each story's anonymised copy is built in a worker."""
        result = collections.publish(self.get_object(), actor=request.user)
        body = {"queued": result.queued, "skipped": {str(k): v for k, v in result.skipped.items()}}
        return Response(body, status=status.HTTP_202_ACCEPTED)


class ConsentView(APIView):
    """Narrow consent, by receipt or as the signed-in owner: keep some scopes, drop the rest."""

    permission_classes = [permissions.AllowAny]
    parser_classes = API_PARSERS
    throttle_classes = [ReceiptThrottle]

    @extend_schema(request=rs.ConsentNarrowingSerializer, responses=rs.ConsentStateSerializer)
    def post(self, request: Request) -> Response:
        incoming = rs.ConsentNarrowingSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        story = self._story(request, data)
        keep = {scope: True for scope in data["keep"]}
        label = "" if data.get("story") else "receipt holder"
        actor = request.user if data.get("story") else None
        record = consent.narrow(story, keep, actor=actor, actor_label=label)
        story.refresh_from_db(fields=["status"])
        return Response({"scopes": record.scopes if record else [], "status": story.status})

    def _story(self, request: Request, data: dict[str, Any]) -> Story:
        if data.get("receipt"):
            found = receipts.find_story(data["receipt"])
            if found is None:
                raise NotFound(gettext("No story matches this receipt."))
            return found
        if not request.user.is_authenticated:
            raise NotAuthenticated(
                gettext("Sign in to change consent by story id, or use your receipt.")
            )
        story = get_object_or_404(Story, pk=data["story"])
        if not rules.can_withdraw(request.user, story):
            raise NotFound()
        return story
