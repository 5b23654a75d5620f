"""The lifecycle gate, tried as an adversarial curator, admin and operator.

A story's status changes only through named actions, each doing all of its work. Each
finding below was reproduced against the code before the gate: what a reporter or an
attacker would notice (files on disk, public URLs, the receipt's answer, the consent
records, the audit trail) is what is asserted.
"""

from __future__ import annotations

import importlib
import io
from pathlib import Path

import pytest
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.core.management import call_command
from django.db.models import ProtectedError
from django.test import Client
from django.urls import clear_url_caches

from stories.domain import lifecycle, publication, redactions, review
from stories.domain.publication_media import public_folder
from stories.enums import AssetRole, AuditAction, StoryKind, StoryStatus, ThemeSource
from stories.models import (
    AuditEvent,
    CollectionStory,
    ConsentRecord,
    MediaAsset,
    PublishedStory,
    Redaction,
    Story,
    StoryTheme,
    Theme,
    Transcript,
    TranscriptRevision,
)
from tests.factories import (
    CollectionFactory,
    DriveFactory,
    PublishedStoryFactory,
    story_with_receipt,
    transcript_for,
)
from tests.media_pipeline.anonymise.helpers import voice_like
from tests.media_pipeline.media_factories import write_wav

SAID = "Call me on 040 123 4567 about the library bus stop in our village"
PHONE = "040 123 4567"


@pytest.fixture
def media_root(settings):
    """Public files served by the app, as in a try-out without a proxy. The storages are the
    configured ones: a file field's storage is fixed when the model is loaded."""
    import config.urls

    settings.TARINA_SERVE_PUBLIC_MEDIA = True
    importlib.reload(config.urls)
    clear_url_caches()
    yield
    settings.TARINA_SERVE_PUBLIC_MEDIA = False
    importlib.reload(config.urls)
    clear_url_caches()


def told_by_voice(drive, reporter, tmp_path: Path) -> tuple[Story, str]:
    """An approved spoken story with everything a story gathers: an original and a
    normalised recording on disk, a transcript and a correction, personal-data spans,
    theme evidence and a place in a collection."""
    story, receipt = story_with_receipt(
        drive=drive,
        reporter=reporter,
        kind=StoryKind.AUDIO,
        title="My call",
        text="",
        status=StoryStatus.APPROVED,
        consent={"store": True, "publish_text": True, "publish_audio": True},
    )
    original = MediaAsset(story=story, role=AssetRole.ORIGINAL, mime_type="audio/wav")
    original.file.save("original.wav", ContentFile(b"RIFF" + bytes(64)), save=True)
    transcript = transcript_for(story, SAID)
    wav = write_wav(tmp_path / "speech.wav", voice_like(len(SAID.split()) * 0.5))
    with wav.open("rb") as handle:
        transcript.asset.file.save("speech.wav", File(handle))
    TranscriptRevision.objects.create(transcript=transcript, number=1, text=SAID)
    redactions.detect(story)
    StoryTheme.objects.create(
        story=story,
        theme=Theme.objects.first(),
        source=ThemeSource.MACHINE,
        evidence=[{"text": "library bus stop", "start": 30, "end": 46}],
    )
    CollectionStory.objects.create(collection=CollectionFactory(), story=story)
    return story, receipt


def private_files(story: Story) -> list[Path]:
    """The story's files in private storage, where ``asset_upload_path`` puts them."""
    folder = Path(default_storage.path(f"stories/{story.pk}"))
    return [p for p in folder.rglob("*") if p.is_file()]


def public_files(story: Story) -> list[Path]:
    folder = Path(storages["public"].path(public_folder(story)))
    return [p for p in folder.rglob("*") if p.is_file()]


def public_page(story: Story) -> int:
    return Client().get(f"/api/v1/public/stories/{story.public_id}/").status_code


def receipt_says(receipt: str) -> str:
    return str(Client().get(f"/api/v1/receipts/{receipt}/").json()["status"])


