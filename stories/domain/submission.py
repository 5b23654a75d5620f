"""Submitting a story: one transaction creates the story, its files and its consent."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from stories.domain import audit, consent, processing, receipts
from stories.domain import themes as theme_tags
from stories.domain import uploads as upload_domain
from stories.domain.roles import AnyUser
from stories.enums import AssetRole, AuditAction, ConsentChannel, StoryKind, StoryStatus
from stories.models import ConsentText, Drive, MediaAsset, Story, Theme, Upload


@dataclass(frozen=True)
class Submission:
    """A stored story and its receipt: the receipt is shown once and never again."""

    story: Story
    receipt: str


def consent_text_for(drive: Drive, language: str) -> ConsentText | None:
    """The newest consent wording of ``drive`` in ``language``, else in its default language."""
    texts = drive.consent_texts.order_by("-version")
    newest = texts.first()
    if newest is None:
        return None
    same_version = texts.filter(version=newest.version)
    return (
        same_version.filter(language=language).first()
        or same_version.filter(language=drive.default_language).first()
        or newest
    )


def submit(
    *,
    drive: Drive,
    kind: StoryKind,
    title: str,
    text: str,
    language: str,
    place: str,
    consent_scopes: Mapping[str, bool],
    files: Sequence[UploadedFile] = (),
    uploads: Sequence[Upload] = (),
    themes: Sequence[Theme] = (),
    reporter: AnyUser | None = None,
    channel: ConsentChannel = ConsentChannel.API,
) -> Submission:
    """Store a new story and enqueue its processing once the transaction commits.

    Input is expected to be validated already (see ``stories.api.serializers``);
    anything that still fails here rolls the whole submission back.
    """
    receipt, receipt_hash = receipts.issue()
    owner = reporter if reporter is not None and reporter.is_authenticated else None
    now = timezone.now()
    with transaction.atomic():
        story = Story.objects.create(
            drive=drive,
            kind=kind,
            title=title,
            text=text,
            language=language,
            place=place,
            reporter=owner,
            receipt_hash=receipt_hash,
            status=StoryStatus.SUBMITTED,
            status_changed_at=now,
            submitted_at=now,
        )
        consent.record(
            story,
            consent_scopes,
            consent_text=consent_text_for(drive, language or drive.default_language),
            channel=channel,
            given_by=reporter,
        )
        for upload in files:
            store_original(story, upload)
        for finished in uploads:  # resumable uploads: moved in, not copied
            upload_domain.attach(finished, story)
        if themes:
            theme_tags.record_reporter_themes(story, [t.slug for t in themes])
        audit.record(
            AuditAction.STORY_SUBMITTED,
            story,
            actor=reporter,
            actor_label="" if owner else "light-touch reporter",
            kind=kind,
            files=len(files) + len(uploads),
        )
        processing.enqueue(story)
    return Submission(story=story, receipt=receipt)


def store_original(story: Story, upload: UploadedFile) -> MediaAsset:
    """Save an uploaded file, privately, as an original of ``story``."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return MediaAsset.objects.create(
        story=story,
        role=AssetRole.ORIGINAL,
        file=upload,
        # The browser's Content-Type is only a hint; the pipeline sniffs the bytes.
        mime_type=upload.content_type or "",
        size=upload.size or 0,
        sha256=digest.hexdigest(),
    )
