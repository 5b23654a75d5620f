"""The speech step of a story: its normalised recordings transcribed by Whisper and stored.

The language is decided among the languages the story is expected in (the reporter's
choice and the drive's, see ``media_pipeline.speech.policy``); the decision is stored on
the transcript, logged, and shown in the console, where a curator can correct the
language and have the recording transcribed again. Weights can differ per language
(``TARINA_WHISPER_MODEL_<LANG>``); each transcript names the weights and their SHA-256.
Speakers are told apart (``media_pipeline.speech.speakers``) and each segment names its
speaker; a curator can mute one speaker entirely.
"""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from media_pipeline.speech import speakers
from media_pipeline.speech.audio import decode_audio
from media_pipeline.speech.loader import Transcriber, get_transcriber
from media_pipeline.speech.policy import CORRECTED, LanguageDecision
from media_pipeline.speech.results import SpeechTranscript
from stories.domain import audit, dispatch, editing
from stories.domain.roles import AnyUser
from stories.enums import AssetRole, AuditAction, StoryStatus
from stories.models import MediaAsset, Story, Transcript
from stories.storage import local_path

logger = logging.getLogger(__name__)

_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")


class InvalidLanguage(ValueError):
    """A language code a curator gave that Whisper does not know."""


def weights_for(language: str | None) -> str:
    """The Whisper weights (name or path) for ``language``: its own setting, else the default."""
    by_language: dict[str, str] = settings.TARINA_WHISPER_MODEL_BY_LANGUAGE
    return by_language.get((language or "").lower(), settings.TARINA_WHISPER_MODEL)


def configured_transcriber(language: str | None = None) -> Transcriber:
    """The engine this worker is configured for, with ``language``'s weights; loaded once
    per process."""
    return get_transcriber(
        settings.TARINA_TRANSCRIBE_ENGINE,
        weights_for(language),
        settings.TARINA_TRANSCRIBE_DEVICE,
        compute_type=settings.TARINA_TRANSCRIBE_COMPUTE_TYPE or None,
        threads=settings.TARINA_TRANSCRIBE_THREADS,
        models_dir=Path(settings.TARINA_MODELS_DIR),
        auto_provision=True,
    )


def expected_languages(story: Story) -> list[str]:
    """The languages the story may be in: the reporter's choice first, then the drive's."""
    codes = [story.language or "", *(story.drive.expected_languages or [])]
    return list(dict.fromkeys(code.lower() for code in codes if code))


def language_hint(story: Story) -> str | None:
    """The story's given language, else the drive's first expected one."""
    expected = expected_languages(story)
    return expected[0] if expected else None


def transcribe_story(story: Story) -> list[Transcript]:
    """One transcript per normalised recording and engine; existing ones are kept."""
    engine = settings.TARINA_TRANSCRIBE_ENGINE
    transcripts = []
    for asset in MediaAsset.objects.filter(story=story, role=AssetRole.NORMALISED):
        existing = Transcript.objects.filter(asset=asset, engine=engine).first()
        transcripts.append(existing or _store(story, asset, _transcribe(story, asset)))
    editing.adopt_language(story, next((t.language for t in transcripts if t.language), None))
    return transcripts


def _transcribe(
    story: Story, asset: MediaAsset, corrected: str | None = None
) -> tuple[SpeechTranscript, str, list[speakers.Turn], float]:
    """Decode one recording; returns (result, weights SHA-256, speaker turns, seconds)."""
    started = time.monotonic()
    expected = expected_languages(story)
    with local_path(asset.file) as path:
        if corrected:
            decision = LanguageDecision(corrected, CORRECTED, expected=tuple(expected))
            transcriber = configured_transcriber(corrected)
            result = transcriber.transcribe(path, corrected, force_language=True)
        elif settings.TARINA_WHISPER_MODEL_BY_LANGUAGE:
            # Weights differ per language: decide first (one encoder pass), then decode
            # with that language's weights.
            decision = configured_transcriber().decide_language(
                path, story.language or None, expected
            )
            transcriber = configured_transcriber(decision.chosen)
            result = transcriber.transcribe(path, decision.chosen, force_language=True)
        else:
            decision = None
            transcriber = configured_transcriber()
            result = transcriber.transcribe(
                path, story.language or None, expected_languages=expected
            )
        if decision is not None:
            result.language_decision = decision.to_dict()
        turns = _speaker_turns(Path(path), result)
    logger.info(
        "story %s recording %s: %s weights %s (sha256 %s), language %s",
        *(story.pk, asset.pk, result.engine, result.model, transcriber.weights_sha256[:12]),
        result.language_decision,
    )
    return result, transcriber.weights_sha256, turns, time.monotonic() - started


