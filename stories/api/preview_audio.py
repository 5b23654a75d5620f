"""``GET /api/v1/stories/<id>/preview/audio/``: hear exactly what publishing would make public."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.views import APIView

from stories.api.permissions import CuratorsOnly
from stories.domain import consent
from stories.domain import publication_media as media
from stories.domain.originals import PRIVATE_CACHE_CONTROL
from stories.models import Story


class PreviewAudioView(APIView):
    """The anonymised audio as it would be published, built now (names toned out, voice
    disguised if chosen); never stored, never cached."""

    permission_classes = [CuratorsOnly]

    @extend_schema(
        responses={
            (200, "audio/mp4"): OpenApiResponse(description="the anonymised audio (M4A)"),
            404: OpenApiResponse(description="no audio would be published"),
        }
    )
    def get(self, request: Request, pk: int) -> FileResponse:
        story = get_object_or_404(Story, pk=pk)
        record = consent.current(story)
        scratch = Path(tempfile.mkdtemp(prefix="tarina-preview-"))
        try:
            built = media.preview_audio(story, record, scratch) if record else None
            if built is None:
                raise NotFound("No audio would be published for this story.")
            # The open handle keeps the file readable after its folder is gone.
            handle = built.open("rb")
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        response = FileResponse(handle, content_type="audio/mp4")
        response["Cache-Control"] = PRIVATE_CACHE_CONTROL
        response["X-Content-Type-Options"] = "nosniff"
        return response
