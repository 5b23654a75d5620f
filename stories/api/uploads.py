"""tus 1.0.0 endpoints: ``/api/v1/uploads/`` (OPTIONS, POST), ``<id>/`` (HEAD, PATCH, DELETE).

DRF handles authentication and throttling; nothing here touches ``request.data``. The
only parser is a no-op for ``application/offset+octet-stream``, so that DRF never reads a
chunk into memory: PATCH bodies are streamed straight from the WSGI input to the file.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.http import HttpRequest
from django.utils.http import http_date
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.parsers import BaseParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from stories import rules
from stories.api.throttles import ClientAddressThrottle
from stories.domain import uploads
from stories.models import Drive, Upload

CHUNK_TYPE = "application/offset+octet-stream"
HTTP_CHECKSUM_MISMATCH = 460


class ChunkParser(BaseParser):
    """Claims the chunk media type without reading a byte of it."""

    media_type = CHUNK_TYPE

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        return {}


class UploadCreationThrottle(ClientAddressThrottle):
    """Creations per account (or per address, anonymously); appends are not counted."""

    scope = "uploads"

    def get_rate(self) -> str | None:
        return settings.TARINA_UPLOAD_CREATE_THROTTLE

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        ident = request.user.pk if request.user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


def tus_headers(response: Response, upload: Upload | None = None) -> Response:
    response["Tus-Resumable"] = uploads.TUS_VERSION
    response["Cache-Control"] = "no-store"
    if upload is not None:
        response["Upload-Offset"] = str(upload.offset)
        response["Upload-Expires"] = http_date(upload.expires_at.timestamp())
        if upload.sha256:
            # Not part of tus: lets the client compare the stored file with its own.
            response["Upload-Sha256"] = upload.sha256
    return response


def is_byte_count(raw: str) -> bool:
    """True for a plain decimal byte count: ASCII digits only.

    ``str.isdigit`` also accepts "²" or Arabic-Indic digits, which ``int()`` then refuses (a 500).
    """
    return raw.isascii() and raw.isdigit()


def answer(code: int, detail: str = "", upload: Upload | None = None) -> Response:
    return tus_headers(Response({"detail": detail} if detail else None, status=code), upload)


def upload_tokens(request: Request) -> list[str]:
    return uploads.tokens_from(request.headers.get("Upload-Token"))


def failure(error: uploads.UploadError, upload: Upload | None = None) -> Response:
    if isinstance(error, uploads.BadRequest):
        return answer(status.HTTP_400_BAD_REQUEST, str(error))
    if isinstance(error, uploads.TooLarge):
        return answer(status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, str(error), upload)
    if isinstance(error, uploads.UploadGone):
        return answer(status.HTTP_404_NOT_FOUND, gettext("Not found."))
    if isinstance(error, uploads.OffsetMismatch):
        return answer(status.HTTP_409_CONFLICT, str(error), upload)
    if isinstance(error, uploads.ChecksumMismatch):
        return answer(HTTP_CHECKSUM_MISMATCH, str(error), upload)
    if isinstance(error, uploads.NoSpace):
        return answer(status.HTTP_507_INSUFFICIENT_STORAGE, str(error), upload)
    if isinstance(error, uploads.BodyInterrupted):
        return answer(status.HTTP_400_BAD_REQUEST, str(error), upload)
    raise error


class TusView(APIView):
    permission_classes = [permissions.AllowAny]
    parser_classes = [ChunkParser]

    def get_throttles(self) -> list[BaseThrottle]:
        return [UploadCreationThrottle()] if self.request.method == "POST" else []

    def version_refused(self, request: Request) -> Response | None:
        if request.headers.get("Tus-Resumable") != uploads.TUS_VERSION:
            response = answer(
                status.HTTP_412_PRECONDITION_FAILED,
                gettext("This server speaks tus %(version)s: send 'Tus-Resumable: %(version)s'.")
                % {"version": uploads.TUS_VERSION},
            )
            response["Tus-Version"] = uploads.TUS_VERSION
            return response
        return None

    def receive(self, request: Request, upload: Upload, offset: int) -> Response:
        """Stream the request body onto the upload at ``offset``."""
        if request.content_type.split(";")[0].strip() != CHUNK_TYPE:
            return answer(
                status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                gettext("Send chunks as %(type)s.") % {"type": CHUNK_TYPE},
                upload,
            )
        try:
            count = int(request.headers.get("Content-Length", ""))
        except ValueError:
            return answer(
                status.HTTP_411_LENGTH_REQUIRED, gettext("Send a Content-Length."), upload
            )
        if count < 0:
            return answer(status.HTTP_400_BAD_REQUEST, gettext("Bad Content-Length."), upload)
        try:
            checksum = uploads.parse_checksum(request.headers.get("Upload-Checksum"))
            uploads.append(
                upload,
                offset=offset,
                # The Django request itself: its read() is bounded by Content-Length.
                stream=request._request,
                count=count,
                checksum=checksum,
            )
        except uploads.UploadError as error:
            if isinstance(error, uploads.OffsetMismatch) and error.current >= 0:
                upload.offset = error.current
            return failure(error, upload)
        return answer(status.HTTP_204_NO_CONTENT, upload=upload)


class UploadCollectionView(TusView):
    """Discover the server (OPTIONS) and create uploads (POST)."""

    @extend_schema(exclude=True)
    def options(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Response:
        response = tus_headers(Response(status=status.HTTP_204_NO_CONTENT))
        response["Tus-Version"] = uploads.TUS_VERSION
        response["Tus-Extension"] = ",".join(uploads.EXTENSIONS)
        response["Tus-Max-Size"] = str(settings.TARINA_MAX_UPLOAD_BYTES)
        response["Tus-Checksum-Algorithm"] = ",".join(uploads.CHECKSUM_ALGORITHMS)
        return response

    @extend_schema(exclude=True)
    def post(self, request: Request) -> Response:
        refused = self.version_refused(request)
        if refused:
            return refused
        if "Upload-Defer-Length" in request.headers:
            return answer(
                status.HTTP_400_BAD_REQUEST, gettext("Upload-Defer-Length is not supported.")
            )
        if "Upload-Concat" in request.headers:
            # Said before anything else: a final upload has no Upload-Length, and "length
            # required" would send the client looking for the wrong mistake.
            return answer(
                status.HTTP_400_BAD_REQUEST,
                gettext(
                    "Concatenation (Upload-Concat) is not supported: send each file as one "
                    "upload, in as many PATCH requests as you like."
                ),
            )
        raw_length = request.headers.get("Upload-Length", "")
        if not is_byte_count(raw_length):
            return answer(
                status.HTTP_400_BAD_REQUEST, gettext("Upload-Length (bytes) is required.")
            )
        try:
            metadata = uploads.parse_metadata(request.headers.get("Upload-Metadata"))
        except uploads.BadRequest as error:
            return failure(error)
        not_allowed = self.creation_refused(request, metadata)
        if not_allowed:
            return not_allowed
        try:
            upload, token = uploads.create(
                length=int(raw_length), metadata=metadata, creator=request.user
            )
        except uploads.UploadError as error:
            return failure(error)
        location = request.build_absolute_uri(f"{upload.pk}/")
        chunk_sent = request.content_type.split(";")[0].strip() == CHUNK_TYPE
        if chunk_sent and int(request.headers.get("Content-Length") or 0) > 0:
            # creation-with-upload: the body is the first chunk.
            response = self.receive(request, upload, 0)
            if response.status_code == status.HTTP_204_NO_CONTENT:
                response.status_code = status.HTTP_201_CREATED
        else:
            response = answer(status.HTTP_201_CREATED, upload=upload)
        response["Location"] = location
        if token:
            response["Upload-Token"] = token
        return response

    def creation_refused(self, request: Request, metadata: dict[str, str]) -> Response | None:
        """Only people who may tell a story may upload: anonymously, for a light-touch drive."""
        slug = metadata.get("drive")
        if slug:
            drive = Drive.objects.filter(slug=slug).first()
            if drive is None:
                return answer(
                    status.HTTP_400_BAD_REQUEST,
                    gettext("There is no drive called '%(slug)s'.") % {"slug": slug},
                )
            if not drive.is_open or not rules.can_submit(request.user, drive):
                return answer(
                    status.HTTP_403_FORBIDDEN, gettext("This drive takes no uploads from you.")
                )
            return None
        if request.user.is_authenticated:
            if rules.is_submitter(request.user):
                return None
            return answer(status.HTTP_403_FORBIDDEN, gettext("This account cannot upload stories."))
        return answer(
            status.HTTP_403_FORBIDDEN,
            gettext(
                "Without an account, name the drive in Upload-Metadata ('drive <base64 slug>')."
            ),
        )


class UploadDetailView(TusView):
    """One upload: where it stands (HEAD), more bytes (PATCH), termination (DELETE)."""

    def find(self, request: Request, upload_id: UUID) -> tuple[Upload | None, Response | None]:
        refused = self.version_refused(request)
        if refused:
            return None, refused
        upload = uploads.find(upload_id, request.user, upload_tokens(request))
        if upload is None:
            return None, answer(status.HTTP_404_NOT_FOUND, gettext("Not found."))
        return upload, None

    @extend_schema(exclude=True)
    def options(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Response:
        return UploadCollectionView().options(request)

    @extend_schema(exclude=True)
    def head(self, request: Request, upload_id: UUID) -> Response:
        upload, refused = self.find(request, upload_id)
        if upload is None:
            return refused or answer(status.HTTP_404_NOT_FOUND)
        if uploads.is_expired(upload):
            return answer(status.HTTP_410_GONE, upload=None)
        response = answer(status.HTTP_200_OK, upload=upload)
        response["Upload-Length"] = str(upload.length)
        if upload.metadata:
            response["Upload-Metadata"] = uploads.encode_metadata(upload.metadata)
        return response

    @extend_schema(exclude=True)
    def patch(self, request: Request, upload_id: UUID) -> Response:
        upload, refused = self.find(request, upload_id)
        if upload is None:
            return refused or answer(status.HTTP_404_NOT_FOUND)
        if uploads.is_expired(upload):
            return answer(status.HTTP_410_GONE, gettext("This upload has expired."))
        raw_offset = request.headers.get("Upload-Offset", "")
        if not is_byte_count(raw_offset):
            return answer(
                status.HTTP_400_BAD_REQUEST, gettext("Upload-Offset (bytes) is required.")
            )
        return self.receive(request, upload, int(raw_offset))

    @extend_schema(exclude=True)
    def delete(self, request: Request, upload_id: UUID) -> Response:
        upload, refused = self.find(request, upload_id)
        if upload is None:
            return refused or answer(status.HTTP_404_NOT_FOUND)
        uploads.terminate(upload)
        return answer(status.HTTP_204_NO_CONTENT)
