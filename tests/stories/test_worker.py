"""A real Celery worker process picks up what the web process enqueues."""

from __future__ import annotations

import pytest

from stories.enums import StoryStatus
from stories.models import AuditEvent, Story, StoryTheme
from tests.worker import wait_for

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_submitted_text_story_reaches_review_through_the_worker(client_for, drive, worker):
    response = client_for().post(
        "/api/v1/stories/",
        {
            "drive": drive.slug,
            "kind": "text",
            "text": "Hoitaja istui viereeni ja kuunteli rauhassa, kun kerroin pelostani. "
            "Tunsin, että minut ymmärrettiin.",
            "consent": {"store": True},
        },
        format="json",
    )
    story_id = response.json()["id"]

    story = wait_for(
        lambda: Story.objects.filter(pk=story_id, status=StoryStatus.NEEDS_REVIEW).first(),
        timeout=60,
    )

    assert story.processing_percent == 100
    moves = AuditEvent.objects.filter(action="story.transitioned", target_id=str(story_id))
    assert [(e.data["from"], e.data["to"]) for e in moves.order_by("pk")] == [
        ("submitted", "processing"),
        ("processing", "needs_review"),
    ]
    assert all(e.actor_label == "worker" for e in moves)
    suggestions = StoryTheme.objects.filter(story=story, source="machine", suggested=True)
    assert "empathy" in {tag.theme.slug for tag in suggestions}
    assert story.language == "fi"  # detected, since the reporter gave none


def test_health_is_200_when_a_worker_answers(client_for, worker, settings, curator):
    settings.TARINA_HEALTH_TIMEOUT_SECONDS = 3
    response = client_for(curator).get("/api/v1/health/")
    assert response.status_code == 200, response.json()
    assert worker.name in response.json()["checks"]["workers"]["extra"]["workers"]
