"""Answers that say the real reason, and two answers about one story that agree."""

from __future__ import annotations

import base64

import pytest

from stories.enums import StoryStatus
from tests.factories import story_with_receipt

TUS = {"HTTP_TUS_RESUMABLE": "1.0.0"}


def create(client, drive, **headers):
    metadata = "drive " + base64.b64encode(drive.slug.encode()).decode()
    return client.post(
        "/api/v1/uploads/",
        **{**TUS, "HTTP_UPLOAD_LENGTH": "4", "HTTP_UPLOAD_METADATA": metadata, **headers},
    )


def test_metadata_that_is_base64_but_not_utf8_is_named_as_such(client_for, drive):
    latin1 = base64.b64encode("Äänitys.mp3".encode("latin-1")).decode()
    slug = base64.b64encode(drive.slug.encode()).decode()
    response = client_for().post(
        "/api/v1/uploads/",
        **TUS,
        HTTP_UPLOAD_LENGTH="4",
        HTTP_UPLOAD_METADATA=f"drive {slug},filename {latin1}",
    )
    assert response.status_code == 400
    assert "not UTF-8" in response.json()["detail"]
    assert "filename" in response.json()["detail"]


def test_metadata_that_is_not_base64_is_named_as_such(client_for, drive):
    response = client_for().post(
        "/api/v1/uploads/", **TUS, HTTP_UPLOAD_LENGTH="4", HTTP_UPLOAD_METADATA="drive %%%"
    )
    assert response.status_code == 400
    assert "not valid base64" in response.json()["detail"]


@pytest.mark.parametrize("concat", ["partial", "final;/api/v1/uploads/a/ /api/v1/uploads/b/"])
def test_concatenation_is_refused_as_unsupported(client_for, drive, concat):
    response = create(client_for(), drive, HTTP_UPLOAD_CONCAT=concat)
    assert response.status_code == 400
    assert "Concatenation (Upload-Concat) is not supported" in response.json()["detail"]
    assert response["Tus-Resumable"] == "1.0.0"


def test_the_withdrawal_answers_what_the_receipt_look_up_then_says(client_for, drive):
    _, receipt = story_with_receipt(
        drive=drive, status=StoryStatus.PROCESSING, processing_percent=60
    )
    client = client_for()
    withdrawn = client.post("/api/v1/withdrawals/", {"receipt": receipt}, format="json")
    assert withdrawn.status_code == 200
    looked_up = client.get(f"/api/v1/receipts/{receipt}/")
    assert withdrawn.json() == looked_up.json()
    assert withdrawn.json()["status"] == StoryStatus.WITHDRAWN
