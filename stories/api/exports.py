"""Research exports of a published collection: CSV, JSON, and a ZIP with the public media.

Only stories whose reporter allowed research use (``PublishedStory.research_allowed``)
are included, and only their anonymised public copies. CSV and JSON are streamed; the
ZIP is built in a temporary file, so no export is held whole in memory.
The columns are documented in docs/publishing-surfaces.md.
"""

from __future__ import annotations

import csv
import json
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.views import APIView

from stories.api import public_surface
from stories.api.public import PUBLIC_METHODS, absolute, public_file_url
from stories.domain import publicity
from stories.models import Collection, PublishedStory

COLUMNS = [
    "id",
    "published_at",
    "drive",
    "language",
    "kind",
    "title",
    "text",
    "themes",
    "place",
    "duration",
    "audio_url",
    "image_url",
    "video_url",
]
# A cell a spreadsheet would run as a formula (or a DDE command) starts with one of these.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 200


def spreadsheet_safe(value: Any) -> Any:
    """Text that a spreadsheet would read as a formula gets a leading quote; else as is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def export_stories(found: Collection) -> QuerySet[PublishedStory]:
    """The collection's published stories that their reporters allowed for research."""
    return publicity.collection_stories(found).filter(research_allowed=True)


def row(publication: PublishedStory, request: Request | None) -> dict[str, Any]:
    """One story as an export row; ``themes`` is a list of slugs here."""
    return {
        "id": publication.story_id,
        "published_at": publication.published_at.isoformat(),
        "drive": publication.drive.slug,
        "language": publication.language,
        "kind": publication.kind,
        "title": publication.title,
        "text": publication.text,
        "themes": [theme.slug for theme in publication.themes.all()],
        "place": publication.place,
        "duration": publication.duration,
        "audio_url": public_file_url(request, publication.audio),
        "image_url": public_file_url(request, publication.image),
        "video_url": public_file_url(request, publication.video),
    }


def rows(found: Collection, request: Request | None) -> Iterator[dict[str, Any]]:
    for publication in export_stories(found).iterator(chunk_size=CHUNK):
        yield row(publication, request)


class _Echo:
    """A file-like object whose write() hands the line back, for streaming csv."""

    def write(self, value: str) -> str:
        return value


def csv_lines(items: Iterable[dict[str, Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(COLUMNS)
    for item in items:
        cells = {**item, "themes": ";".join(item["themes"])}
        yield writer.writerow(
            [spreadsheet_safe("" if cells[c] is None else cells[c]) for c in COLUMNS]
        )


def collection_header(found: Collection, request: Request | None) -> dict[str, Any]:
    return {
        "slug": found.slug,
        "title": found.title,
        "description": found.description,
        "published_at": found.published_at,
        "url": absolute(request, reverse("public-collection", args=[found.slug])),
        "columns": COLUMNS,
    }


def json_chunks(
    found: Collection, items: Iterable[dict[str, Any]], request: Request | None
) -> Iterator[str]:
    head = json.dumps(collection_header(found, request), cls=DjangoJSONEncoder, ensure_ascii=False)
    yield head[:-1] + ', "stories": ['
    for index, item in enumerate(items):
        yield ("," if index else "") + json.dumps(item, ensure_ascii=False)
    yield "]}"


def media_files(found: Collection) -> Iterator[Any]:
    """The public audio, image and video files of the exported stories."""
    for publication in export_stories(found).iterator(chunk_size=CHUNK):
        yield from publication.media_files()


def build_zip(found: Collection, request: Request | None) -> Any:
    """stories.csv, stories.json and media/<file name> in a temporary file, rewound."""
    archive = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        with zipped.open("stories.csv", "w") as out:
            for line in csv_lines(rows(found, request)):
                out.write(line.encode())
        with zipped.open("stories.json", "w") as out:
            for chunk in json_chunks(found, rows(found, request), request):
                out.write(chunk.encode())
        for field in media_files(found):
            name = f"media/{PurePosixPath(field.name).name}"
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_STORED  # audio and images are compressed already
            try:
                source = field.storage.open(field.name, "rb")
            except OSError:
                continue  # a file removed meanwhile (the story was withdrawn): leave it out
            with source, zipped.open(info, "w", force_zip64=True) as out:
                shutil.copyfileobj(source, out, 1024 * 1024)
    archive.seek(0)
    return archive


def _filename(found: Collection, extension: str) -> str:
    return f"tarina-{found.slug}.{extension}"


class ExportView(APIView):
    permission_classes = [permissions.AllowAny]
    http_method_names = PUBLIC_METHODS

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Any:
        return public_surface.public(super().as_view(**initkwargs))

    def collection(self, slug: str) -> Collection:
        try:
            return publicity.collection(slug)
        except publicity.NotPublished:
            raise NotFound("No published collection has this slug.") from None


def _schema(media_type: str, what: str) -> Any:
    return extend_schema(
        operation_id=f"public_collection_export_{media_type.split('/')[-1]}",
        summary=f"Research export of a published collection as {what}",
        parameters=[OpenApiParameter("slug", OpenApiTypes.STR, OpenApiParameter.PATH)],
        responses={
            # JSON is a document clients parse; CSV and ZIP are files to save.
            (200, media_type): (
                OpenApiTypes.OBJECT if media_type == "application/json" else OpenApiTypes.BINARY
            ),
            404: OpenApiResponse(description="No published collection has this slug."),
        },
    )


class CsvExportView(ExportView):
    """Stories allowed for research, one row each (UTF-8 CSV, formula-safe)."""

    @_schema("text/csv", "CSV")
    def get(self, request: Request, slug: str) -> StreamingHttpResponse:
        found = self.collection(slug)
        response = StreamingHttpResponse(
            csv_lines(rows(found, request)), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=_filename(found, "csv")
        )
        return response


class JsonExportView(ExportView):
    """The collection and its stories allowed for research, as one JSON document."""

    @_schema("application/json", "JSON")
    def get(self, request: Request, slug: str) -> StreamingHttpResponse:
        found = self.collection(slug)
        response = StreamingHttpResponse(
            json_chunks(found, rows(found, request), request),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=_filename(found, "json")
        )
        return response


class ZipExportView(ExportView):
    """CSV, JSON and the stories' anonymised public media files in one ZIP."""

    @_schema("application/zip", "a ZIP with media")
    def get(self, request: Request, slug: str) -> FileResponse:
        found = self.collection(slug)
        return FileResponse(
            build_zip(found, request),
            as_attachment=True,
            filename=_filename(found, "zip"),
            content_type="application/zip",
        )
