"""Publishing: the anonymised public copy, only as far as consent allows, and taking it down."""

from __future__ import annotations

import pytest

from stories.domain import consent, publication, redactions, themes
from stories.enums import AuditAction, StoryStatus, ThemeAction
from stories.models import AuditEvent, PublishedStory
from tests.factories import StoryFactory

TOLD = "Anna Korhonen at the counter (anna.korhonen@example.fi) listened to me for once."


@pytest.fixture
def approved(drive):
    story = StoryFactory(
        drive=drive,
        status=StoryStatus.APPROVED,
        title="At the counter",
        text=TOLD,
        consent={"store": True, "publish_text": True, "research": True},
    )
    redactions.detect(story)
    return story


def test_publishing_makes_an_anonymised_copy_and_marks_the_story_published(approved, curator):
    themes.decide(approved, "empathy", ThemeAction.ADD, actor=curator)
    copy = publication.publish(approved, actor=curator)
    assert copy.text == "[Person 1] at the counter ([Email]) listened to me for once."
    assert [t.slug for t in copy.themes.all()] == ["empathy"]
    assert copy.research_allowed
    approved.refresh_from_db()
    assert approved.status == StoryStatus.PUBLISHED
    assert AuditEvent.objects.filter(action=AuditAction.STORY_PUBLISHED).count() == 1


def test_a_lifted_redaction_is_published_as_written(approved, curator):
    email = approved.redactions.get(type="email")
    redactions.decide(email, redact=False, actor=curator)
    copy = publication.publish(approved)
    assert "anna.korhonen@example.fi" in copy.text
    assert "Korhonen at" not in copy.text


def test_publishing_again_rebuilds_only_when_something_changed(approved, curator):
    first = publication.publish(approved)
    assert publication.publish(approved).fingerprint == first.fingerprint
    redactions.decide(approved.redactions.get(type="email"), redact=False, actor=curator)
    assert publication.publish(approved).fingerprint != first.fingerprint
    assert PublishedStory.objects.count() == 1


def test_suggested_themes_are_not_published_until_a_curator_confirms_them(approved):
    themes.suggest(approved)
    copy = publication.publish(approved)
    assert list(copy.themes.all()) == []


@pytest.mark.parametrize(
    ("status", "scopes"),
    [
        (StoryStatus.NEEDS_REVIEW, {"store": True, "publish_text": True}),
        (StoryStatus.REJECTED, {"store": True, "publish_text": True}),
        (StoryStatus.APPROVED, {"store": True, "research": True}),
    ],
)
def test_nothing_is_published_without_approval_and_consent(drive, status, scopes):
    story = StoryFactory(drive=drive, status=status, consent=scopes)
    with pytest.raises(publication.NotPublishable):
        publication.publish(story)
    assert not PublishedStory.objects.exists()


def test_the_publish_endpoint_explains_why_a_story_cannot_be_published(client_for, curator, drive):
    story = StoryFactory(drive=drive, status=StoryStatus.APPROVED, consent={"store": True})
    response = client_for(curator).post(f"/api/v1/stories/{story.pk}/publish/")
    assert response.status_code == 409
    assert "consent" in response.json()["detail"]


def test_the_publish_endpoint_queues_the_build(
    client_for, curator, approved, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client_for(curator).post(f"/api/v1/stories/{approved.pk}/publish/")
    assert response.status_code == 202
    assert len(queued) == 1


def test_without_consent_to_publish_text_only_media_could_be_published(drive):
    story = StoryFactory(
        drive=drive, status=StoryStatus.APPROVED, consent={"store": True, "publish_audio": True}
    )
    copy = publication.publish(story)
    assert (copy.title, copy.text) == ("", "")


def test_withdrawal_takes_the_story_down_everywhere_and_erases_what_quotes_it(approved, reporter):
    publication.publish(approved)
    consent.withdraw(approved, actor_label="receipt holder")
    assert not PublishedStory.objects.exists()
    assert not approved.redactions.exists()
    assert approved.consent_records.get().withdrawn_at is not None


def test_narrowing_consent_to_research_only_takes_the_copy_down_and_keeps_the_story(
    approved, django_capture_on_commit_callbacks
):
    publication.publish(approved)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        consent.narrow(approved, {"store": True, "research": True})
    assert not PublishedStory.objects.exists()
    assert queued == []  # nothing left that may be published
    approved.refresh_from_db()
    assert approved.status == StoryStatus.APPROVED
    assert consent.current(approved).scopes == ["store", "research"]


def test_narrowing_can_not_widen_consent(approved):
    consent.narrow(approved, {"store": True, "publish_text": True, "publish_audio": True})
    assert consent.current(approved).scopes == ["store", "publish_text"]


def test_narrowing_keeps_a_rebuilt_copy_when_something_may_still_be_published(
    approved, django_capture_on_commit_callbacks
):
    publication.publish(approved)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        consent.narrow(approved, {"store": True, "publish_text": True})
    assert len(queued) == 1  # the rebuild, in a worker
    copy = publication.publish(approved)
    assert not copy.research_allowed


def test_a_reporter_narrows_consent_by_receipt(client_for, drive):
    from tests.factories import story_with_receipt

    _story, receipt = story_with_receipt(
        drive=drive, consent={"store": True, "publish_text": True, "research": True}
    )
    response = client_for().post(
        "/api/v1/consent/", {"receipt": receipt, "keep": ["store", "publish_text"]}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["scopes"] == ["store", "publish_text"]


def test_giving_up_consent_to_store_withdraws_the_story(client_for, drive):
    from tests.factories import story_with_receipt

    _story, receipt = story_with_receipt(drive=drive)
    response = client_for().post(
        "/api/v1/consent/", {"receipt": receipt, "keep": []}, format="json"
    )
    assert response.json() == {"scopes": [], "status": "withdrawn"}
