"""Collections: curators gather approved stories and publish them together."""

from __future__ import annotations

from stories.enums import StoryStatus
from stories.models import Collection
from tests.factories import CollectionFactory, StoryFactory


def test_a_curator_creates_a_collection_with_themes(client_for, curator):
    response = client_for(curator).post(
        "/api/v1/collections/",
        {"title": "Being heard at the youth centre", "themes": ["empathy", "power"]},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["slug"] == "being-heard-at-the-youth-centre"
    assert sorted(body["themes"]) == ["empathy", "power"]
    assert body["published_at"] is None


def test_titles_that_slugify_alike_get_distinct_slugs(client_for, curator):
    client = client_for(curator)
    slugs = [
        client.post("/api/v1/collections/", {"title": "Kirjasto"}).json()["slug"] for _ in "ab"
    ]
    assert slugs == ["kirjasto", "kirjasto-2"]


def test_an_unknown_theme_is_a_clear_error(client_for, curator):
    response = client_for(curator).post(
        "/api/v1/collections/", {"title": "X", "themes": ["weather"]}, format="json"
    )
    assert response.status_code == 400
    assert "themes" in response.json()


def test_only_approved_stories_join_a_collection(client_for, curator, drive):
    collection = CollectionFactory()
    approved = StoryFactory(drive=drive, status=StoryStatus.APPROVED)
    waiting = StoryFactory(drive=drive, status=StoryStatus.NEEDS_REVIEW)
    client = client_for(curator)
    url = f"/api/v1/collections/{collection.pk}/stories/"
    assert client.post(url, {"story": approved.pk}).json()["stories"] == [approved.pk]
    refused = client.post(url, {"story": waiting.pk})
    assert refused.status_code == 409
    assert "approved" in refused.json()["detail"]
    assert client.post(url, {"story": 999_999}).status_code == 404


def test_a_story_is_taken_out_of_a_collection(client_for, curator, drive):
    collection = CollectionFactory()
    story = StoryFactory(drive=drive, status=StoryStatus.APPROVED)
    client = client_for(curator)
    client.post(f"/api/v1/collections/{collection.pk}/stories/", {"story": story.pk})
    url = f"/api/v1/collections/{collection.pk}/stories/{story.pk}/"
    assert client.delete(url).status_code == 204
    assert client.delete(url).status_code == 404


def test_publishing_queues_what_consent_allows_and_says_what_it_left_out(
    client_for, curator, drive, django_capture_on_commit_callbacks
):
    collection = CollectionFactory()
    allowed = StoryFactory(drive=drive, status=StoryStatus.APPROVED)
    private = StoryFactory(drive=drive, status=StoryStatus.APPROVED, consent={"store": True})
    client = client_for(curator)
    for story in (allowed, private):
        client.post(f"/api/v1/collections/{collection.pk}/stories/", {"story": story.pk})
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(f"/api/v1/collections/{collection.pk}/publish/")
    assert response.status_code == 202
    body = response.json()
    assert body["queued"] == [allowed.pk]
    assert "consent" in body["skipped"][str(private.pk)]
    assert len(queued) == 1
    assert Collection.objects.get().published_at is not None


def test_only_curators_manage_collections(client_for, reporter, service):
    for user in (None, reporter, service):
        assert client_for(user).post("/api/v1/collections/", {"title": "X"}).status_code in (
            401,
            403,
        )
