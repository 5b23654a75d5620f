"""The status lifecycle: every allowed move works, every other one is refused clearly."""

from __future__ import annotations

import itertools

import pytest

from stories.domain import lifecycle
from stories.enums import StoryStatus
from stories.models import AuditEvent, Story
from tests.factories import PublishedStoryFactory, StoryFactory

ALLOWED = {
    ("draft", "submitted"), ("draft", "withdrawn"),
    ("submitted", "processing"), ("submitted", "failed"), ("submitted", "withdrawn"),
    ("processing", "processing"), ("processing", "needs_review"), ("processing", "failed"),
    ("processing", "withdrawn"),
    ("needs_review", "approved"), ("needs_review", "rejected"), ("needs_review", "processing"),
    ("needs_review", "withdrawn"),
    ("approved", "published"), ("approved", "needs_review"), ("approved", "rejected"),
    ("approved", "withdrawn"),
    ("published", "approved"), ("published", "needs_review"), ("published", "rejected"),
    ("published", "withdrawn"),
    ("rejected", "needs_review"), ("rejected", "withdrawn"),
    ("failed", "submitted"), ("failed", "processing"), ("failed", "withdrawn"),
}  # fmt: skip
ALL_PAIRS = list(itertools.product(StoryStatus.values, repeat=2))


@pytest.mark.parametrize(("current", "target"), sorted(ALLOWED))
def test_allowed_transition_changes_status_and_is_audited(db, current, target):
    story = StoryFactory(status=current)
    if target == "published" and current != "published":
        PublishedStoryFactory(story=story)  # the gate's condition: publish builds it first
    lifecycle.transition(story, StoryStatus(target), reason="because")
    story.refresh_from_db()
    assert story.status == target
    event = AuditEvent.objects.get(action="story.transitioned", target_id=str(story.pk))
    assert event.data == {"from": current, "to": target, "reason": "because"}


@pytest.mark.parametrize(("current", "target"), sorted(set(ALL_PAIRS) - ALLOWED))
def test_forbidden_transition_is_refused_and_changes_nothing(db, current, target):
    story = StoryFactory(status=current)
    with pytest.raises(lifecycle.InvalidTransition, match="cannot become"):
        lifecycle.transition(story, StoryStatus(target))
    story.refresh_from_db()
    assert story.status == current
    assert not AuditEvent.objects.exists()


def test_withdrawn_is_final(db):
    assert lifecycle.TRANSITIONS[StoryStatus.WITHDRAWN] == frozenset()


def test_a_stale_view_of_the_story_loses_the_race(db):
    """Two actors saw the story in review; the second one's change must not apply."""
    story = StoryFactory(status=StoryStatus.NEEDS_REVIEW)
    first_view = Story.objects.get(pk=story.pk)
    second_view = Story.objects.get(pk=story.pk)
    lifecycle.transition(first_view, StoryStatus.APPROVED)
    with pytest.raises(lifecycle.InvalidTransition) as lost:
        lifecycle.transition(second_view, StoryStatus.REJECTED)
    assert lost.value.current == StoryStatus.APPROVED
    story.refresh_from_db()
    assert story.status == StoryStatus.APPROVED


def test_publishing_needs_a_public_copy_and_leaving_published_needs_it_gone(db):
    """The gate keeps the status and the public copy in step, whoever calls it."""
    approved = StoryFactory(status=StoryStatus.APPROVED)
    with pytest.raises(lifecycle.PublicCopyOutOfStep, match="publish it"):
        lifecycle.transition(approved, StoryStatus.PUBLISHED)
    still_public = PublishedStoryFactory().story
    with pytest.raises(lifecycle.PublicCopyOutOfStep, match="taken down"):
        lifecycle.transition(still_public, StoryStatus.APPROVED)
    assert Story.objects.get(pk=approved.pk).status == StoryStatus.APPROVED
    assert Story.objects.get(pk=still_public.pk).status == StoryStatus.PUBLISHED


@pytest.mark.parametrize(
    ("target", "endpoint"),
    [
        ("approved", "approve/"),
        ("published", "publish/"),
        ("rejected", "reject/"),
        ("needs_review", "reopen/"),
        ("withdrawn", "/api/v1/withdrawals/"),
    ],
)
def test_patching_the_status_is_a_400_naming_the_action(client_for, curator, target, endpoint):
    story = StoryFactory(status=StoryStatus.NEEDS_REVIEW)
    response = client_for(curator).patch(
        f"/api/v1/stories/{story.pk}/", {"status": target, "title": "New"}, format="json"
    )
    assert response.status_code == 400
    assert endpoint in response.json()["status"][0]
    story.refresh_from_db()
    assert (story.status, story.title) == (StoryStatus.NEEDS_REVIEW, "The library bus")


def test_patching_a_status_reason_or_an_unknown_status_is_refused_too(client_for, curator):
    story = StoryFactory(status=StoryStatus.NEEDS_REVIEW)
    for body in ({"status_reason": "x"}, {"status": "nonsense"}, {"status": ["approved"]}):
        response = client_for(curator).patch(f"/api/v1/stories/{story.pk}/", body, format="json")
        assert response.status_code == 400
        assert "approve/, reject/" in response.json()["status"][0]


def test_curator_sends_a_story_back_to_review(client_for, curator):
    story = StoryFactory(status=StoryStatus.REJECTED, status_reason="Off topic.")
    response = client_for(curator).post(
        f"/api/v1/stories/{story.pk}/reopen/", {"reason": "Second look."}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "needs_review"


def test_a_move_the_lifecycle_refuses_is_a_409_with_a_clear_message(client_for, curator):
    story = StoryFactory(status=StoryStatus.SUBMITTED)
    response = client_for(curator).post(f"/api/v1/stories/{story.pk}/reopen/")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "A story that is submitted cannot become needs review.",
        "status": "submitted",
        "requested": "needs_review",
    }


def test_curator_retries_a_failed_story(client_for, curator):
    story = StoryFactory(status=StoryStatus.FAILED, status_reason="Broken file.")
    response = client_for(curator).post(f"/api/v1/stories/{story.pk}/retry/")
    assert response.status_code == 200
    assert response.json()["status"] == "submitted"


def test_only_failed_stories_can_be_retried(client_for, curator):
    story = StoryFactory(status=StoryStatus.NEEDS_REVIEW)
    assert client_for(curator).post(f"/api/v1/stories/{story.pk}/retry/").status_code == 409


def test_reporters_cannot_retry(client_for, reporter):
    story = StoryFactory(status=StoryStatus.FAILED, reporter=reporter)
    assert client_for(reporter).post(f"/api/v1/stories/{story.pk}/retry/").status_code == 403
