"""Drives are public: a reporter sees the prompts and the consent text before telling a story."""

from __future__ import annotations

from stories.models import ConsentText
from tests.factories import DriveFactory


def test_drive_shows_its_newest_consent_text_in_every_language(client_for, drive):
    ConsentText.objects.create(drive=drive, version=2, language="en", text="Version two.")
    ConsentText.objects.create(drive=drive, version=2, language="sv", text="Version två.")
    body = client_for().get(f"/api/v1/drives/{drive.slug}/").json()
    assert body["consent_version"] == 2
    assert {t["language"]: t["text"] for t in body["consent_texts"]} == {
        "en": "Version two.",
        "sv": "Version två.",
    }
    assert body["allow_light_touch"] is True
    assert body["is_open"] is True


def test_unknown_drive_is_404(client_for, db):
    assert client_for().get("/api/v1/drives/nowhere/").status_code == 404


def test_listing_drives_takes_a_fixed_number_of_queries(client_for, db, django_assert_num_queries):
    for _ in range(10):
        DriveFactory()
    with django_assert_num_queries(3):  # count, drives, consent texts
        response = client_for().get("/api/v1/drives/")
    assert response.json()["count"] == 10


def test_listing_stories_takes_a_fixed_number_of_queries(
    client_for, curator, drive, django_assert_max_num_queries
):
    from tests.factories import StoryFactory

    for _ in range(20):
        StoryFactory(drive=drive)
    with django_assert_max_num_queries(8):
        response = client_for(curator).get("/api/v1/stories/")
    assert response.json()["count"] == 20
