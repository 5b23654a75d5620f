"""Receipts let a reporter without an account follow and withdraw their story."""

from __future__ import annotations

from pathlib import Path

import pytest

from stories.domain import receipts
from stories.enums import StoryStatus
from stories.models import AuditEvent, ConsentRecord, MediaAsset
from tests.factories import story_with_receipt
from tests.stories.test_submission import wav_upload


def look_up(client, receipt: str):
    """``POST /api/v1/receipts/lookup/``: the receipt in the body, never in a URL."""
    return client.post("/api/v1/receipts/lookup/", {"receipt": receipt}, format="json")


def test_receipt_shows_status_and_nothing_else(client_for, drive):
    _story, receipt = story_with_receipt(drive=drive, title="Secret title")
    response = look_up(client_for(), receipt)
    assert response.status_code == 200
    assert response.json() == {"status": "submitted", "reason": "", "processing_percent": 0}


def test_receipt_is_forgiving_about_case_and_dashes(client_for, drive):
    _story, receipt = story_with_receipt(drive=drive)
    typed = receipt.replace("-", " ").lower()
    assert look_up(client_for(), typed).status_code == 200


def test_rejected_story_shows_the_reason_to_its_reporter(client_for, drive):
    _story, receipt = story_with_receipt(
        drive=drive, status=StoryStatus.REJECTED, status_reason="It names a neighbour."
    )
    body = look_up(client_for(), receipt).json()
    assert body["status"] == "rejected"
    assert body["reason"] == "It names a neighbour."


@pytest.mark.parametrize("wrong", ["nonsense", "0000-0000-0000-0000-0000-0000-0000-0000", "x" * 90])
def test_wrong_receipt_is_not_found(client_for, drive, wrong):
    story_with_receipt(drive=drive)
    response = look_up(client_for(), wrong)
    assert response.status_code == 404
    assert "receipt" in response.json()["detail"]


def test_withdrawal_by_receipt_erases_the_story_and_keeps_the_consent_proof(client_for, drive):
    response = client_for().post(
        "/api/v1/stories/",
        {
            "drive": drive.slug,
            "kind": "audio",
            "title": "Minun",
            "consent": '{"store": true}',
            "files": [wav_upload()],
        },
        format="multipart",
    )
    story_id, receipt = response.json()["id"], response.json()["receipt"]

    response = client_for().post("/api/v1/withdrawals/", {"receipt": receipt}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    assert not MediaAsset.objects.filter(story_id=story_id).exists()
    record = ConsentRecord.objects.get(story_id=story_id)
    assert record.withdrawn_at is not None
    assert look_up(client_for(), receipt).json()["status"] == "withdrawn"
    assert (
        AuditEvent.objects.filter(action="consent.withdrawn", target_id=str(story_id)).count() == 1
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_withdrawal_deletes_media_files_from_disk(client_for, drive):
    response = client_for().post(
        "/api/v1/stories/",
        {
            "drive": drive.slug,
            "kind": "audio",
            "consent": '{"store": true}',
            "files": [wav_upload()],
        },
        format="multipart",
    )
    path = Path(MediaAsset.objects.get(story_id=response.json()["id"]).file.path)
    assert path.exists()
    client_for().post(
        "/api/v1/withdrawals/", {"receipt": response.json()["receipt"]}, format="json"
    )
    assert not path.exists()


def test_withdrawing_twice_is_harmless(client_for, drive):
    _story, receipt = story_with_receipt(drive=drive)
    first = client_for().post("/api/v1/withdrawals/", {"receipt": receipt}, format="json")
    again = client_for().post("/api/v1/withdrawals/", {"receipt": receipt}, format="json")
    assert (first.status_code, again.status_code) == (200, 200)
    assert AuditEvent.objects.filter(action="consent.withdrawn").count() == 1


def test_withdrawal_erases_text_but_receipt_keeps_answering(client_for, drive):
    story, receipt = story_with_receipt(drive=drive, title="About Maija", text="Maija said...")
    client_for().post("/api/v1/withdrawals/", {"receipt": receipt}, format="json")
    story.refresh_from_db()
    assert (story.title, story.text, story.status) == ("", "", StoryStatus.WITHDRAWN)


def test_withdrawal_with_an_unknown_receipt_is_a_field_error(client_for, drive):
    story_with_receipt(drive=drive)
    response = client_for().post(
        "/api/v1/withdrawals/", {"receipt": receipts.issue()[0]}, format="json"
    )
    assert response.status_code == 400
    assert "receipt" in response.json()


def test_withdrawal_needs_a_receipt_or_a_story(client_for):
    assert client_for().post("/api/v1/withdrawals/", {}, format="json").status_code == 400


def test_owner_withdraws_by_story_id(client_for, drive, reporter):
    story, _ = story_with_receipt(drive=drive, reporter=reporter)
    response = client_for(reporter).post("/api/v1/withdrawals/", {"story": story.pk}, format="json")
    assert response.status_code == 200
    story.refresh_from_db()
    assert story.status == StoryStatus.WITHDRAWN


def test_another_reporter_cannot_withdraw_by_story_id(client_for, drive, reporter, other_reporter):
    story, _ = story_with_receipt(drive=drive, reporter=reporter)
    response = client_for(other_reporter).post(
        "/api/v1/withdrawals/", {"story": story.pk}, format="json"
    )
    assert response.status_code == 404
    story.refresh_from_db()
    assert story.status == StoryStatus.SUBMITTED


def test_anonymous_cannot_withdraw_by_story_id(client_for, drive, reporter):
    story, _ = story_with_receipt(drive=drive, reporter=reporter)
    response = client_for().post("/api/v1/withdrawals/", {"story": story.pk}, format="json")
    assert response.status_code == 401


def test_published_story_can_be_withdrawn(client_for, drive):
    story, receipt = story_with_receipt(drive=drive, status=StoryStatus.PUBLISHED)
    assert client_for().post("/api/v1/withdrawals/", {"receipt": receipt}).status_code == 200
    story.refresh_from_db()
    assert story.status == StoryStatus.WITHDRAWN
