"""Clips in the API: curators make, list and delete them; anyone reads a public one.

Views parse the request, ask ``stories.rules`` (through ``CuratorsOnly``) and call
``stories.domain.clips``. A public clip reads only the clip's own anonymised copy.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from stories.api.parsers import API_PARSERS
from stories.api.permissions import CuratorsOnly
from stories.api.public import (
    BLANK_FILTER,
    PAGING_PARAMETERS,
    FeedPagination,
    PublicThemeSerializer,
    PublicView,
    absolute,
)
from stories.domain import clips, publicity
from stories.languages import reader_language
from stories.models import Clip, Story, Theme

NO_CLIP = "No clip has this id."


def oembed_url(request: Request | None, clip: Clip) -> str:
    """The oEmbed (JSON) answer for the clip's public page."""
    page = absolute(request, reverse("frontend:clip", args=[clip.public_id]))
    query = urlencode({"url": page, "format": "json"})
    return absolute(request, f"{reverse('frontend:oembed')}?{query}")


def clip_links(request: Request | None, clip: Clip) -> dict[str, str]:
    """Where a public clip is: its page, its audio and its oEmbed answer (absolute URLs)."""
    return {
        "page_url": absolute(request, reverse("frontend:clip", args=[clip.public_id])),
        "audio_url": absolute(request, reverse("frontend:clip-audio", args=[clip.public_id])),
        "oembed_url": oembed_url(request, clip),
    }


class ClipGone(APIException):
    status_code = status.HTTP_410_GONE
    default_detail = "This clip has been taken down."
    default_code = "gone"


class NewClipSerializer(serializers.Serializer):
    """What a curator chooses: the passage (seconds of the published audio), a title and a
    theme. The quote is never sent: it is the anonymised text of the passage."""

    start = serializers.FloatField(min_value=0)
    end = serializers.FloatField(min_value=0)
    title = serializers.CharField(max_length=clips.TITLE_LENGTH, allow_blank=True, default="")
    theme = serializers.SlugRelatedField(
        slug_field="slug", queryset=Theme.objects.all(), required=False, allow_null=True
    )


class ClipSerializer(serializers.Serializer):
    """A clip as the public sees it (and the curator, with its story's row id)."""

    id = serializers.CharField(source="public_id")
    url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()
    embed_url = serializers.SerializerMethodField()
    audio_url = serializers.SerializerMethodField()
    title = serializers.CharField()
    quote = serializers.CharField()
    theme = PublicThemeSerializer(allow_null=True)
    start = serializers.FloatField(help_text="Seconds into the story's published audio.")
    end = serializers.FloatField()
    duration = serializers.FloatField()
    story = serializers.CharField(
        source="story.publication.public_id", help_text="The story's public id."
    )
    created_at = serializers.DateTimeField()

    def _absolute(self, url: str) -> str:
        return absolute(self.context.get("request"), url)

    def get_url(self, clip: Clip) -> str:
        return self._absolute(reverse("public-clip", args=[clip.public_id]))

    def get_page_url(self, clip: Clip) -> str:
        return self._absolute(reverse("frontend:clip", args=[clip.public_id]))

    def get_embed_url(self, clip: Clip) -> str:
        return self._absolute(reverse("frontend:clip-embed", args=[clip.public_id]))

    def get_audio_url(self, clip: Clip) -> str:
        return self._absolute(reverse("frontend:clip-audio", args=[clip.public_id]))


def _context(request: Request) -> dict[str, Any]:
    return {"request": request, "language": reader_language(request)}


class StoryClipsView(APIView):
    """A story's public clips (GET) and a new one (POST), for curators."""

    permission_classes = [CuratorsOnly]
    parser_classes = API_PARSERS

    @extend_schema(responses=ClipSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        story = get_object_or_404(Story, pk=pk)
        return Response(
            ClipSerializer(clips.of_story(story.pk), many=True, context=_context(request)).data
        )

    @extend_schema(
        request=NewClipSerializer,
        responses={201: ClipSerializer, 400: OpenApiResponse(description="Why not.")},
    )
    def post(self, request: Request, pk: int) -> Response:
        story = get_object_or_404(Story, pk=pk)
        incoming = NewClipSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        try:
            clip = clips.make(
                story,
                start=data["start"],
                end=data["end"],
                title=data["title"],
                theme=data.get("theme"),
                actor=request.user,
            )
        except clips.ClipRefused as refused:
            raise ValidationError({"detail": [str(refused)]}) from None
        body = ClipSerializer(clips.public(clip.public_id), context=_context(request)).data
        return Response(body, status=status.HTTP_201_CREATED)


class ClipDeleteView(APIView):
    """A curator deletes a clip: its file goes and its public URLs answer 410."""

    permission_classes = [CuratorsOnly]

    @extend_schema(responses={204: None, 404: OpenApiResponse(description=NO_CLIP)})
    def delete(self, request: Request, public_id: str) -> Response:
        clip = get_object_or_404(Clip, public_id=public_id, removed_at__isnull=True)
        clips.remove(clip, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ClipQuerySerializer(serializers.Serializer):
    """The public clip list's filter: optional; blank or too long is a 400 that says why."""

    meaning = serializers.CharField(
        required=False,
        max_length=200,
        help_text=(
            "Words whose meaning to search for, in any language: clips in every language "
            "are ranked by closeness in meaning (one page, closest first, no cursor)."
        ),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """``?meaning=`` (blank) is refused as the schema refuses it."""
        if self.initial_data.get("meaning") == "":
            raise ValidationError({"meaning": [BLANK_FILTER]})
        return attrs


class ClipPagination(FeedPagination):
    """Newest first, as the feed pages (and refuses a broken cursor or page size)."""

    ordering = ("-created_at", "-id")


class PublicClipListView(PublicView):
    """Public clips, newest first; or, with ``meaning``, those closest in meaning."""

    pagination_class = ClipPagination

    @extend_schema(
        operation_id="public_clips",
        parameters=[ClipQuerySerializer, *PAGING_PARAMETERS],
        responses=ClipSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        query = ClipQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        paginator = self.pagination_class()
        context = self.public_context()
        if query.validated_data.get("meaning"):
            size = paginator.get_page_size(request)
            found = clips.search(query.validated_data["meaning"], limit=size)
            results = ClipSerializer(found, many=True, context=context).data
            return Response({"next": None, "previous": None, "results": results})
        page = paginator.paginate_queryset(clips.live(), request, view=self) or []
        return paginator.get_paginated_response(
            ClipSerializer(page, many=True, context=context).data
        )


class PublicClipView(PublicView):
    """One public clip; 410 once its story left the public or it was deleted."""

    @extend_schema(
        operation_id="public_clip",
        parameters=[OpenApiParameter("public_id", OpenApiTypes.STR, OpenApiParameter.PATH)],
        responses={
            200: ClipSerializer,
            404: OpenApiResponse(description=NO_CLIP),
            410: OpenApiResponse(description="The clip was taken down."),
        },
    )
    def get(self, request: Request, public_id: str) -> Response:
        try:
            clip = clips.public(public_id)
        except clips.ClipGone:
            raise ClipGone() from None
        except publicity.NotPublished:
            raise NotFound(NO_CLIP) from None
        return Response(ClipSerializer(clip, context=self.public_context()).data)