def assert_erased(story: Story, receipt: str, media_url: str) -> None:
    """Everything a withdrawal promises, as the reporter or a stranger would check it."""
    assert private_files(story) == []
    assert public_files(story) == []
    assert Client().get(media_url).status_code == 404
    assert public_page(story) == 404
    assert receipt_says(receipt) == "withdrawn"
    story.refresh_from_db()
    assert (story.title, story.text, story.place) == ("", "", "")
    assert not MediaAsset.objects.filter(story=story).exists()
    assert not Transcript.objects.filter(story=story).exists()
    assert not TranscriptRevision.objects.filter(transcript__story=story).exists()
    assert not Redaction.objects.filter(story=story).exists()
    assert not CollectionStory.objects.filter(story=story).exists()
    assert not PublishedStory.objects.filter(story=story).exists()
    assert list(story.theme_tags.values_list("evidence", flat=True)) == [[]]
    # The proof of consent stays, closed.
    records = ConsentRecord.objects.filter(story=story)
    assert records.exists()
    assert not records.filter(withdrawn_at__isnull=True).exists()


# --- Finding 1: a curator's PATCH "withdrawn" erased nothing, and nothing could finish it --


def test_a_curator_cannot_patch_a_story_withdrawn(client_for, curator, drive, reporter):
    story, receipt = story_with_receipt(drive=drive, reporter=reporter, status="needs_review")
    response = client_for(curator).patch(
        f"/api/v1/stories/{story.pk}/", {"status": "withdrawn"}, format="json"
    )
    assert response.status_code == 400
    assert "POST /api/v1/withdrawals/" in response.json()["status"][0]
    assert receipt_says(receipt) == "needs_review"
    story.refresh_from_db()
    assert story.text  # nothing half-done either


def test_a_withdrawn_story_left_unerased_is_erased_by_the_reporters_receipt(
    media_root, drive, reporter, tmp_path, django_capture_on_commit_callbacks
):
    """A story marked withdrawn with its content left behind (as the old PATCH left it,
    or a restore brings back): withdrawing again by receipt finishes the erasure."""
    story, receipt = told_by_voice(drive, reporter, tmp_path)
    url = publication.publish(story).audio.url
    # What the status PATCH used to do: the status alone, with the copy and files still up.
    Story.objects.filter(pk=story.pk).update(status=StoryStatus.WITHDRAWN)
    assert Client().get(url).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        answer = Client().post("/api/v1/withdrawals/", {"receipt": receipt}, format="json")

    assert answer.status_code == 200
    assert answer.json()["status"] == "withdrawn"
    assert_erased(story, receipt, url)
    assert AuditEvent.objects.filter(
        action=AuditAction.STORY_ERASED, target_id=str(story.pk), actor_label="receipt holder"
    ).exists()


def test_the_status_page_and_the_command_repair_an_unfinished_erasure_too(
    media_root, drive, reporter, tmp_path, django_capture_on_commit_callbacks
):
    story, receipt = told_by_voice(drive, reporter, tmp_path)
    Story.objects.filter(pk=story.pk).update(status=StoryStatus.WITHDRAWN)
    with django_capture_on_commit_callbacks(execute=True):
        page = Client().post("/r/", {"receipt": receipt, "step": "withdraw-confirmed"})
    assert page.status_code == 200
    assert private_files(story) == []
    assert not Transcript.objects.filter(story=story).exists()

    # A second story left half-erased, repaired by the operator's command.
    other, _ = told_by_voice(DriveFactory(), None, tmp_path)
    Story.objects.filter(pk=other.pk).update(status=StoryStatus.WITHDRAWN)
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("withdraw_stories", str(other.pk), stdout=out)
    assert f"story {other.pk}: already withdrawn; erased" in out.getvalue()
    assert private_files(other) == []
    other.refresh_from_db()
    assert other.title == ""


