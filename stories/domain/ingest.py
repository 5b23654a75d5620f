"""Validating and normalising a story's original uploads, recorded as MediaAssets."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.conf import settings
from django.db import transaction

from media_pipeline.media import (
    Derived,
    MediaInfo,
    MediaKind,
    MediaLimits,
    MediaRejected,
    RejectCode,
    normalise,
    probe,
)
from media_pipeline.media import Role as DerivedRole
from stories.domain import file_journal
from stories.enums import AssetRole, StoryKind
from stories.models import MediaAsset, Story
from stories.storage import local_path

# MediaAsset files live in the private default storage.
STORAGE = "default"

# Which derived files are working files for the pipeline and which are derivatives
# that publication may later anonymise further.
ASSET_ROLE = {
    DerivedRole.NORMALISED_AUDIO: AssetRole.NORMALISED,
    DerivedRole.IMAGE: AssetRole.DERIVATIVE,
    DerivedRole.POSTER: AssetRole.DERIVATIVE,
    DerivedRole.THUMBNAIL: AssetRole.DERIVATIVE,
}

KIND_ACCEPTS = {
    StoryKind.AUDIO: {MediaKind.AUDIO, MediaKind.VIDEO},
    StoryKind.VIDEO: {MediaKind.VIDEO, MediaKind.AUDIO},
    StoryKind.PHOTO: {MediaKind.IMAGE},
}


def limits() -> MediaLimits:
    """The configured media limits."""
    return MediaLimits(
        max_bytes=settings.TARINA_MAX_UPLOAD_BYTES,
        max_seconds=settings.TARINA_MAX_MEDIA_SECONDS,
        max_image_pixels=settings.TARINA_MAX_IMAGE_PIXELS,
    )


def validate(story: Story, original: MediaAsset) -> MediaInfo:
    """Probe an original and record what it really is; raises MediaRejected with a reason."""
    with local_path(original.file) as path:
        info = probe(path, limits())
    if info.kind not in KIND_ACCEPTS[StoryKind(story.kind)]:
        raise MediaRejected(
            f"This is a {story.get_kind_display().lower()} story, but a file is "
            f"{'a picture' if info.kind == MediaKind.IMAGE else 'a recording'}.",
            RejectCode.NOT_ALLOWED,
        )
    MediaAsset.objects.filter(pk=original.pk).update(
        mime_type=info.mime_type,
        duration=info.duration,
        width=info.width,
        height=info.height,
    )
    return info


def normalise_original(original: MediaAsset, info: MediaInfo) -> list[MediaAsset]:
    """Write the original's normalised and derived files, once.

    A second run finds them already there (they are saved in one transaction) and does
    nothing, so a redelivered task is harmless. Each file is journaled before it is
    written (``file_journal``): if the rows cannot be committed (the story was withdrawn
    meanwhile, the disk is full) the files go with them instead of staying unowned.
    """
    existing = list(original.derived.all())
    if existing:
        return existing
    with tempfile.TemporaryDirectory(prefix="tarina-") as workdir:
        with local_path(original.file) as path:
            derived = normalise(path, info, Path(workdir), limits())
        assets: list[MediaAsset] = []
        try:
            for item in derived:
                assets.append(_store_derived(original, item))
            with transaction.atomic():
                for asset in assets:
                    asset.save()
                file_journal.settle(STORAGE, [str(asset.file.name) for asset in assets])
        except BaseException:
            file_journal.abandon(STORAGE, [str(asset.file.name) for asset in assets])
            raise
    return assets


def _store_derived(original: MediaAsset, item: Derived) -> MediaAsset:
    """An unsaved asset for ``item``, its file journaled and written."""
    asset = MediaAsset(
        story_id=original.story_id,
        source=original,
        role=ASSET_ROLE[item.role],
        variant=_variant(item),
        mime_type=item.mime_type,
        size=item.size_bytes,
        sha256=item.sha256,
        duration=item.duration,
        width=item.width,
        height=item.height,
    )
    name = asset.file.field.generate_filename(asset, item.path.name)
    asset.file.name = file_journal.write(STORAGE, name, original.story_id, item.path)
    return asset


def _variant(item: Derived) -> str:
    # The file name normalisation chose: "audio", "image", "poster", "image_thumb_320"...
    return item.path.stem[:32]


def needs_transcription(story: Story) -> bool:
    """Audio and video stories are transcribed once their audio is normalised."""
    return story.assets.filter(role=AssetRole.NORMALISED).exists()
