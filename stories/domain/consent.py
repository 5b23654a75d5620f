"""Consent: what a reporter allows, recorded as given and withdrawn as easily."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.files.storage import Storage, default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from stories.domain import audit, diskspace, lifecycle, publication, retraining
from stories.domain.consent_state import current  # also consent.current, for its callers
from stories.domain.roles import AnyUser
from stories.enums import AuditAction, ConsentChannel, ConsentScope, StoryStatus
from stories.models import (
    CollectionStory,
    ConsentRecord,
    ConsentText,
    MediaAsset,
    Story,
    Transcript,
)

# A withdrawal retries when it races with a worker or curator changing the status.
_WITHDRAW_ATTEMPTS = 5


class ConsentRequired(ValueError):
    """Consent to store is the minimum: without it nothing can be kept."""


def record(
    story: Story,
    scopes: Mapping[str, bool],
    *,
    consent_text: ConsentText | None,
    channel: ConsentChannel,
    given_by: AnyUser | None = None,
) -> ConsentRecord:
    """Record the consent given for ``story`` under the wording ``consent_text``."""
    if not scopes.get(ConsentScope.STORE):
        raise ConsentRequired(gettext("Consent to store the story is required."))
    return ConsentRecord.objects.create(
        story=story,
        consent_text=consent_text,
        consent_version=consent_text.version if consent_text else None,
        consent_language=consent_text.language if consent_text else "",
        channel=channel,
        given_by=given_by if given_by is not None and given_by.is_authenticated else None,
        **{scope.value: bool(scopes.get(scope.value)) for scope in ConsentScope},
    )


@dataclass(frozen=True)
class Withdrawal:
    """What one call to ``withdraw`` did. Truthy when this call withdrew the story."""

    withdrawn: bool  # False: it was withdrawn before
    removed: int  # rows and files of the story's content found and erased by this call

    def __bool__(self) -> bool:
        return self.withdrawn


def withdraw(
    story: Story,
    *,
    actor: AnyUser | None = None,
    actor_label: str = "",
    reason: str = "",
) -> Withdrawal:
    """Withdraw all consent for ``story``: it leaves every surface and its content is erased.

    The story row stays as a tombstone (status ``withdrawn``, content erased) so its
    receipt keeps answering, and the consent records stay as proof. Withdrawing again is
    harmless and repairing: whatever an earlier erasure left (or a status set without one)
    is erased now, so a reporter told "deleted" is told the truth. ``reason`` says why a
    curator withdrew on someone's behalf; it goes to the audit trail. On a full disk the
    space reserve is given up for it (SQLite needs room for its journal even to delete).
    """
    return diskspace.with_reserve(
        lambda: _withdraw(story, actor=actor, actor_label=actor_label, reason=reason)
    )


def _withdraw(story: Story, *, actor: AnyUser | None, actor_label: str, reason: str) -> Withdrawal:
    with transaction.atomic():
        moved = _move_to_withdrawn(story, actor=actor, actor_label=actor_label, reason=reason)
        closed = ConsentRecord.objects.filter(story=story, withdrawn_at__isnull=True).update(
            withdrawn_at=timezone.now()
        )
        removed = erase(story)
        if story.theme_tags.filter(decided_at__isnull=False).exists():
            # The theme model learned from its words and meaning: retrain without them
            # (the retrain also drops its vector from the worker's memory).
            retraining.request_retrain()
        if moved or closed or removed:
            audit.record(
                AuditAction.CONSENT_WITHDRAWN if moved else AuditAction.STORY_ERASED,
                story,
                actor=actor,
                actor_label=actor_label,
                reason=reason,
                removed=removed,
            )
    return Withdrawal(withdrawn=moved, removed=removed + closed)


def narrow(
    story: Story, keep: Mapping[str, bool], *, actor: AnyUser | None = None, actor_label: str = ""
) -> ConsentRecord | None:
    """Withdraw some scopes and keep the rest; the public copy follows at once.

    Only scopes already granted can be kept: narrowing never widens consent. What the new
    consent no longer allows is taken down immediately and the public copy is rebuilt from
    what remains. Giving up the consent to store withdraws the story (returns None).
    """
    old = current(story)
    if old is None:
        raise ConsentRequired(gettext("There is no consent in force to narrow."))
    if not keep.get(ConsentScope.STORE):
        withdraw(story, actor=actor, actor_label=actor_label)
        return None
    scopes = {s.value: bool(keep.get(s.value)) and getattr(old, s.value) for s in ConsentScope}
    # The unblurred face is a way of showing the picture: it goes when the picture goes.
    scopes[ConsentScope.PUBLISH_FACE] = scopes[ConsentScope.PUBLISH_FACE] and bool(
        scopes[ConsentScope.PUBLISH_IMAGE]
    )
    with transaction.atomic():
        ConsentRecord.objects.filter(pk=old.pk).update(withdrawn_at=timezone.now())
        new = ConsentRecord.objects.create(
            story=story,
            consent_text=old.consent_text,
            consent_version=old.consent_version,
            consent_language=old.consent_language,
            channel=old.channel,
            given_by=old.given_by,
            **scopes,
        )
        audit.record(
            AuditAction.CONSENT_NARROWED,
            story,
            actor=actor,
            actor_label=actor_label,
            withdrawn=sorted(set(old.scopes) - set(new.scopes)),
        )
        story.refresh_from_db(fields=["status"])
        if story.status in lifecycle.PUBLIC_STATUSES:
            # Down at once; back only as a fresh build from what the new consent allows.
            publication.unpublish(
                story, actor=actor, actor_label=actor_label, reason="consent narrowed"
            )
            if publication.why_not_publishable(story) is None:
                publication.enqueue(story)
    return new


def erase(story: Story) -> int:
    """Erase the content of a withdrawn ``story``; idempotent. Returns how much was left.

    Goes: its words (title, text, place) and answers to the drive's questions, the
    personal-data spans, theme evidence, its place in collections, the public copy and
    public folder, every media file with the transcripts and corrections made from them,
    and whatever is left in its private folder. Stays: the row with its status (the
    receipt answers "withdrawn"), the consent records (the proof of what was allowed and
    when) and the audit trail.
    """
    removed = (
        Story.objects.filter(pk=story.pk)
        .exclude(title="", text="", place="")
        .update(title="", text="", place="")
    )
    story.title = story.text = story.place = ""
    # The answers to the drive's questions describe the reporter's story too.
    removed += Story.objects.filter(pk=story.pk).exclude(answers={}).update(answers={})
    story.answers = {}
    removed += int(publication.erase_copy(story))
    removed += erase_content(story)
    removed += delete_media(story)
    return removed


def erase_content(story: Story) -> int:
    """Remove everything that quotes the story: personal-data spans, theme evidence,
    transcripts and their corrections, and its place in collections (the files go with
    ``delete_media``). Returns how many rows held any of it."""
    removed, _ = story.redactions.all().delete()
    removed += story.theme_tags.exclude(evidence=[]).update(evidence=[])
    # Revisions go with their transcript; both hold the reporter's spoken words.
    transcripts, _ = Transcript.objects.filter(story=story).delete()
    entries, _ = CollectionStory.objects.filter(story=story).delete()
    return removed + transcripts + entries


def _move_to_withdrawn(
    story: Story, *, actor: AnyUser | None, actor_label: str, reason: str
) -> bool:
    """True when this call moved the story to withdrawn; False when it already was."""
    for _ in range(_WITHDRAW_ATTEMPTS):
        story.refresh_from_db(fields=["status"])
        if story.status == StoryStatus.WITHDRAWN:
            return False
        try:
            publication.move(
                story, StoryStatus.WITHDRAWN, actor=actor, actor_label=actor_label, reason=reason
            )
        except lifecycle.InvalidTransition:
            continue  # the status changed under us; look again
        return True
    raise lifecycle.InvalidTransition(story.pk, story.status, StoryStatus.WITHDRAWN)


def delete_media(story: Story) -> int:
    """Delete every file of ``story`` (originals and derivatives) once the transaction commits,
    and its private folder with them: a file written but never recorded (an ingest cut off)
    is the reporter's too. Returns how many recorded files there were."""
    assets = list(MediaAsset.objects.filter(story=story))
    files = [(asset.file.storage, asset.file.name) for asset in assets if asset.file.name]
    MediaAsset.objects.filter(story=story).delete()

    def remove_files() -> None:
        for storage, name in files:
            storage.delete(str(name))
        _delete_folder(default_storage, f"stories/{story.pk}")

    transaction.on_commit(remove_files)
    return len(files)


def _delete_folder(storage: Storage, folder: str) -> None:
    """Delete every file under ``folder`` (``models.story.asset_upload_path`` puts a story's
    files under ``stories/<id>/``), however deep."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        storage.delete(f"{folder}/{name}")
    for name in folders:
        _delete_folder(storage, f"{folder}/{name}")
