"""The permission matrix: each role against each endpoint, for reporter A's story."""

from __future__ import annotations

import pytest

from stories.enums import StoryStatus
from tests.factories import DriveFactory, story_with_receipt

ROLES = ["anonymous", "reporter_a", "reporter_b", "curator", "service", "admin"]


@pytest.fixture
def people(reporter, other_reporter, curator, service, admin_user):
    return {
        "anonymous": None,
        "reporter_a": reporter,
        "reporter_b": other_reporter,
        "curator": curator,
        "service": service,
        "admin": admin_user,
    }


@pytest.fixture
def story_of_a(drive, reporter):
    story, _receipt = story_with_receipt(drive=drive, reporter=reporter, title="A's story")
    return story


def expect(**codes: int) -> list[tuple[str, int]]:
    return [(role, codes[role]) for role in ROLES]


@pytest.mark.parametrize(
    ("role", "status"),
    expect(anonymous=401, reporter_a=200, reporter_b=200, curator=200, service=403, admin=200),
)
def test_list_stories(client_for, people, story_of_a, role, status):
    response = client_for(people[role]).get("/api/v1/stories/")
    assert response.status_code == status
    if status == 200:
        ids = [item["id"] for item in response.json()["results"]]
        sees_it = role in {"reporter_a", "curator", "admin"}
        assert ids == ([story_of_a.pk] if sees_it else [])


@pytest.mark.parametrize(
    ("role", "status"),
    expect(anonymous=401, reporter_a=200, reporter_b=404, curator=200, service=403, admin=200),
)
def test_read_a_story(client_for, people, story_of_a, role, status):
    response = client_for(people[role]).get(f"/api/v1/stories/{story_of_a.pk}/")
    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert body["title"] == "A's story"
        # Only curators learn who the reporter is.
        assert ("reporter" in body) == (role in {"curator", "admin"})


@pytest.mark.parametrize(
    ("role", "status"),
    expect(anonymous=401, reporter_a=200, reporter_b=404, curator=200, service=403, admin=200),
)
def test_edit_a_story(client_for, people, story_of_a, role, status):
    response = client_for(people[role]).patch(
        f"/api/v1/stories/{story_of_a.pk}/", {"title": "Edited"}, format="json"
    )
    assert response.status_code == status
    story_of_a.refresh_from_db()
    assert (story_of_a.title == "Edited") == (status == 200)


@pytest.mark.parametrize(
    ("role", "status"),
    expect(anonymous=401, reporter_a=400, reporter_b=404, curator=400, service=403, admin=400),
)
def test_nobody_patches_a_story_status(client_for, people, story_of_a, role, status):
    """The status is not a field: it changes only through the actions (400 says which)."""
    before = story_of_a.status
    response = client_for(people[role]).patch(
        f"/api/v1/stories/{story_of_a.pk}/", {"status": "failed"}, format="json"
    )
    assert response.status_code == status
    story_of_a.refresh_from_db()
    assert story_of_a.status == before


def test_reporter_cannot_edit_after_approval(client_for, drive, reporter, curator):
    story, _ = story_with_receipt(drive=drive, reporter=reporter, status=StoryStatus.APPROVED)
    denied = client_for(reporter).patch(f"/api/v1/stories/{story.pk}/", {"text": "new"})
    assert denied.status_code == 409
    assert "can no longer be edited" in denied.json()["detail"]
    allowed = client_for(curator).patch(f"/api/v1/stories/{story.pk}/", {"text": "fixed typo"})
    assert allowed.status_code == 200


@pytest.mark.parametrize(
    ("role", "status"),
    expect(anonymous=201, reporter_a=201, reporter_b=201, curator=201, service=403, admin=201),
)
def test_submit_to_a_light_touch_drive(client_for, people, drive, role, status):
    response = client_for(people[role]).post(
        "/api/v1/stories/",
        {"drive": drive.slug, "kind": "text", "text": "Hi", "consent": {"store": True}},
        format="json",
    )
    assert response.status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    expect(anonymous=400, reporter_a=201, reporter_b=201, curator=201, service=403, admin=201),
)
def test_submit_to_a_members_only_drive(client_for, people, role, status):
    members_only = DriveFactory(allow_light_touch=False)
    response = client_for(people[role]).post(
        "/api/v1/stories/",
        {"drive": members_only.slug, "kind": "text", "text": "Hi", "consent": {"store": True}},
        format="json",
    )
    assert response.status_code == status


@pytest.mark.parametrize("role", ROLES)
def test_drives_are_public(client_for, people, drive, role):
    client = client_for(people[role])
    assert client.get("/api/v1/drives/").status_code == 200
    assert client.get(f"/api/v1/drives/{drive.slug}/").status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_receipts_answer_anyone_who_holds_one(client_for, people, drive, role):
    _, receipt = story_with_receipt(drive=drive)
    assert client_for(people[role]).get(f"/api/v1/receipts/{receipt}/").status_code == 200


@pytest.mark.parametrize(
    ("role", "status"),
    expect(anonymous=401, reporter_a=200, reporter_b=404, curator=200, service=404, admin=200),
)
def test_withdraw_by_story_id(client_for, people, story_of_a, role, status):
    # Curators withdrawing on the reporter's behalf say why (tested in test_lifecycle_gate).
    body = {"story": story_of_a.pk, "reason": "Asked by phone."}
    response = client_for(people[role]).post("/api/v1/withdrawals/", body, format="json")
    assert response.status_code == status
    story_of_a.refresh_from_db()
    assert (story_of_a.status == StoryStatus.WITHDRAWN) == (status == 200)


@pytest.mark.parametrize("role", ROLES)
def test_health_needs_no_account(client_for, people, role):
    assert client_for(people[role]).get("/api/v1/health/").status_code in {200, 503}
