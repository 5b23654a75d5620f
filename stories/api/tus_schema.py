"""The tus 1.0.0 upload endpoints in the OpenAPI schema, written out by hand.

drf-spectacular infers operations from serializers and never lists ``HEAD``; tus is
headers and raw bytes, so its operations are described here, as OpenAPI, and added to
the generated schema by ``add_tus_operations`` (a postprocessing hook in
``SPECTACULAR_SETTINGS``). ``tests/stories/test_api_schema.py`` checks they stay listed,
and the API fuzzing sends requests built from them.
"""

from __future__ import annotations

from typing import Any

from stories.domain.uploads import CHECKSUM_ALGORITHMS, TUS_VERSION

COLLECTION_PATH = "/api/v1/uploads/"
DETAIL_PATH = "/api/v1/uploads/{upload_id}/"
CHUNK_TYPE = "application/offset+octet-stream"
SECURITY: list[dict[str, list[str]]] = [{"tokenAuth": []}, {"cookieAuth": []}, {}]

_DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
_BYTES = {"type": "string", "pattern": "^[0-9]+$"}


def _header(name: str, description: str, schema: dict[str, Any], required: bool = False) -> Any:
    return {
        "in": "header",
        "name": name,
        "required": required,
        "description": description,
        "schema": schema,
    }


TUS_RESUMABLE = _header(
    "Tus-Resumable", "The tus version spoken.", {"type": "string", "enum": [TUS_VERSION]}, True
)
UPLOAD_TOKEN = _header(
    "Upload-Token",
    "The token the creation answered with: how an upload made without an account is reached.",
    {"type": "string"},
)
UPLOAD_ID = {
    "in": "path",
    "name": "upload_id",
    "required": True,
    "schema": {"type": "string", "format": "uuid"},
}

# Headers every tus answer carries, and those that describe an upload.
_ANSWER_HEADERS = {"Tus-Resumable": {"schema": {"type": "string", "enum": [TUS_VERSION]}}}
_UPLOAD_HEADERS = {
    **_ANSWER_HEADERS,
    "Upload-Offset": {"description": "Bytes received so far.", "schema": _BYTES},
    "Upload-Expires": {
        "description": "When an unfinished upload is deleted (HTTP date).",
        "schema": {"type": "string"},
    },
}


def _refusal(description: str, with_upload: bool = False) -> dict[str, Any]:
    return {
        "description": description,
        "headers": _UPLOAD_HEADERS if with_upload else _ANSWER_HEADERS,
        "content": {"application/json": {"schema": _DETAIL}},
    }


def _done(description: str, headers: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "headers": headers}


_COMMON_REFUSALS = {
    "404": _refusal("No such upload, or not yours (send its Upload-Token)."),
    "412": _refusal("Tus-Resumable is missing or names another version."),
}

CREATE = {
    "operationId": "uploads_create",
    "summary": "Create a resumable upload (tus creation, creation-with-upload).",
    "description": "Name the story drive in Upload-Metadata (`drive <base64 slug>`) when "
    "not signed in. The answer's Location is the upload's URL; keep its Upload-Token.",
    "tags": ["uploads"],
    "security": SECURITY,
    "parameters": [
        TUS_RESUMABLE,
        _header("Upload-Length", "The file's size in bytes.", _BYTES, True),
        _header(
            "Upload-Metadata",
            "Comma-separated `key base64(value)` pairs: `filename`, `filetype`, `drive`.",
            {"type": "string"},
        ),
    ],
    "requestBody": {
        "required": False,
        "description": "Optionally, the first chunk (creation-with-upload).",
        "content": {CHUNK_TYPE: {"schema": {"type": "string", "format": "binary"}}},
    },
    "responses": {
        "201": _done(
            "Created.",
            {
                **_UPLOAD_HEADERS,
                "Location": {"schema": {"type": "string", "format": "uri"}},
                "Upload-Token": {
                    "description": "Send it back on HEAD, PATCH and DELETE, and when "
                    "submitting the story.",
                    "schema": {"type": "string"},
                },
            },
        ),
        "400": _refusal("A tus header is missing or malformed; the detail says which."),
        "401": _refusal("The credentials are invalid."),
        "403": _refusal("This caller may not upload (to this drive)."),
        "409": _refusal("The first chunk does not start at offset 0.", True),
        "412": _COMMON_REFUSALS["412"],
        "413": _refusal("Upload-Length is over the limit (see OPTIONS: Tus-Max-Size)."),
        "415": _refusal(f"A first chunk must be sent as {CHUNK_TYPE}.", True),
        "429": _refusal("Too many uploads created; try again later."),
        "460": _refusal("The first chunk does not match its Upload-Checksum.", True),
        "507": _refusal("The server has no room for this upload now.", True),
    },
}

