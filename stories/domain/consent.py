"""Consent: what a reporter allows, recorded as given and withdrawn as easily."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from stories.domain import audit, lifecycle, publication
from stories.domain.consent_state import current  # also consent.current, for its callers
from stories.domain.roles import AnyUser
from stories.enums import AuditAction, ConsentChannel, ConsentScope, StoryStatus
from stories.models import CollectionStory, ConsentRecord, ConsentText, MediaAsset, Story

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


def withdraw(
    story: Story,
    *,
    actor: AnyUser | None = None,
    actor_label: str = "",
) -> bool:
    """Withdraw all consent for ``story``: it leaves every surface and its media is deleted.

    The story row stays as a tombstone (status ``withdrawn``, content erased) so its
    receipt keeps answering, and the consent records stay as proof. Withdrawing twice
    is harmless: returns False when the story was already withdrawn.
    """
    with transaction.atomic():
        if not _move_to_withdrawn(story, actor=actor, actor_label=actor_label):
            return False
        now = timezone.now()
        ConsentRecord.objects.filter(story=story, withdrawn_at__isnull=True).update(
            withdrawn_at=now
        )
        Story.objects.filter(pk=story.pk).update(title="", text="", place="")
        story.title = story.text = story.place = ""
        publication.unpublish(story)
        erase_content(story)
        deleted = delete_media(story)
        audit.record(
            AuditAction.CONSENT_WITHDRAWN,
            story,
            actor=actor,
            actor_label=actor_label,
            media_files_deleted=deleted,
        )
    return True


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
        if publication.unpublish(story):
            if publication.why_not_publishable(story) is None:
                publication.enqueue(story)
            else:
                lifecycle.transition(story, StoryStatus.APPROVED, actor=actor, reason="")
    return new


def erase_content(story: Story) -> None:
    """Remove everything that quotes the story: personal-data spans, theme evidence and
    its place in collections (the files go with ``delete_media``)."""
    story.redactions.all().delete()
    story.theme_tags.update(evidence=[])
    CollectionStory.objects.filter(story=story).delete()


def _move_to_withdrawn(story: Story, *, actor: AnyUser | None, actor_label: str) -> bool:
    for _ in range(_WITHDRAW_ATTEMPTS):
        story.refresh_from_db(fields=["status"])
        if story.status == StoryStatus.WITHDRAWN:
            return False
        try:
            lifecycle.transition(story, StoryStatus.WITHDRAWN, actor=actor, actor_label=actor_label)
        except lifecycle.InvalidTransition:
            continue  # the status changed under us; look again
        return True
    raise lifecycle.InvalidTransition(story.pk, story.status, StoryStatus.WITHDRAWN)


def delete_media(story: Story) -> int:
    """Delete every file of ``story`` (originals and derivatives) once the transaction commits."""
    assets = list(MediaAsset.objects.filter(story=story))
    files = [(asset.file.storage, asset.file.name) for asset in assets if asset.file.name]
    MediaAsset.objects.filter(story=story).delete()

    def remove_files() -> None:
        for storage, name in files:
            storage.delete(str(name))

    transaction.on_commit(remove_files)
    return len(files)