def test_a_curator_withdraws_on_the_reporters_behalf_saying_why(
    media_root, client_for, curator, drive, reporter, tmp_path, django_capture_on_commit_callbacks
):
    story, receipt = told_by_voice(drive, reporter, tmp_path)
    url = publication.publish(story).audio.url
    client = client_for(curator)
    refused = client.post("/api/v1/withdrawals/", {"story": story.pk}, format="json")
    assert refused.status_code == 400
    assert "reason" in refused.json()
    assert receipt_says(receipt) == "published"

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            "/api/v1/withdrawals/",
            {"story": story.pk, "reason": "The reporter asked by phone on 3 May."},
            format="json",
        )
    assert done.status_code == 200
    assert_erased(story, receipt, url)
    event = AuditEvent.objects.get(action=AuditAction.CONSENT_WITHDRAWN, target_id=str(story.pk))
    assert event.actor == curator
    assert event.data["reason"] == "The reporter asked by phone on 3 May."
    # Withdrawing again is harmless: the same answer, nothing more to erase.
    again = client.post(
        "/api/v1/withdrawals/", {"story": story.pk, "reason": "Letter came too."}, format="json"
    )
    assert again.status_code == 200
    assert receipt_says(receipt) == "withdrawn"


# --- Finding 2: status changes bypassed publication -----------------------------------


def test_approving_a_published_story_takes_its_public_audio_down_at_once(
    media_root, client_for, curator, drive, reporter, tmp_path, django_capture_on_commit_callbacks
):
    story, receipt = told_by_voice(drive, reporter, tmp_path)
    url = publication.publish(story).audio.url
    assert Client().get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(curator).post(
            f"/api/v1/stories/{story.pk}/approve/", {"disguise_voice": True}, format="json"
        )
    assert response.status_code == 200
    assert receipt_says(receipt) == "approved"
    assert Client().get(url).status_code == 404
    assert public_files(story) == []
    assert public_page(story) == 404


@pytest.mark.parametrize(
    ("action", "body", "status"),
    [
        ("reject", {"reason": "Off topic after all."}, "rejected"),
        ("reopen", {}, "needs_review"),
        ("unpublish", {"reason": "A second look."}, "approved"),
    ],
)
def test_leaving_published_by_any_action_takes_the_copy_down(
    media_root,
    client_for,
    curator,
    drive,
    reporter,
    tmp_path,
    django_capture_on_commit_callbacks,
    action,
    body,
    status,
):
    story, receipt = told_by_voice(drive, reporter, tmp_path)
    url = publication.publish(story).audio.url
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(curator).post(
            f"/api/v1/stories/{story.pk}/{action}/", body, format="json"
        )
    assert response.status_code == 200
    assert receipt_says(receipt) == status
    assert Client().get(url).status_code == 404
    assert public_files(story) == []


def test_republishing_never_brings_back_a_stale_copy(
    client_for, curator, drive, reporter, django_capture_on_commit_callbacks
):
    story, receipt = story_with_receipt(
        drive=drive,
        reporter=reporter,
        text=f"Bussi myöhästyi taas. Hänen numeronsa on {PHONE}.",
        language="fi",
        status=StoryStatus.APPROVED,
    )
    phone = next(r for r in redactions.detect(story) if r.text == PHONE)
    redactions.decide(phone, redact=False, actor=curator)  # judged safe, by mistake
    publication.publish(story, actor=curator)
    page = f"/api/v1/public/stories/{story.public_id}/"
    assert PHONE in Client().get(page).content.decode()

    client = client_for(curator)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/api/v1/stories/{story.pk}/approve/", {}).status_code == 200
    assert Client().get(page).status_code == 404
    redactions.decide(phone, redact=True, actor=curator)  # the curator hides it again

    patched = client.patch(f"/api/v1/stories/{story.pk}/", {"status": "published"}, format="json")
    assert patched.status_code == 400
    assert f"/api/v1/stories/{story.pk}/publish/" in patched.json()["status"][0]
    assert Client().get(page).status_code == 404
    assert receipt_says(receipt) == "approved"

    assert client.post(f"/api/v1/stories/{story.pk}/publish/").status_code == 202
    publication.publish(story)  # what the worker does with the queued build
    shown = Client().get(page)
    assert shown.status_code == 200
    assert PHONE not in shown.content.decode()