STATUS = {
    "operationId": "uploads_status",
    "summary": "Where an upload stands (tus HEAD): its offset, length and metadata.",
    "tags": ["uploads"],
    "security": SECURITY,
    "parameters": [UPLOAD_ID, TUS_RESUMABLE, UPLOAD_TOKEN],
    "responses": {
        "200": _done(
            "The upload.",
            {
                **_UPLOAD_HEADERS,
                "Upload-Length": {"schema": _BYTES},
                "Upload-Metadata": {"schema": {"type": "string"}},
            },
        ),
        "401": _refusal("The credentials are invalid."),
        "404": _done("No such upload, or not yours.", _ANSWER_HEADERS),
        "410": _done("The upload expired.", _ANSWER_HEADERS),
        "412": _done("Tus-Resumable is missing or names another version.", _ANSWER_HEADERS),
    },
}

APPEND = {
    "operationId": "uploads_append",
    "summary": "Send the next chunk (tus PATCH) at Upload-Offset.",
    "tags": ["uploads"],
    "security": SECURITY,
    "parameters": [
        UPLOAD_ID,
        TUS_RESUMABLE,
        UPLOAD_TOKEN,
        _header("Upload-Offset", "Where this chunk starts, in bytes.", _BYTES, True),
        _header(
            "Upload-Checksum",
            f"`<algorithm> <base64 digest>` of this chunk; {', '.join(CHECKSUM_ALGORITHMS)}.",
            {"type": "string"},
        ),
    ],
    "requestBody": {
        "required": True,
        "content": {CHUNK_TYPE: {"schema": {"type": "string", "format": "binary"}}},
    },
    "responses": {
        "204": _done("Received; Upload-Offset is the new offset.", _UPLOAD_HEADERS),
        "400": _refusal("Upload-Offset or Upload-Checksum is malformed, or the body broke off."),
        "401": _refusal("The credentials are invalid."),
        **_COMMON_REFUSALS,
        "409": _refusal("Upload-Offset is not where the upload stands.", True),
        "410": _refusal("The upload expired."),
        "411": _refusal("Send a Content-Length.", True),
        "413": _refusal("The chunk goes past Upload-Length.", True),
        "415": _refusal(f"Send chunks as {CHUNK_TYPE}.", True),
        "460": _refusal("The chunk does not match its Upload-Checksum.", True),
        "507": _refusal("The server has no room for this chunk now.", True),
    },
}

TERMINATE = {
    "operationId": "uploads_terminate",
    "summary": "Delete an upload and its bytes (tus termination).",
    "tags": ["uploads"],
    "security": SECURITY,
    "parameters": [UPLOAD_ID, TUS_RESUMABLE, UPLOAD_TOKEN],
    "responses": {
        "204": _done("Deleted.", _ANSWER_HEADERS),
        "401": _refusal("The credentials are invalid."),
        **_COMMON_REFUSALS,
    },
}


def add_tus_operations(result: dict[str, Any], **_: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: put the tus operations into ``result``."""
    paths = result.setdefault("paths", {})
    paths.setdefault(COLLECTION_PATH, {})["post"] = CREATE
    paths.setdefault(DETAIL_PATH, {}).update(head=STATUS, patch=APPEND, delete=TERMINATE)
    return result
