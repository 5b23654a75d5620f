"""The research export described as a Frictionless Tabular Data Package.

``datapackage.json`` (beside ``export.csv``, and inside ``export.zip``) says what the CSV
holds: each column's type, format and meaning, the primary key, and that an empty cell is
a missing value. Standard tools (frictionless, R's frictionless, pandas through
frictionless, Open Refine, CKAN) then read the export with no code written for Tarina.
Spec: https://specs.frictionlessdata.io/tabular-data-package/ (v1).
"""

from __future__ import annotations

from typing import Any

from stories.enums import StoryKind

PROFILE = "tabular-data-package"
RESOURCE_NAME = "stories"
# The CSV as ``exports.csv_lines`` writes it (the ``csv`` module's defaults).
DIALECT = {"delimiter": ",", "doubleQuote": True, "lineTerminator": "\r\n", "header": True}

FIELDS: list[dict[str, Any]] = [
    {
        "name": "id",
        "type": "string",
        "description": "Public story id (as in the API and the story page).",
    },
    {"name": "published_at", "type": "datetime", "description": "When it was published."},
    {"name": "drive", "type": "string", "description": "Slug of the story drive."},
    {"name": "language", "type": "string", "description": "ISO 639-1 code."},
    {
        "name": "kind",
        "type": "string",
        "constraints": {"enum": [kind.value for kind in StoryKind]},
    },
    {"name": "title", "type": "string", "description": "Anonymised public title."},
    {
        "name": "text",
        "type": "string",
        "description": "Anonymised public text. A cell that starts with = + - @ or a tab "
        "has a ' in front, so that spreadsheets never run it as a formula.",
    },
    {"name": "themes", "type": "string", "description": "Theme slugs, separated by ';'."},
    {"name": "place", "type": "string", "description": "Municipality at most."},
    {"name": "duration", "type": "number", "description": "Seconds of public audio."},
    {"name": "audio_url", "type": "string", "format": "uri"},
    {"name": "image_url", "type": "string", "format": "uri"},
    {"name": "video_url", "type": "string", "format": "uri"},
    {
        "name": "captions_url",
        "type": "string",
        "format": "uri",
        "description": "WebVTT captions of the published transcript, in the story's language.",
    },
    {
        "name": "machine_translation_language",
        "type": "string",
        "description": "ISO 639-1 code of the machine translation, empty when none.",
    },
    {
        "name": "machine_translation_captions_url",
        "type": "string",
        "format": "uri",
        "description": "WebVTT captions of the machine translation (made by a machine, "
        "not checked word by word by a person).",
    },
    {
        "name": "clip_page_urls",
        "type": "string",
        "description": "Public pages of the story's clips, separated by ';'.",
    },
    {
        "name": "clip_audio_urls",
        "type": "string",
        "description": "Audio (WAV) of the same clips, in the same order, separated by ';'.",
    },
    {
        "name": "clip_oembed_urls",
        "type": "string",
        "description": "oEmbed (JSON) answers of the same clips, in the same order, "
        "separated by ';'; the embeddable player's HTML is in each.",
    },
]
COLUMNS = [field["name"] for field in FIELDS]
# Columns that hold a list: separated by ";" in CSV, a JSON list in JSON.
LIST_COLUMNS = ("themes", "clip_page_urls", "clip_audio_urls", "clip_oembed_urls")


def table_schema() -> dict[str, Any]:
    """The CSV's Table Schema: typed columns, ``id`` the key, empty cells missing."""
    return {
        "fields": [*FIELDS],
        "primaryKey": ["id"],
        "missingValues": [""],
    }


def descriptor(
    *, name: str, title: str, description: str, homepage: str, created: str, csv_path: str
) -> dict[str, Any]:
    """The package: one tabular resource, the CSV at ``csv_path`` (a URL, or a path
    relative to the descriptor as in the ZIP)."""
    package: dict[str, Any] = {
        "profile": PROFILE,
        "name": name,
        "title": title,
        "homepage": homepage,
        "created": created,
        "resources": [
            {
                "name": RESOURCE_NAME,
                "profile": "tabular-data-resource",
                "path": csv_path,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": DIALECT,
                "schema": table_schema(),
            }
        ],
    }
    if description:
        package["description"] = description
    return package
