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
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from stories.api import datapackage, public_surface
from stories.api.clips import clip_links
from stories.api.public import PUBLIC_METHODS, absolute, public_file_url
from stories.domain import captions, clips, publicity
from stories.models import Collection, PublishedStory

# The columns, typed and described in the data package (``datapackage``).
COLUMNS = datapackage.COLUMNS
# A cell a spreadsheet would run as a formula (or a DDE command) starts with one of these.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 200
# Columns that hold a list: separated by ";" in CSV, a JSON list in JSON.
LIST_COLUMNS = datapackage.LIST_COLUMNS


def spreadsheet_safe(value: Any) -> Any:
    """Text that a spreadsheet would read as a formula gets a leading quote; else as is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def export_stories(found: Collection) -> QuerySet[PublishedStory]:
    """The collection's published stories that their reporters allowed for research,
    with their public clips (one query for all, not one per story)."""
    return (
        publicity.collection_stories(found)
        .filter(research_allowed=True)
        .prefetch_related(Prefetch("story__clips", queryset=clips.live(), to_attr="public_clips"))
    )


def row(publication: PublishedStory, request: Request | None) -> dict[str, Any]:
    """One story as an export row; the list columns (``LIST_COLUMNS``) are lists here."""
    own_captions, translated_captions, translated_language = None, None, None
    for language, path, machine in captions.tracks(publication):
        if machine:
            translated_captions, translated_language = absolute(request, path), language
        else:
            own_captions = absolute(request, path)
    links = [clip_links(request, clip) for clip in getattr(publication.story, "public_clips", [])]
    return {
        "id": publication.public_id,
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
        "captions_url": own_captions,
        "machine_translation_language": translated_language,
        "machine_translation_captions_url": translated_captions,
        "clip_page_urls": [link["page_url"] for link in links],
        "clip_audio_urls": [link["audio_url"] for link in links],
        "clip_oembed_urls": [link["oembed_url"] for link in links],
    }


def rows(found: Collection, request: Request | None) -> Iterator[dict[str, Any]]:
    for publication in export_stories(found).iterator(chunk_size=CHUNK):
        yield row(publication, request)


class _Echo:
    """A file-like object whose write() hands the line back, for streaming csv."""

    def write(self, value: str) -> str:
        return value


def csv_lines(items: Iterable[dict[str, Any]], bom: bool = False) -> Iterator[str]:
    """The CSV, line by line; ``bom`` puts a UTF-8 byte order mark first, which spreadsheet
    programs (Excel) need to read the file as UTF-8 rather than a local code page."""
    writer = csv.writer(_Echo())
    yield ("\ufeff" if bom else "") + writer.writerow(COLUMNS)
    for item in items:
        cells = {**item, **{column: ";".join(item[column]) for column in LIST_COLUMNS}}
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


def package_descriptor(found: Collection, request: Request | None, csv_path: str) -> dict[str, Any]:
    """The collection's export as a Frictionless data package whose table is at ``csv_path``."""
    return datapackage.descriptor(
        name=f"tarina-{found.slug}".lower(),
        title=found.title,
        description=found.description,
        homepage=absolute(request, reverse("frontend:collection", args=[found.slug])),
        created=found.published_at.isoformat() if found.published_at else "",
        csv_path=csv_path,
    )


def media_files(found: Collection) -> Iterator[Any]:
    """The public audio, image and video files of the exported stories."""
    for publication in export_stories(found).iterator(chunk_size=CHUNK):
        yield from publication.media_files()


def build_zip(found: Collection, request: Request | None) -> Any:
    """stories.csv, its datapackage.json, stories.json and media/<file name> in a
    temporary file, rewound."""
    archive = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        with zipped.open("stories.csv", "w") as out:
            for line in csv_lines(rows(found, request)):
                out.write(line.encode())
        descriptor = package_descriptor(found, request, csv_path="stories.csv")
        zipped.writestr("datapackage.json", json.dumps(descriptor, ensure_ascii=False, indent=1))
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


def _schema(media_type: str, what: str, parameters: tuple[OpenApiParameter, ...] = ()) -> Any:
    return extend_schema(
        operation_id=f"public_collection_export_{media_type.split('/')[-1]}",
        summary=f"Research export of a published collection as {what}",
        parameters=[
            OpenApiParameter("slug", OpenApiTypes.STR, OpenApiParameter.PATH),
            *parameters,
        ],
        responses={
            # JSON is a document clients parse; CSV and ZIP are files to save.
            (200, media_type): (
                OpenApiTypes.OBJECT if media_type == "application/json" else OpenApiTypes.BINARY
            ),
            404: OpenApiResponse(description="No published collection has this slug."),
        },
    )


BOM_PARAMETER = OpenApiParameter(
    "bom",
    {"type": "string", "enum": ["0", "1"]},
    description="1: start with a UTF-8 byte order mark, for spreadsheet programs.",
)


def wants_bom(request: Request) -> bool:
    """``?bom=1`` (0 or absent: none); anything else is a 400 naming the parameter."""
    value = request.query_params.get("bom", "0")
    if value not in ("0", "1"):
        raise ValidationError({"bom": ["Send 1 for a byte order mark, or 0."]})
    return value == "1"


class CsvExportView(ExportView):
    """Stories allowed for research, one row each (UTF-8 CSV, formula-safe); described by
    ``datapackage.json`` beside it."""

    @_schema("text/csv", "CSV", parameters=(BOM_PARAMETER,))
    def get(self, request: Request, slug: str) -> StreamingHttpResponse:
        found = self.collection(slug)
        response = StreamingHttpResponse(
            csv_lines(rows(found, request), bom=wants_bom(request)),
            content_type="text/csv; charset=utf-8",
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


class DataPackageView(ExportView):
    """The CSV export as a Frictionless Tabular Data Package: its columns' types and
    meanings, so that standard tools read it as it is."""

    @extend_schema(
        operation_id="public_collection_datapackage",
        summary="Frictionless data package describing the CSV export",
        parameters=[OpenApiParameter("slug", OpenApiTypes.STR, OpenApiParameter.PATH)],
        responses={
            (200, "application/json"): OpenApiTypes.OBJECT,
            404: OpenApiResponse(description="No published collection has this slug."),
        },
    )
    def get(self, request: Request, slug: str) -> Response:
        found = self.collection(slug)
        csv_url = absolute(request, reverse("public-collection-export-csv", args=[found.slug]))
        return Response(package_descriptor(found, request, csv_path=csv_url))


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
