"""Curators' review: the queue, transcript corrections, personal data, approval and rejection."""

from __future__ import annotations

import pytest

from stories.domain import redactions
from stories.enums import AuditAction, RedactionSource, StoryKind, StoryStatus
from stories.models import AuditEvent, Redaction
from tests.factories import DriveFactory, StoryFactory, story_with_receipt, transcript_for

TOLD_IN_FINNISH = (
    "Soitin sosiaalitoimistoon ja Maija Virtanen vastasi. Hänen numeronsa on 040 123 4567. "
    "Maija kuunteli minua pitkään."
)


@pytest.fixture
def waiting(drive):
    """Three stories in review, submitted in this order, in two drives and languages."""
    other = DriveFactory(slug="nuoret")
    return [
        StoryFactory(drive=drive, status=StoryStatus.NEEDS_REVIEW, language="fi"),
        StoryFactory(drive=other, status=StoryStatus.NEEDS_REVIEW, language="sv"),
        StoryFactory(drive=drive, status=StoryStatus.NEEDS_REVIEW, language="en"),
    ]


def test_the_queue_lists_stories_waiting_for_review_oldest_first(client_for, curator, waiting):
    StoryFactory(status=StoryStatus.PROCESSING)
    body = client_for(curator).get("/api/v1/review/").json()
    assert [s["id"] for s in body["results"]] == [s.pk for s in waiting]


@pytest.mark.parametrize(
    ("query", "expected"), [("drive=nuoret", [1]), ("language=en", [2]), ("drive=none", [])]
)
def test_the_queue_filters_by_drive_and_language(client_for, curator, waiting, query, expected):
    body = client_for(curator).get(f"/api/v1/review/?{query}").json()
    assert [s["id"] for s in body["results"]] == [waiting[i].pk for i in expected]


def test_the_queue_filters_by_theme(client_for, curator, waiting):
    from stories.domain import themes
    from stories.enums import ThemeAction

    themes.decide(waiting[1], "empathy", ThemeAction.ADD, actor=curator)
    body = client_for(curator).get("/api/v1/review/?theme=empathy").json()
    assert [s["id"] for s in body["results"]] == [waiting[1].pk]


def test_only_curators_see_the_queue(client_for, reporter, service, waiting):
    assert client_for().get("/api/v1/review/").status_code == 401
    assert client_for(reporter).get("/api/v1/review/").status_code == 403
    assert client_for(service).get("/api/v1/review/").status_code == 403


def test_the_queue_costs_the_same_queries_for_5_or_25_stories(
    client_for, curator, drive, django_assert_max_num_queries
):
    for _ in range(25):
        story = StoryFactory(drive=drive, status=StoryStatus.NEEDS_REVIEW, kind=StoryKind.AUDIO)
        transcript_for(story, "Hello there.")
    client = client_for(curator)
    with django_assert_max_num_queries(12) as few:
        client.get("/api/v1/review/?limit=5")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/api/v1/review/?limit=25")


def test_a_reviewed_story_shows_its_transcript_and_the_personal_data_found(
    client_for, curator, drive
):
    story = StoryFactory(drive=drive, kind=StoryKind.AUDIO, text="", language="fi")
    transcript_for(story, TOLD_IN_FINNISH)
    redactions.detect(story)
    story.status = StoryStatus.NEEDS_REVIEW
    story.save()
    item = client_for(curator).get("/api/v1/review/").json()["results"][0]
    assert item["transcripts"][0]["text"] == TOLD_IN_FINNISH
    assert item["transcripts"][0]["segments"][0]["words"]
    found = {(r["type"], r["text"]) for r in item["redactions"]}
    assert ("person", "Maija Virtanen") in found
    assert ("phone", "040 123 4567") in found
    assert all(r["redact"] for r in item["redactions"])


def test_a_transcript_correction_is_a_new_revision_and_the_machine_text_stays(
    client_for, curator, drive
):
    story = StoryFactory(drive=drive, kind=StoryKind.AUDIO, status=StoryStatus.NEEDS_REVIEW)
    transcript_for(story, "The buss came late.")
    client = client_for(curator)
    for text in ("The bus came late.", "The bus came late again."):
        response = client.put(f"/api/v1/stories/{story.pk}/transcript/", {"text": text})
        assert response.status_code == 200
    body = response.json()
    assert body["machine_text"] == "The buss came late."
    assert body["text"] == "The bus came late again."
    assert [r["number"] for r in body["revisions"]] == [1, 2]
    assert AuditEvent.objects.filter(action=AuditAction.TRANSCRIPT_EDITED).count() == 2


def test_personal_data_is_looked_for_again_after_a_correction(client_for, curator, drive):
    story = StoryFactory(drive=drive, kind=StoryKind.AUDIO, language="en", text="")
    transcript_for(story, "I spoke to someone at the desk.")
    redactions.detect(story)
    client_for(curator).put(
        f"/api/v1/stories/{story.pk}/transcript/",
        {"text": "I spoke to Jonathan Miller at the desk."},
    )
    assert story.redactions.filter(field="transcript", text="Jonathan Miller").exists()


