"""Hostile input that once reached a 500: deeply nested JSON and non-ASCII digits."""

from __future__ import annotations

import json

import pytest

from stories.api.parsers import MAX_JSON_DEPTH, nesting_depth
from stories.models import Story, Upload

TUS = {"HTTP_TUS_RESUMABLE": "1.0.0"}
DEEP = "[" * 1000 + "]" * 1000  # 2 kB: RecursionError in the decoder


def test_nesting_depth_counts_without_recursion_and_ignores_strings():
    assert nesting_depth('{"a": [1, {"b": "[[[["}]}') == 3
    assert nesting_depth('"\\"[[["') == 0
    assert nesting_depth("[" * 100_000) == 100_000


@pytest.mark.parametrize("url", ["/api/v1/stories/", "/api/v1/withdrawals/"])
@pytest.mark.parametrize(
    "body",
    [DEEP, '{"drive": "kirjasto", "consent": ' + DEEP + "}", '{"receipt": ' + DEEP + "}"],
    ids=["array", "in-consent", "in-receipt"],
)
def test_deeply_nested_json_bodies_are_a_400_in_json(client_for, drive, url, body):
    response = client_for().generic("POST", url, body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/json")
    assert "nested" in response.json()["detail"]
    assert not Story.objects.exists()


def test_nesting_up_to_the_limit_is_still_parsed(client_for, drive):
    body = {
        "receipt": "x",
        "pad": json.loads("[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1)),
    }
    response = client_for().post("/api/v1/withdrawals/", body, format="json")
    assert response.status_code == 400
    assert "receipt" in response.json()  # reached the serializer: parsed


def test_deeply_nested_consent_in_a_multipart_field_is_a_400(client_for, drive):
    response = client_for().post(
        "/api/v1/stories/",
        {"drive": drive.slug, "kind": "text", "text": "The bus never came.", "consent": DEEP},
        format="multipart",
    )
    assert response.status_code == 400, response.content
    assert "consent" in response.json()
    assert not Story.objects.exists()


@pytest.mark.parametrize("length", ["²", "\u0661\u0662", "1²", "\U0001d7d7", " 5"])
def test_tus_upload_length_takes_ascii_digits_only(client_for, reporter, length):
    response = client_for(reporter).post("/api/v1/uploads/", HTTP_UPLOAD_LENGTH=length, **TUS)
    assert response.status_code == 400, response.content
    assert not Upload.objects.exists()


@pytest.mark.parametrize("offset", ["¹", "\u0660", "0¹"])
def test_tus_upload_offset_takes_ascii_digits_only(client_for, reporter, offset):
    client = client_for(reporter)
    created = client.post("/api/v1/uploads/", HTTP_UPLOAD_LENGTH="3", **TUS)
    assert created.status_code == 201
    url = created["Location"].removeprefix("http://testserver")
    response = client.generic(
        "PATCH",
        url,
        b"abc",
        content_type="application/offset+octet-stream",
        HTTP_UPLOAD_OFFSET=offset,
        **TUS,
    )
    assert response.status_code == 400, response.content
    assert Upload.objects.get().offset == 0