def _speaker_turns(path: Path, result: SpeechTranscript) -> list[speakers.Turn]:
    """Who spoke when, if speakers are told apart here and anything was said."""
    if not settings.TARINA_DIARISE or not result.segments:
        return []
    return speakers.diarise(decode_audio(path), max_speakers=settings.TARINA_MAX_SPEAKERS)


def _fields(
    result: SpeechTranscript, weights_sha256: str, turns: list[speakers.Turn], seconds: float
) -> dict[str, Any]:
    data = result.to_dict()
    return {
        "engine": result.engine,
        "model": result.model,
        "weights_sha256": weights_sha256,
        "language": result.language or "",
        "language_probability": result.language_probability,
        "language_decision": result.language_decision or {},
        "duration": result.duration,
        "text": result.text,
        "segments": speakers.label_segments(data["segments"], turns),
        "speaker_turns": [{"speaker": t.label, "start": t.start, "end": t.end} for t in turns],
        "seconds": round(seconds, 3),
    }


def _store(
    story: Story,
    asset: MediaAsset,
    decoded: tuple[SpeechTranscript, str, list[speakers.Turn], float],
) -> Transcript:
    try:
        with transaction.atomic():
            return Transcript.objects.create(story=story, asset=asset, **_fields(*decoded))
    except IntegrityError:
        # A twin task (a redelivery) stored it first: keep theirs.
        return Transcript.objects.get(asset=asset, engine=decoded[0].engine)


def validate_language(code: str) -> str:
    """A Whisper language code (``sv``, ``fi``, ...), lower-cased; else InvalidLanguage."""
    from faster_whisper.tokenizer import _LANGUAGE_CODES

    code = (code or "").strip().lower()
    if not _LANGUAGE_CODE.match(code) or code not in _LANGUAGE_CODES:
        raise InvalidLanguage(f"{code!r} is not a language Whisper knows (use a code like sv).")
    return code


def request_transcription(story: Story, language: str, *, actor: AnyUser | None) -> str:
    """A curator's correction: the story is in ``language``; transcribe it again in it.

    The story's language is set now; the worker replaces the transcript (see
    :func:`transcribe_in_language`). Returns the validated code.
    """
    code = validate_language(language)
    with transaction.atomic():
        previous = story.language
        Story.objects.filter(pk=story.pk).update(language=code)
        story.language = code
        audit.record(AuditAction.STORY_EDITED, story, actor=actor, language=code, previous=previous)
        dispatch.send_on_commit(dispatch.TRANSCRIBE_IN_LANGUAGE, story.pk, code)
    return code


def transcribe_in_language(story: Story, language: str) -> list[Transcript]:
    """Transcribe the story's recordings again in ``language`` and replace the transcripts.

    Corrections made to the old transcript are dropped with it: they were corrections of
    text heard in the wrong language.
    """
    stored: list[Transcript] = []
    if story.status == StoryStatus.WITHDRAWN:
        return stored  # withdrawn while queued: nothing of it is to be heard again
    for asset in MediaAsset.objects.filter(story=story, role=AssetRole.NORMALISED):
        result, sha, turns, seconds = _transcribe(story, asset, corrected=language)
        with transaction.atomic():
            Transcript.objects.filter(asset=asset, engine=result.engine).delete()
            stored.append(
                Transcript.objects.create(
                    story=story, asset=asset, **_fields(result, sha, turns, seconds)
                )
            )
    return stored
