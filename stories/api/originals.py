"""``GET /api/v1/stories/<id>/files/<asset_id>/``: a story's private file, for curators only."""

from __future__ import annotations

from django.http import FileResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.views import APIView

from stories.api.permissions import CuratorsOnly
from stories.domain import originals
from stories.models import Story


class PrivateFileView(APIView):
    """Curators fetch originals: a redirect to a signed URL (object storage) or the file."""

    permission_classes = [CuratorsOnly]
    curator_refusal = "Only curators can fetch a story's original files."

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(description="the file"),
            302: OpenApiResponse(description="a signed URL that expires (object storage)"),
            403: OpenApiResponse(description="not a curator"),
            404: OpenApiResponse(description="no such story or file"),
        }
    )
    def get(self, request: Request, pk: int, asset_id: int) -> HttpResponseBase:
        story = get_object_or_404(Story, pk=pk)
        asset = originals.asset_of(story, asset_id)
        if asset is None or not asset.file.name:
            raise NotFound("This story has no such file.")
        url = originals.signed_url(asset)
        response: HttpResponseBase
        if url is not None:
            originals.log_delivery(asset, request.user.pk, "signed URL")
            response = HttpResponseRedirect(url)
        else:
            originals.log_delivery(asset, request.user.pk, "stream")
            response = FileResponse(
                asset.file.open("rb"),
                as_attachment=True,
                filename=f"story-{story.pk}-{asset.role}-{asset.pk}",
                content_type=asset.mime_type or "application/octet-stream",
            )
            response["X-Content-Type-Options"] = "nosniff"
            response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        response["Cache-Control"] = originals.PRIVATE_CACHE_CONTROL
        return response