def test_a_curator_lifts_a_redaction_and_the_decision_survives_redetection(
    client_for, curator, drive
):
    story = StoryFactory(drive=drive, language="fi", text=TOLD_IN_FINNISH)
    redactions.detect(story)
    person = story.redactions.get(type="person", text="Maija Virtanen")
    response = client_for(curator).patch(
        f"/api/v1/stories/{story.pk}/redactions/{person.pk}/", {"redact": False}
    )
    assert response.status_code == 200
    assert response.json()["redact"] is False
    redactions.detect(story)
    assert not story.redactions.get(text="Maija Virtanen").redact


def test_a_curator_adds_a_redaction_the_detector_missed(client_for, curator, drive):
    story = StoryFactory(drive=drive, text="We met at the blue kiosk by the harbour.")
    start = story.text.index("the blue kiosk")
    response = client_for(curator).post(
        f"/api/v1/stories/{story.pk}/redactions/",
        {"field": "text", "start": start, "end": start + 14, "type": "address"},
    )
    assert response.status_code == 201
    assert response.json()["text"] == "the blue kiosk"
    preview = client_for(curator).get(f"/api/v1/stories/{story.pk}/preview/").json()
    assert preview["text"] == "We met at [Place] by the harbour."
    redactions.detect(story)
    kept = story.redactions.get(source=RedactionSource.CURATOR)
    assert (kept.start, kept.text) == (start, "the blue kiosk")


@pytest.mark.parametrize(
    "payload",
    [
        {"field": "text", "start": 5, "end": 500, "type": "person"},
        {"field": "text", "start": 0, "end": 3, "type": "favourite colour"},
        {"field": "notes", "start": 0, "end": 3, "type": "person"},
        {"field": "text", "start": 9, "end": 3, "type": "person"},
    ],
)
def test_a_bad_redaction_is_refused_clearly(client_for, curator, drive, payload):
    story = StoryFactory(drive=drive)
    response = client_for(curator).post(f"/api/v1/stories/{story.pk}/redactions/", payload)
    assert response.status_code == 400
    assert not Redaction.objects.filter(story=story).exists()


def test_the_preview_shows_consistent_placeholders_and_nothing_hidden(client_for, curator, drive):
    story = StoryFactory(drive=drive, language="fi", text=TOLD_IN_FINNISH, title="Maija")
    redactions.detect(story)
    preview = client_for(curator).get(f"/api/v1/stories/{story.pk}/preview/").json()
    assert "Virtanen" not in preview["text"]
    assert "040" not in preview["text"]
    assert preview["text"].startswith("Soitin sosiaalitoimistoon ja [Person 1] vastasi.")
    assert "[Person 1] kuunteli" in preview["text"]
    assert preview["title"] == "[Person 1]"


def test_approving_moves_a_story_on_and_records_the_voice_choice(client_for, curator, drive):
    story = StoryFactory(drive=drive, status=StoryStatus.NEEDS_REVIEW)
    response = client_for(curator).post(
        f"/api/v1/stories/{story.pk}/approve/", {"disguise_voice": True}
    )
    assert response.status_code == 200
    story.refresh_from_db()
    assert story.status == StoryStatus.APPROVED
    assert story.disguise_voice


def test_a_rejection_reason_reaches_the_reporter_through_the_receipt(client_for, curator, drive):
    story, receipt = story_with_receipt(drive=drive, status=StoryStatus.NEEDS_REVIEW)
    reason = "The story names a child; please tell it again without the name."
    response = client_for(curator).post(f"/api/v1/stories/{story.pk}/reject/", {"reason": reason})
    assert response.status_code == 200
    status = client_for().get(f"/api/v1/receipts/{receipt}/").json()
    assert status == {"status": "rejected", "reason": reason, "processing_percent": 0}


def test_rejecting_needs_a_reason(client_for, curator, drive):
    story = StoryFactory(drive=drive, status=StoryStatus.NEEDS_REVIEW)
    response = client_for(curator).post(f"/api/v1/stories/{story.pk}/reject/", {"reason": " "})
    assert response.status_code == 400
    story.refresh_from_db()
    assert story.status == StoryStatus.NEEDS_REVIEW


def test_approving_a_story_not_in_review_is_a_conflict(client_for, curator, drive):
    story = StoryFactory(drive=drive, status=StoryStatus.PROCESSING)
    response = client_for(curator).post(f"/api/v1/stories/{story.pk}/approve/")
    assert response.status_code == 409


def test_reporters_cannot_approve_their_own_story(client_for, reporter, drive):
    story = StoryFactory(drive=drive, status=StoryStatus.NEEDS_REVIEW, reporter=reporter)
    assert client_for(reporter).post(f"/api/v1/stories/{story.pk}/approve/").status_code == 403
