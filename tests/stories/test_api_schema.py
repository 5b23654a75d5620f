"""The OpenAPI schema and the browsable docs work without internet access."""

from __future__ import annotations

import re

import pytest

from tests.factories import StoryFactory


def test_schema_lists_the_story_routes(client_for, db):
    response = client_for().get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for route in [
        "/api/v1/stories/",
        "/api/v1/stories/{id}/",
        "/api/v1/receipts/{receipt}/",
        "/api/v1/withdrawals/",
        "/api/v1/drives/{slug}/",
        "/api/v1/health/",
    ]:
        assert route in paths


def test_docs_page_loads_its_assets_from_this_server(client_for, db):
    html = client_for().get("/api/docs/").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources
    assert all(not s.startswith(("http://", "https://", "//")) for s in sources), sources


def _schema(client_for) -> dict:
    return client_for().get("/api/schema/", HTTP_ACCEPT="application/json").json()


def test_each_request_body_is_documented_under_one_media_type(client_for, db):
    """One schema under JSON, multipart and form encodings broke generated clients."""
    for path, operations in _schema(client_for)["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if content:
                expected = ["application/offset+octet-stream"] if "uploads" in path else None
                assert list(content) == (expected or ["application/json"]), (method, path)


def test_tus_operations_are_in_the_schema(client_for, db):
    paths = _schema(client_for)["paths"]
    assert "post" in paths["/api/v1/uploads/"]
    detail = paths["/api/v1/uploads/{upload_id}/"]
    assert {"head", "patch", "delete"} <= set(detail)
    headers = {p["name"] for p in detail["patch"]["parameters"] if p["in"] == "header"}
    assert {"Tus-Resumable", "Upload-Offset", "Upload-Checksum", "Upload-Token"} <= headers


def test_a_story_told_without_an_account_has_a_null_reporter(client_for, curator, drive):
    story = StoryFactory(drive=drive, reporter=None)
    body = client_for(curator).get(f"/api/v1/stories/{story.pk}/").json()
    assert body["reporter"] is None
    reporter = _schema(client_for)["components"]["schemas"]["CuratorStory"]["properties"]
    assert reporter["reporter"]["nullable"] is True


@pytest.mark.parametrize("query", ["limit=", "limit=null", "offset=null", "offset=", "limit=0"])
def test_limit_and_offset_that_the_schema_refuses_are_refused(client_for, curator, query):
    response = client_for(curator).get(f"/api/v1/stories/?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


def test_limit_and_offset_say_their_minimum_in_the_schema(client_for, curator):
    parameters = _schema(client_for)["paths"]["/api/v1/stories/"]["get"]["parameters"]
    minimum = {p["name"]: p["schema"].get("minimum") for p in parameters}
    assert minimum["limit"] == 1
    assert minimum["offset"] == 0
    assert client_for(curator).get("/api/v1/stories/?limit=1&offset=0").status_code == 200


def test_the_public_story_documents_its_timed_transcript_captions_and_translation(client_for, db):
    components = _schema(client_for)["components"]["schemas"]
    story = components["PublicStory"]["properties"]
    assert "hidden" in story["segments"]["description"]
    segment = components["PublicSegment"]["properties"]
    word = components["PublicWord"]["properties"]
    assert {"start", "end", "text", "speaker", "words"} <= set(segment)
    assert set(word) == {"start", "end", "word", "hidden"}
    assert story["captions"]["items"]["$ref"].endswith("/CaptionTrack")
    assert "machine translation" in story["captions"]["description"]
    track = components["CaptionTrack"]["properties"]
    assert track["url"]["format"] == "uri"
    assert track["machine_translation"]["type"] == "boolean"
    translated = components["PublicTranslation"]
    assert story["translation"]["nullable"] is True
    assert "machine translation" in story["translation"]["description"]
    assert translated["properties"]["segments"]["items"]["$ref"].endswith(
        "/PublicTranslationSegment"
    )
