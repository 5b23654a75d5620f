"""The public media of a published story: anonymised audio, photo or poster frame."""

from __future__ import annotations

import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.core.files import File
from django.core.files.storage import storages

from media_pipeline import anonymise
from media_pipeline.files import local_path
from stories.domain import redactions, transcripts
from stories.enums import AssetRole, StoryKind
from stories.models import ConsentRecord, MediaAsset, Story


@dataclass(frozen=True)
class PublicMedia:
    """Names of the files written to the public storage, and what was done to them."""

    audio: str | None = None
    image: str | None = None
    duration: float | None = None
    voice_disguised: bool = False
    faces_blurred: int = 0


def build(story: Story, record: ConsentRecord) -> PublicMedia:
    """Write the story's anonymised media to the public storage, as far as ``record`` allows."""
    with tempfile.TemporaryDirectory(prefix="tarina-publish-") as scratch:
        workdir = Path(scratch)
        audio = _audio(story, record, workdir)
        image = _image(story, record, workdir)
    return PublicMedia(
        audio=audio[0] if audio else None,
        duration=audio[1].duration if audio else None,
        voice_disguised=bool(audio and audio[1].disguised),
        image=image[0] if image else None,
        faces_blurred=image[1].faces_found if image else 0,
    )


def _audio(
    story: Story, record: ConsentRecord, workdir: Path
) -> tuple[str, anonymise.AnonymisedAudio] | None:
    if story.kind not in (StoryKind.AUDIO, StoryKind.VIDEO) or not record.publish_audio:
        return None
    transcript = transcripts.primary(story)
    if transcript is None:
        # Without a transcript nobody can tell which words to mute: publish no sound.
        return None
    with local_path(transcript.asset.file) as source:
        result = anonymise.anonymise_audio(
            source,
            workdir / "audio.m4a",
            redactions.muted_ranges(story, transcript),
            disguise_voice=story.disguise_voice,
        )
    return _save(result.path, ".m4a"), result


def _image(
    story: Story, record: ConsentRecord, workdir: Path
) -> tuple[str, anonymise.AnonymisedImage] | None:
    if story.kind not in (StoryKind.PHOTO, StoryKind.VIDEO):
        return None
    original = _original(story)
    if original is None:
        return None
    blur = not record.publish_image
    with local_path(original.file) as source:
        if story.kind == StoryKind.PHOTO:
            result = anonymise.anonymise_image(source, workdir / "image.jpg", blur_faces=blur)
        else:
            result = anonymise.anonymise_video_poster(
                source, workdir / "poster.jpg", blur_faces=blur
            )
    return _save(result.path, ".jpg"), result


def _original(story: Story) -> MediaAsset | None:
    return story.assets.filter(role=AssetRole.ORIGINAL).order_by("created_at").first()


def _save(path: Path, suffix: str) -> str:
    """Store under an unguessable name that says nothing about the story or its reporter."""
    with path.open("rb") as handle:
        return storages["public"].save(f"stories/{uuid.uuid4().hex}{suffix}", File(handle))
