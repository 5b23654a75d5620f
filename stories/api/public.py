"""The public, read-only API: the story feed, published stories and collections.

No login, GET only. Everything here reads ``PublishedStory`` and ``Collection`` (the
anonymised copies) through ``stories.domain.publicity``; nothing reaches a private story.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponsePermanentRedirect
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import permissions, serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from stories.api import public_cache, public_surface
from stories.api.converters import MAX_ROW_ID
from stories.api.pagination import count_parameter
from stories.api.serializers import LanguageField
from stories.domain import captions, embeddings, publicity
from stories.languages import reader_language
from stories.models import Collection, PublishedStory, Theme

PUBLIC_METHODS = ["get", "head", "options"]
BLANK_FILTER = "Leave this filter out, or give it a value."


# The one answer for a story that is not public, whatever the reason: withdrawn stories
# are not told apart from unknown ones (a 410 would date every withdrawal).
NO_PUBLISHED_STORY = "No published story has this id."


def absolute(request: Request | None, url: str) -> str:
    return request.build_absolute_uri(url) if request is not None else url


def public_file_url(request: Request | None, field: Any) -> str | None:
    """The public storage URL of a file, absolute when there is a request; None when unset."""
    return absolute(request, str(field.url)) if field else None


# --- Serializers ------------------------------------------------------------------


class PublicThemeSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    # Named like Field.label: fine for DRF, confusing for the stubs.
    label = serializers.SerializerMethodField()  # type: ignore[assignment]

    def get_label(self, theme: Theme) -> str:
        return theme.label(str(self.context.get("language", "en")))


class PublicDriveSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()


class PublicWordSerializer(serializers.Serializer):
    start = serializers.FloatField(help_text="Seconds into the published audio.")
    end = serializers.FloatField()
    word = serializers.CharField()
    hidden = serializers.BooleanField(
        default=False, help_text="A hidden span: the audio holds a tone."
    )


class PublicSegmentSerializer(serializers.Serializer):
    start = serializers.FloatField()
    end = serializers.FloatField()
    text = serializers.CharField()
    speaker = serializers.CharField(required=False, help_text="A speaker label, when known.")
    words = PublicWordSerializer(many=True)


class CaptionTrackSerializer(serializers.Serializer):
    """One WebVTT captions file of a published story."""

    language = serializers.CharField(help_text="ISO 639-1 code of the captions' language.")
    url = serializers.URLField(help_text="WebVTT (text/vtt).")
    machine_translation = serializers.BooleanField(
        help_text="True for the captions of the machine translation, false for the story's "
        "own language."
    )


class PublicTranslationSegmentSerializer(serializers.Serializer):
    start = serializers.FloatField(help_text="Seconds into the published audio.")
    end = serializers.FloatField()
    text = serializers.CharField(
        help_text="Translated text; personal details hidden as in the original."
    )


class PublicTranslationSerializer(serializers.Serializer):
    """The English machine translation of a recording in another language."""

    language = serializers.CharField(help_text="ISO 639-1 code of the translation ('en').")
    source_language = serializers.CharField(help_text="ISO 639-1 code of the recording.")
    machine_translation = serializers.BooleanField(help_text="Always true: made by Whisper.")
    corrected = serializers.BooleanField(help_text="A curator corrected it.")
    text = serializers.CharField(help_text="The whole translation, one segment a line.")
    segments = PublicTranslationSegmentSerializer(many=True)


class PublicStorySerializer(serializers.Serializer):
    """A published story: its anonymised public copy, nothing of the original."""

    id = serializers.CharField(
        source="public_id", help_text="The story's public id (random; not its row id)."
    )
    url = serializers.SerializerMethodField()
    kind = serializers.CharField()
    language = serializers.CharField()
    title = serializers.CharField()
    text = serializers.CharField()
    place = serializers.CharField()
    themes = PublicThemeSerializer(many=True)
    audio_url = serializers.SerializerMethodField()
    image_url = serializers.SerializerMethodField()
    video_url = serializers.SerializerMethodField()
    duration = serializers.FloatField(allow_null=True, help_text="Seconds.")
    segments = PublicSegmentSerializer(
        many=True,
        help_text="The published transcript, each word timed on the published audio (after "
        "redaction, re-aligned where a curator corrected the text); a hidden word is "
        f"{captions.HIDDEN_MARKER!r} with hidden true. Empty when no sound is published.",
    )
    captions = serializers.SerializerMethodField(
        help_text="WebVTT captions of the published transcript: in the story's language, and "
        "in its machine translation's (marked). Empty when nothing is timed."
    )
    translation = serializers.SerializerMethodField(
        help_text="The English machine translation, personal details hidden; null when none."
    )
    published_at = serializers.DateTimeField()
    drive = PublicDriveSerializer()
    collections = serializers.SerializerMethodField()

    def _request(self) -> Request | None:
        return self.context.get("request")

    def get_url(self, publication: PublishedStory) -> str:
        return absolute(self._request(), reverse("public-story", args=[publication.public_id]))

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_audio_url(self, publication: PublishedStory) -> str | None:
        return public_file_url(self._request(), publication.audio)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_image_url(self, publication: PublishedStory) -> str | None:
        return public_file_url(self._request(), publication.image)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_video_url(self, publication: PublishedStory) -> str | None:
        """Only where the reporter's consent allows their image and voice."""
        return public_file_url(self._request(), publication.video)

    @extend_schema_field(CaptionTrackSerializer(many=True))
    def get_captions(self, publication: PublishedStory) -> list[dict[str, Any]]:
        """WebVTT captions: in the story's language, and its machine translation's."""
        return [
            {
                "language": language,
                "url": absolute(self._request(), url),
                "machine_translation": machine,
            }
            for language, url, machine in captions.tracks(publication)
        ]

    @extend_schema_field(PublicTranslationSerializer(allow_null=True))
    def get_translation(self, publication: PublishedStory) -> dict[str, Any] | None:
        """The English machine translation, personal details hidden; null when none."""
        return publication.translation or None

    @extend_schema_field(serializers.ListField(child=serializers.SlugField()))
    def get_collections(self, publication: PublishedStory) -> list[str]:
        """Slugs of the published collections the story is in."""
        return list(getattr(publication, "public_collections", []))


