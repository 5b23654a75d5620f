"""The speech step of a story: its normalised recordings transcribed by Whisper and stored."""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction

from media_pipeline.speech.loader import Transcriber, get_transcriber
from stories.domain import editing
from stories.enums import AssetRole
from stories.models import MediaAsset, Story, Transcript
from stories.storage import local_path


def configured_transcriber() -> Transcriber:
    """The engine this worker is configured for; loaded once per process."""
    return get_transcriber(
        settings.TARINA_TRANSCRIBE_ENGINE,
        settings.TARINA_WHISPER_MODEL,
        settings.TARINA_TRANSCRIBE_DEVICE,
        compute_type=settings.TARINA_TRANSCRIBE_COMPUTE_TYPE or None,
        threads=settings.TARINA_TRANSCRIBE_THREADS,
        models_dir=Path(settings.TARINA_MODELS_DIR),
        auto_provision=True,
    )


def language_hint(story: Story) -> str | None:
    """The story's given language, else the drive's first expected one: a hint only."""
    expected = story.drive.expected_languages or []
    return story.language or (expected[0] if expected else None)


def transcribe_story(story: Story) -> list[Transcript]:
    """One transcript per normalised recording and engine; existing ones are kept."""
    transcriber = configured_transcriber()
    transcripts = []
    for asset in MediaAsset.objects.filter(story=story, role=AssetRole.NORMALISED):
        existing = Transcript.objects.filter(asset=asset, engine=transcriber.engine).first()
        transcripts.append(existing or _transcribe_asset(story, asset, transcriber))
    editing.adopt_language(story, next((t.language for t in transcripts if t.language), None))
    return transcripts


def _transcribe_asset(story: Story, asset: MediaAsset, transcriber: Transcriber) -> Transcript:
    started = time.monotonic()
    with local_path(asset.file) as path:
        result = transcriber.transcribe(path, language=language_hint(story))
    data = result.to_dict()
    try:
        with transaction.atomic():
            return Transcript.objects.create(
                story=story,
                asset=asset,
                engine=result.engine,
                model=result.model,
                language=result.language or "",
                language_probability=result.language_probability,
                duration=result.duration,
                text=result.text,
                segments=data["segments"],
                seconds=round(time.monotonic() - started, 3),
            )
    except IntegrityError:
        # A twin task (a redelivery) stored it first: keep theirs.
        return Transcript.objects.get(asset=asset, engine=result.engine)
