"""What schemathesis found where the server and its schema disagreed, pinned one by one.

``tests/reliability/test_api_schemathesis.py`` finds such things; these keep them found
on every run (SQLite and PostgreSQL) without the fuzzer.
"""

from __future__ import annotations

import pytest

from stories.enums import Role, StoryStatus
from tests.factories import StoryFactory, UserFactory


@pytest.fixture
def editor(db):
    return UserFactory(username="editor", role=Role.CURATOR)


@pytest.mark.parametrize("query", ["limit=1591176424502233399296", "offset=99999999999999999999"])
def test_a_huge_limit_or_offset_is_a_400_not_a_500(client_for, editor, query):
    response = client_for(editor).get(f"/api/v1/drives/?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


@pytest.mark.parametrize("query", ["theme=", "drive=", "since=", "lang=", "page_size=0"])
def test_feed_filters_that_the_schema_refuses_are_refused(client_for, db, query):
    response = client_for().get(f"/api/v1/feed/?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


@pytest.mark.parametrize("query", ["status=", "kind="])
def test_a_blank_choice_filter_is_refused(client_for, editor, query):
    assert client_for(editor).get(f"/api/v1/stories/?{query}").status_code == 400


def test_themes_sent_as_an_object_are_refused(client_for, editor):
    response = client_for(editor).post(
        "/api/v1/collections/", {"title": "Kirjasto", "themes": {}}, format="json"
    )
    assert response.status_code == 400
    assert "themes" in response.json()


def test_text_must_be_a_string_and_its_length_counts_as_sent(client_for, editor):
    client = client_for(editor)
    number = client.patch("/api/v1/themes/power/", {"labels": {"en": "P"}, "note": 0}, "json")
    assert number.status_code == 400
    assert "note" in number.json()
    # 201 characters, one of them a control character the server drops: still too long.
    title = "\x8a" + "*" * 200
    response = client.post("/api/v1/collections/", {"title": title}, format="json")
    assert response.status_code == 400
    assert "title" in response.json()


def test_text_patterns_in_the_schema_say_what_the_server_refuses(client_for, db):
    schema = client_for().get("/api/schema/", HTTP_ACCEPT="application/json").json()
    components = schema["components"]["schemas"]
    reason = components["RejectionRequest"]["properties"]["reason"]
    assert reason["pattern"] == "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"
    assert components["SeenRequest"]["properties"]["fingerprint"]["pattern"] == "^[0-9a-f]{64}$"
    assert components["PatchedThemeEditRequest"]["additionalProperties"] is False
    assert components["PatchedRedactionDecisionRequest"]["required"] == ["redact"]


def test_a_reason_of_control_characters_only_is_blank_not_a_500(client_for, editor, drive):
    story = StoryFactory(drive=drive, status=StoryStatus.NEEDS_REVIEW)
    response = client_for(editor).post(
        f"/api/v1/stories/{story.pk}/reject/", {"reason": "\x01\x02"}, format="json"
    )
    assert response.status_code == 400
    assert "reason" in response.json()