class ExportLinksSerializer(serializers.Serializer):
    csv = serializers.URLField()
    json = serializers.URLField()
    zip = serializers.URLField()
    datapackage = serializers.URLField(help_text="Frictionless data package of the CSV.")


class PublicCollectionSerializer(serializers.Serializer):
    """A published collection with its published stories, in the curator's order."""

    slug = serializers.SlugField()
    title = serializers.CharField()
    description = serializers.CharField()
    published_at = serializers.DateTimeField()
    themes = PublicThemeSerializer(many=True)
    exports = serializers.SerializerMethodField()
    stories = serializers.SerializerMethodField()

    @extend_schema_field(ExportLinksSerializer)
    def get_exports(self, found: Collection) -> dict[str, str]:
        request = self.context.get("request")
        links = {
            fmt: absolute(request, reverse(f"public-collection-export-{fmt}", args=[found.slug]))
            for fmt in ("csv", "json", "zip")
        }
        package = reverse("public-collection-datapackage", args=[found.slug])
        return {**links, "datapackage": absolute(request, package)}

    @extend_schema_field(PublicStorySerializer(many=True))
    def get_stories(self, found: Collection) -> Any:
        stories = self.context.get("stories", [])
        return PublicStorySerializer(stories, many=True, context=self.context).data


