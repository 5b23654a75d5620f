"""Storage against rows: delete files nobody owns, report rows whose file is gone.

Works on any Django storage that can list (the filesystem and S3 alike) and looks at the
private ``default`` storage (MediaAsset files) and the ``public`` one (PublishedStory
files). ``uploads/`` is left to ``uploads.remove_expired``, which owns unfinished uploads.

An unowned file is deleted when its story is withdrawn (at once: nothing may stay), or
when it and any intent naming it are older than ``TARINA_MEDIA_ORPHAN_GRACE_SECONDS``
(younger ones may belong to a write whose transaction has not committed yet).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.utils import timezone

from stories.domain import clips, dispatch, file_journal, publication_media, publicity, uploads
from stories.enums import StoryStatus
from stories.models import Clip, MediaAsset, MediaCheckRun, PublishedStory, StoredFileIntent, Story

logger = logging.getLogger(__name__)

PRIVATE, PUBLIC = "default", "public"
# asset_upload_path: "stories/<story id>/<role>/<uuid><suffix>"
_PRIVATE_NAME = re.compile(r"^stories/(\d+)/")
_PUBLIC_FIELDS = ("audio", "image", "video")
# Which story a stored name belongs to, read from the name alone (None: no story's).
_StoryOf = Callable[[str], int | None]


@dataclass(frozen=True)
class Finding:
    storage: str
    name: str
    story_id: int | None
    reason: str


@dataclass
class Report:
    repaired: bool
    files_checked: int = 0
    orphans: list[Finding] = field(default_factory=list)
    missing: list[Finding] = field(default_factory=list)
    orphans_deleted: int = 0
    missing_repaired: int = 0
    stale_intents: list[int] = field(default_factory=list)  # intent pks

    @property
    def clean(self) -> bool:
        return not self.orphans and not self.missing


def check(*, repair: bool, now: datetime | None = None) -> Report:
    """Compare both storages with the rows; with ``repair``, fix what was found."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.TARINA_MEDIA_ORPHAN_GRACE_SECONDS)
    report = Report(repaired=repair)
    withdrawn = set(Story.objects.filter(status=StoryStatus.WITHDRAWN).values_list("pk", flat=True))
    intents = {(i.storage, i.name): i for i in StoredFileIntent.objects.all()}
    for alias, owned, story_of in (_private_view(), _public_view()):
        listed = set(_walk(storages[alias]))
        report.files_checked += len(listed)
        for name in sorted(listed - set(owned)):
            intent = intents.get((alias, name))
            story_id = intent.story_id if intent else story_of(name)
            reason = _orphan_reason(alias, name, story_id, intent, withdrawn, cutoff)
            if reason:
                report.orphans.append(Finding(alias, name, story_id, reason))
        for name, story_id in owned.items():
            if name not in listed and _owner_settled(alias, name, cutoff):
                report.missing.append(Finding(alias, name, story_id, "file missing"))
    orphaned = {(f.storage, f.name) for f in report.orphans}
    report.stale_intents = [
        intent.pk
        for key, intent in intents.items()
        if key not in orphaned and (intent.created_at < cutoff or intent.story_id in withdrawn)
    ]
    if repair:
        _repair(report)
    _record(report)
    return report


def _private_view() -> tuple[str, dict[str, int], _StoryOf]:
    owned = dict(MediaAsset.objects.exclude(file="").values_list("file", "story_id"))

    def story_of(name: str) -> int | None:
        match = _PRIVATE_NAME.match(name)
        return int(match.group(1)) if match else None

    return PRIVATE, owned, story_of


def _public_view() -> tuple[str, dict[str, int], _StoryOf]:
    owned: dict[str, int] = {}
    for row in PublishedStory.objects.values("story_id", *_PUBLIC_FIELDS):
        owned.update({row[f]: row["story_id"] for f in _PUBLIC_FIELDS if row[f]})
    owned.update(dict(Clip.objects.exclude(audio="").values_list("audio", "story_id")))
    # Public folders are HMACs of the story (publication_media.public_folder).
    folders = {publication_media.public_folder(s): s.pk for s in Story.objects.only("created_at")}

    def story_of(name: str) -> int | None:
        return folders.get(name.rsplit("/", 1)[0])

    return PUBLIC, owned, story_of


def _walk(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file name in ``storage`` below ``folder``, leaving unfinished uploads out."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    prefix = f"{folder}/" if folder else ""
    for name in files:
        yield f"{prefix}{name}"
    for sub in folders:
        if not prefix and sub == uploads.UPLOAD_DIR:
            continue
        yield from _walk(storage, f"{prefix}{sub}")


def _orphan_reason(
    alias: str,
    name: str,
    story_id: int | None,
    intent: StoredFileIntent | None,
    withdrawn: set[int],
    cutoff: datetime,
) -> str:
    """Why an unowned file should go, or "" while it may still get an owner."""
    if story_id in withdrawn:
        return "withdrawn story"
    if intent is not None:
        return "stale intent" if intent.created_at < cutoff else ""
    try:
        young = storages[alias].get_modified_time(name) >= cutoff
    except (FileNotFoundError, NotImplementedError):
        young = False
    if young:
        return ""
    return "unknown story" if story_id is None else "no owning row"


def _owner_settled(alias: str, name: str, cutoff: datetime) -> bool:
    """A row is only reported once old enough: a submission moves its upload in on commit."""
    if alias == PUBLIC:
        return True
    return MediaAsset.objects.filter(file=name, created_at__lt=cutoff).exists()


def _repair(report: Report) -> None:
    for finding in report.orphans:
        file_journal.abandon(finding.storage, [finding.name])
        report.orphans_deleted += 1
        logger.warning("deleted orphan %s:%s (%s)", finding.storage, finding.name, finding.reason)
    for finding in report.missing:
        report.missing_repaired += _repair_missing(finding)
    # Stale intents whose file never landed, or is owned after all: only the row goes.
    StoredFileIntent.objects.filter(pk__in=report.stale_intents).delete()


def _repair_missing(finding: Finding) -> int:
    """A derivative is remade by the pipeline, so its row goes; a public file is rebuilt.
    A lost original cannot be remade: it is reported and left for a person."""
    if finding.storage == PRIVATE:
        removed, _ = MediaAsset.objects.filter(file=finding.name, source__isnull=False).delete()
        if not removed:
            logger.error("original %s is missing from storage", finding.name)
        return 1 if removed else 0
    lost_clips = list(Clip.objects.filter(audio=finding.name))
    if lost_clips:  # a clip is cut once, from audio that may be gone: it goes (410)
        for clip in lost_clips:
            clips.remove(clip)
        return 1
    with transaction.atomic():
        for name in _PUBLIC_FIELDS:
            # Forget the file and the fingerprint, so that the queued build really rebuilds.
            PublishedStory.objects.filter(**{name: finding.name}).update(
                **{name: ""}, fingerprint=""
            )
        publicity.changed()  # kept story pages must stop linking to the lost file
        dispatch.send_on_commit(dispatch.PUBLISH_STORY, finding.story_id)
    return 1


def _record(report: Report) -> None:
    MediaCheckRun.objects.create(
        repaired=report.repaired,
        files_checked=report.files_checked,
        orphans_found=len(report.orphans),
        orphans_deleted=report.orphans_deleted,
        missing_found=len(report.missing),
        missing_repaired=report.missing_repaired,
        stale_intents=len(report.stale_intents),
    )
    # Keep a short history; the latest run is what /metrics shows.
    keep = MediaCheckRun.objects.values_list("pk", flat=True)[:100]
    MediaCheckRun.objects.exclude(pk__in=list(keep)).delete()
