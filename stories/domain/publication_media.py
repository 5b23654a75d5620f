"""The public media of a published story: anonymised audio, photo or poster frame.

The picture is the one a curator looked at (``stories.domain.pictures``): the file built
for their preview is copied, byte for byte; one nobody looked at as it is now stays out.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

from django.conf import settings
from django.core.files.storage import storages

from media_pipeline import anonymise
from stories.domain import audio_redactions, file_journal, pictures, release_check, transcripts
from stories.enums import StoryKind
from stories.models import ConsentRecord, Story, Transcript
from stories.storage import local_path

log = logging.getLogger(__name__)
# Only anonymised copies are ever written here (the private store is "default").
STORAGE = "public"


@dataclass(frozen=True)
class PublicMedia:
    """Names of the files written to the public storage, and what was done to them."""

    audio: str | None = None
    image: str | None = None
    video: str | None = None
    duration: float | None = None
    voice_disguised: bool = False
    faces_blurred: int = 0

    def names(self) -> list[str]:
        """The files written, for clean-up when the build is dropped."""
        return [name for name in (self.audio, self.image, self.video) if name]


def build(story: Story, record: ConsentRecord, fingerprint: str) -> PublicMedia:
    """Write the story's anonymised media to the public storage, as far as ``record`` allows.

    The names depend only on the story and ``fingerprint`` (what the build is made of), so
    a build cut off by a dead worker and run again overwrites its own files instead of
    leaving a second, unreferenced copy behind.
    """
    written: list[str] = []
    with tempfile.TemporaryDirectory(prefix="tarina-publish-") as scratch:
        workdir = Path(scratch)
        audio = _audio(story, record, workdir, check=fingerprint)
        picture = pictures.plan(story, record)
        if picture is not None and not pictures.is_seen(story, picture):
            picture = None  # held back until a curator has looked at it as it is now
        image = _image(story, picture, workdir)
        video = _video(story, record, picture, audio[0] if audio else None, workdir)
        try:
            audio_name = _save(story, audio[0], fingerprint, ".m4a", written) if audio else None
            image_name = _save(story, image[0], fingerprint, ".jpg", written) if image else None
            video_name = _save(story, video, fingerprint, ".mp4", written) if video else None
        except BaseException:
            # Half a build is no build: remove what was written (a full disk, mostly).
            file_journal.abandon(STORAGE, written)
            raise
    return PublicMedia(
        audio=audio_name,
        video=video_name,
        duration=audio[1].duration if audio else None,
        voice_disguised=bool(audio and audio[1].disguised),
        image=image_name,
        faces_blurred=image[1] if image else 0,
    )


def preview_audio(story: Story, record: ConsentRecord, workdir: Path) -> Path | None:
    """The audio that publishing would make public now, written into ``workdir``; None when
    none would be (no consent to the voice, no transcript, not a spoken story)."""
    audio = _audio(story, record, workdir)
    return audio[0] if audio else None


def _audio(
    story: Story, record: ConsentRecord, workdir: Path, *, check: str = ""
) -> tuple[Path, anonymise.AnonymisedAudio] | None:
    """The anonymised sound; with ``check`` (the build's fingerprint) it is listened to
    again before anything is published (``release_check.StillAudible`` if it leaks)."""
    if story.kind not in (StoryKind.AUDIO, StoryKind.VIDEO) or not record.publish_audio:
        return None
    transcript = transcripts.primary(story)
    if transcript is None:
        # Without a transcript nobody can tell which words to mute: publish no sound.
        return None
    if check:
        audio_redactions.ensure_aligned(transcript)
    redacted = redacted_ranges(story, transcript)
    with local_path(transcript.asset.file) as source:
        result = anonymise.anonymise_audio(
            source, workdir / "audio.m4a", redacted, disguise_voice=story.disguise_voice
        )
    if check:
        # Listen where the text says redacted values are said, worked out afresh, and
        # where the tones went: a slip in the muting must not also hide it from the check.
        listen = [*audio_redactions.ranges(story, transcript), *result.redacted]
        release_check.verify(
            story, transcript, result.path, listen, result.duration, check, workdir
        )
    return result.path, result


def redacted_ranges(story: Story, transcript: Transcript) -> list[tuple[float, float]]:
    """The stretches of the recording the published audio tones out."""
    return audio_redactions.ranges(story, transcript)


def _image(
    story: Story, picture: pictures.PicturePlan | None, workdir: Path
) -> tuple[Path, int] | None:
    """The anonymised picture and how many faces were blurred in it, or None."""
    if picture is None:
        return None
    asset = pictures.derivative(story, picture)
    path = workdir / "image.jpg"
    with local_path(asset.file) as built:
        shutil.copyfile(built, path)
    return path, int((story.picture_preview or {}).get("faces", 0))


def _video(
    story: Story,
    record: ConsentRecord,
    picture: pictures.PicturePlan | None,
    sound: Path | None,
    workdir: Path,
) -> Path | None:
    """The video's own pictures with the anonymised sound (or none, if there is no
    transcript to mute names by), only when the consent allows the face unblurred and the
    voice, and no key frame shows text that must be hidden."""
    if picture is None or not record.publish_audio:
        return None
    if not pictures.moving_video_allowed(story, picture):
        log.info("video of story %s held back: no consent to the face, or text to hide", story.pk)
        return None
    with local_path(picture.source.file) as source:
        return anonymise.remux_video(source, sound, workdir / "video.mp4")


def public_folder(story: Story) -> str:
    """The story's folder in the public storage: unguessable, and the same on every build,
    so that withdrawal can clear it whole (leftovers of interrupted builds included)."""
    created = story.created_at.astimezone(UTC).isoformat()
    message = f"public-story:{story.pk}:{created}".encode()
    key = hmac.new(settings.SECRET_KEY.encode(), message, "sha256")
    return f"stories/{key.hexdigest()[:32]}"


def public_name(story: Story, fingerprint: str, suffix: str) -> str:
    """A file's name for one build: it says nothing about the story or its reporter."""
    digest = hashlib.sha256(f"{fingerprint}{suffix}".encode()).hexdigest()[:32]
    return f"{public_folder(story)}/{digest}{suffix}"


def delete_folder(story: Story) -> None:
    """Remove every file in the story's public folder."""
    storage = storages["public"]
    folder = public_folder(story)
    try:
        _, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        storage.delete(f"{folder}/{name}")


def _save(story: Story, path: Path, fingerprint: str, suffix: str, written: list[str]) -> str:
    """Store ``path`` under its build name, journaled, replacing what an interrupted
    earlier build left there; the name is added to ``written``."""
    name = public_name(story, fingerprint, suffix)
    storages[STORAGE].delete(name)
    written.append(name)
    return file_journal.write(STORAGE, name, story.pk, path)