def test_a_never_built_story_cannot_be_called_published(client_for, curator, drive, reporter):
    story, receipt = story_with_receipt(drive=drive, reporter=reporter, status="approved")
    patched = client_for(curator).patch(
        f"/api/v1/stories/{story.pk}/", {"status": "published"}, format="json"
    )
    assert patched.status_code == 400
    assert receipt_says(receipt) == "approved"
    assert public_page(story) == 404


# --- Finding 3: deleting a story in the admin -----------------------------------------


@pytest.fixture
def admin_client(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def test_the_admin_cannot_delete_a_story_row(media_root, admin_client, drive, reporter, tmp_path):
    story, receipt = told_by_voice(drive, reporter, tmp_path)
    url = publication.publish(story).audio.url
    single = admin_client.post(f"/admin/stories/story/{story.pk}/delete/", {"post": "yes"})
    assert single.status_code == 403
    bulk = admin_client.post(
        "/admin/stories/story/",
        {"action": "delete_selected", "_selected_action": [story.pk], "post": "yes"},
    )
    assert bulk.status_code in {200, 302}  # Django: "no action selected"
    assert Story.objects.filter(pk=story.pk).exists()
    assert receipt_says(receipt) == "published"
    assert Client().get(url).status_code == 200
    # Nor can the row go behind the admin's back while the proof of consent exists.
    with pytest.raises(ProtectedError):
        Story.objects.filter(pk=story.pk).delete()


def test_the_admins_withdraw_action_confirms_then_erases_and_audits(
    media_root, admin_client, admin_user, drive, reporter, tmp_path,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    story, receipt = told_by_voice(drive, reporter, tmp_path)
    url = publication.publish(story).audio.url
    chosen = {"action": "withdraw_and_erase", "_selected_action": [story.pk]}

    asked = admin_client.post("/admin/stories/story/", chosen)
    assert asked.status_code == 200
    assert b"Withdraw and erase" in asked.content
    assert receipt_says(receipt) == "published"  # nothing happens before the confirmation

    with django_capture_on_commit_callbacks(execute=True):
        done = admin_client.post(
            "/admin/stories/story/",
            {**chosen, "confirm": "1", "reason": "Letter from the reporter, 3 May."},
        )
    assert done.status_code == 302
    assert_erased(story, receipt, url)
    event = AuditEvent.objects.get(action=AuditAction.CONSENT_WITHDRAWN, target_id=str(story.pk))
    assert event.actor == admin_user
    assert event.data["reason"] == "Letter from the reporter, 3 May."
    # The admin shows the tombstone read only: nothing can be written back into it.
    form = admin_client.get(f"/admin/stories/story/{story.pk}/change/")
    assert form.status_code == 200
    assert b'name="text"' not in form.content


def test_admin_changes_are_audited_like_api_actions(admin_client, admin_user, drive):
    response = admin_client.get(f"/admin/stories/drive/{drive.pk}/change/")
    assert response.status_code == 200
    form = response.context["adminform"].form
    data = {name: form.initial.get(name) for name in form.fields if form.initial.get(name)}
    data.update(
        {
            "title": "Renamed drive",
            "expected_languages": '["fi"]',
            "consent_texts-TOTAL_FORMS": "0",
            "consent_texts-INITIAL_FORMS": "0",
        }
    )
    saved = admin_client.post(f"/admin/stories/drive/{drive.pk}/change/", data)
    assert saved.status_code == 302, saved.content[:2000]
    event = AuditEvent.objects.get(action=AuditAction.ADMIN_CHANGED, target_id=str(drive.pk))
    assert event.actor == admin_user
    assert event.data["change"] == "changed"
    assert "Renamed drive" not in str(event.data)  # names of fields, never their values


def test_a_copy_built_just_before_a_rejection_goes_with_it(curator):
    """A worker's build committed its copy, then a curator rejected the story before the
    worker could mark it published: the rejection takes the copy down."""
    copy = PublishedStoryFactory(story__status=StoryStatus.APPROVED)
    review.reject(copy.story, "Not about a service.", actor=curator)
    assert not PublishedStory.objects.filter(pk=copy.pk).exists()
    with pytest.raises(lifecycle.InvalidTransition):
        lifecycle.transition(copy.story, StoryStatus.PUBLISHED)  # the worker loses