class FeedQuerySerializer(serializers.Serializer):
    """The feed's filters, all optional; a malformed one is a 400 that says why."""

    theme = serializers.SlugField(required=False, help_text="A theme's slug.")
    drive = serializers.SlugField(required=False, help_text="A drive's slug.")
    language = LanguageField(help_text="ISO 639-1 code of the stories' language.")
    collection = serializers.SlugField(required=False, help_text="A published collection's slug.")
    q = serializers.CharField(
        required=False, max_length=200, help_text="Words to search for (web-search syntax)."
    )
    meaning = serializers.CharField(
        required=False,
        max_length=200,
        help_text=(
            "Words whose meaning to search for, in any language: stories in every language "
            "are ranked by closeness in meaning (one page, closest first, no cursor)."
        ),
    )
    since = serializers.DateTimeField(
        required=False, help_text="ISO 8601 date and time: stories published at or after it."
    )
    lang = serializers.CharField(required=False, help_text="Language of theme labels.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """``?theme=`` (blank) is refused as the schema refuses it; DRF reads a blank query
        parameter as an absent one."""
        blank = [
            name
            for name, field in self.fields.items()
            if self.initial_data.get(name) == "" and not getattr(field, "allow_blank", False)
        ]
        if blank:
            raise ValidationError({name: [BLANK_FILTER] for name in blank})
        return attrs


# --- Pagination -------------------------------------------------------------------


class FeedPagination(CursorPagination):
    """Newest first; the cursor stays stable while new stories are published."""

    ordering = ("-published_at", "-id")
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request: Request) -> int:
        """``page_size`` from 1 up (more than 100 is served as 100); 400 when malformed."""
        size = count_parameter(request, self.page_size_query_param, 1, MAX_ROW_ID)
        return self.page_size if size is None else min(size, self.max_page_size)

    def decode_cursor(self, request: Request) -> Any:
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise ValidationError(
                {"cursor": ["This page link is broken or out of date. Start from the first page."]}
            ) from None


# The query parameters of every cursor-paged public list (FeedPagination).
PAGING_PARAMETERS = [
    OpenApiParameter("cursor", OpenApiTypes.STR, description="From a previous page."),
    OpenApiParameter(
        "page_size",
        {"type": "integer", "minimum": 1, "maximum": MAX_ROW_ID},
        description="At least 1; more than 100 is served as 100.",
    ),
]


def _language_parameter() -> OpenApiParameter:
    return OpenApiParameter(
        "lang", OpenApiTypes.STR, description="Language of theme labels (else Accept-Language)."
    )


# --- Views ------------------------------------------------------------------------


class PublicView(APIView):
    permission_classes = [permissions.AllowAny]
    http_method_names = PUBLIC_METHODS

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Any:
        # Anonymous readers are answered from memory while nothing public changes; any
        # site may read it (CORS), compressed.
        return public_surface.public(public_cache.cached(super().as_view(**initkwargs)))

    def public_context(self) -> dict[str, Any]:
        return {"request": self.request, "language": reader_language(self.request)}


class FeedView(PublicView):
    """Published stories, newest first, with filters and cursor pagination."""

    pagination_class = FeedPagination

    @extend_schema(
        operation_id="public_feed",
        parameters=[FeedQuerySerializer, *PAGING_PARAMETERS],
        responses=PublicStorySerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        filters = FeedQuerySerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        queryset = publicity.feed(
            theme=data.get("theme", ""),
            drive=data.get("drive", ""),
            language=data.get("language", ""),
            collection=data.get("collection", ""),
            q=data.get("q", ""),
            since=data.get("since"),
        )
        paginator = self.pagination_class()
        if data.get("meaning"):
            size = paginator.get_page_size(request)
            found = embeddings.search(data["meaning"], queryset, limit=size)
            publicity.attach_collections(found)
            results = PublicStorySerializer(found, many=True, context=self.public_context()).data
            return Response({"next": None, "previous": None, "results": results})
        page = paginator.paginate_queryset(queryset, request, view=self) or []
        publicity.attach_collections(page)
        body = PublicStorySerializer(page, many=True, context=self.public_context()).data
        return paginator.get_paginated_response(body)


class PublicStoryView(PublicView):
    """One published story, by its public id; 404 for anything else (withdrawn included)."""

    @extend_schema(
        operation_id="public_story",
        parameters=[
            OpenApiParameter("public_id", OpenApiTypes.STR, OpenApiParameter.PATH),
            _language_parameter(),
        ],
        responses={
            200: PublicStorySerializer,
            404: OpenApiResponse(description="No published story has this id."),
        },
    )
    def get(self, request: Request, public_id: str) -> Response:
        try:
            publication = publicity.story(public_id)
        except publicity.NotPublished:
            raise NotFound(NO_PUBLISHED_STORY) from None
        return Response(PublicStorySerializer(publication, context=self.public_context()).data)


class LegacyPublicStoryView(PublicView):
    """The old numeric URL of a published story: a permanent redirect to its public id
    while it is public, the same 404 as any unknown id otherwise."""

    @extend_schema(
        operation_id="public_story_by_number",
        deprecated=True,
        parameters=[OpenApiParameter("story_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses={
            301: OpenApiResponse(description="Moved to the story's public id."),
            404: OpenApiResponse(description="No published story has this id."),
        },
    )
    def get(self, request: Request, story_id: int) -> HttpResponsePermanentRedirect:
        try:
            public_id = publicity.public_id_of(story_id)
        except publicity.NotPublished:
            raise NotFound(NO_PUBLISHED_STORY) from None
        target = reverse("public-story", args=[public_id])
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)


class PublicCollectionView(PublicView):
    """A published collection and its published stories."""

    @extend_schema(
        operation_id="public_collection",
        parameters=[
            OpenApiParameter("slug", OpenApiTypes.STR, OpenApiParameter.PATH),
            _language_parameter(),
        ],
        responses={
            200: PublicCollectionSerializer,
            404: OpenApiResponse(description="No published collection has this slug."),
        },
    )
    def get(self, request: Request, slug: str) -> Response:
        try:
            found = publicity.collection(slug)
        except publicity.NotPublished:
            raise NotFound("No published collection has this slug.") from None
        stories = publicity.attach_collections(publicity.collection_stories(found))
        context = {**self.public_context(), "stories": stories}
        return Response(PublicCollectionSerializer(found, context=context).data)
