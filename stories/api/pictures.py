"""Curators' API for a story's picture: the anonymised picture that would be published,
the regions they mark to blur, and their confirmation that they looked at it.

``GET  /api/v1/stories/<id>/picture/``           what would be published, and its fingerprint
``GET  /api/v1/stories/<id>/picture/preview/``   the anonymised JPEG itself (built, then kept)
``PUT  /api/v1/stories/<id>/picture/boxes/``     the regions to blur, fractions of the picture
``POST /api/v1/stories/<id>/picture/seen/``      "I looked at the picture with this fingerprint"
"""

from __future__ import annotations

from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import APIException, NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from media_pipeline.anonymise import RelativeBox, TextReadingFailed
from stories.api.parsers import API_PARSERS
from stories.api.permissions import CuratorsOnly
from stories.domain import consent_state, pictures, review
from stories.models import Story
from stories.storage import serve_private


class PictureUnavailable(APIException):
    status_code = 503
    default_detail = "The picture's text could not be read just now; try again."
    default_code = "picture_unavailable"


class BoxSerializer(serializers.Serializer):
    x = serializers.FloatField(min_value=0.0, max_value=1.0)
    y = serializers.FloatField(min_value=0.0, max_value=1.0)
    width = serializers.FloatField(min_value=0.0, max_value=1.0)
    height = serializers.FloatField(min_value=0.0, max_value=1.0)


class BoxesSerializer(serializers.Serializer):
    boxes = BoxSerializer(many=True, help_text="Regions to blur, as fractions of the picture.")

    def validate_boxes(self, value: list[dict[str, float]]) -> list[RelativeBox]:
        try:
            return pictures.parse_boxes(value)
        except pictures.InvalidBoxes as problem:
            raise serializers.ValidationError(str(problem)) from None


class SeenSerializer(serializers.Serializer):
    fingerprint = serializers.RegexField(r"^[0-9a-f]{64}$", help_text="From GET picture/.")


class PictureSerializer(serializers.Serializer):
    published = serializers.ChoiceField(choices=["none", "anonymised", "face shown"])
    fingerprint = serializers.CharField(allow_blank=True)
    seen = serializers.BooleanField(help_text="A curator looked at exactly this picture.")
    boxes = BoxSerializer(many=True)
    preview = serializers.CharField(allow_blank=True, help_text="URL of the anonymised JPEG.")


def _story(pk: int) -> Story:
    return get_object_or_404(Story.objects.select_related("drive"), pk=pk)


def describe(story: Story) -> dict[str, object]:
    """What the picture API answers about ``story``."""
    found = pictures.state(story)
    if found is None or not found.fingerprint:
        boxes = found.boxes if found else []
        none = {"published": "none", "fingerprint": "", "seen": False, "preview": ""}
        return {**none, "boxes": boxes}
    url = reverse("story-picture-preview", args=[story.pk]) + f"?v={found.fingerprint}"
    return {
        "published": found.published,
        "fingerprint": found.fingerprint,
        "seen": found.seen,
        "boxes": found.boxes,
        "preview": url,
    }


class PictureView(APIView):
    permission_classes = [CuratorsOnly]

    @extend_schema(responses=PictureSerializer)
    def get(self, request: Request, pk: int) -> Response:
        """The picture publishing would make public now, and whether a curator looked at it."""
        return Response(describe(_story(pk)))


class PicturePreviewView(APIView):
    permission_classes = [CuratorsOnly]

    @extend_schema(
        responses={
            (200, "image/jpeg"): OpenApiResponse(description="the anonymised picture"),
            404: OpenApiResponse(description="no picture would be published"),
        }
    )
    def get(self, request: Request, pk: int) -> HttpResponseBase:
        """The anonymised picture exactly as publishing would copy it; never cached."""
        story = _story(pk)
        picture = pictures.plan(story, consent_state.current(story))
        if picture is None:
            raise NotFound("No picture of this story would be published.")
        try:
            asset = pictures.derivative(story, picture)
        except TextReadingFailed as problem:
            raise PictureUnavailable() from problem
        return serve_private(asset.file, "image/jpeg")


class PictureBoxesView(APIView):
    permission_classes = [CuratorsOnly]
    parser_classes = API_PARSERS

    @extend_schema(request=BoxesSerializer, responses=PictureSerializer)
    def put(self, request: Request, pk: int) -> Response:
        """Replace the regions marked to blur; the picture must then be looked at again."""
        incoming = BoxesSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        story = _story(pk)
        review.mark_picture_regions(story, incoming.validated_data["boxes"], actor=request.user)
        return Response(describe(story))


class PictureSeenView(APIView):
    permission_classes = [CuratorsOnly]
    parser_classes = API_PARSERS

    @extend_schema(request=SeenSerializer, responses=PictureSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Confirm having looked at the picture with this fingerprint (409 if it changed)."""
        incoming = SeenSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        story = _story(pk)
        review.confirm_picture(story, incoming.validated_data["fingerprint"], actor=request.user)
        return Response(describe(story))
