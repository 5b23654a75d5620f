"""Mute one speaker entirely: their turns silenced in the published audio, their words hidden.

For a voice that did not consent (a facilitator, a passer-by). Built on the existing
redactions, so publishing, withdrawal and the release check treat it like any other: each
of the speaker's turns becomes a muted stretch of the recording
(``audio_redactions.mute``), and each of their segments' text becomes a hidden span of
the transcript (``redactions.add``) shown as one numbered person.
"""

from __future__ import annotations

from django.db import transaction

from media_pipeline.privacy import SpanType
from stories.domain import audio_redactions, redactions, transcripts
from stories.domain.roles import AnyUser
from stories.enums import RedactionField
from stories.models import Redaction, Story


class UnknownSpeaker(redactions.InvalidRedaction):
    """No such speaker in the story's transcript."""


def speakers(story: Story) -> list[str]:
    """The speakers told apart in the story's recording, in order of first turn."""
    transcript = transcripts.primary(story)
    turns = transcript.speaker_turns if transcript else []
    return list(dict.fromkeys(turn["speaker"] for turn in turns or []))


def mute_speaker(story: Story, speaker: str, *, actor: AnyUser | None) -> list[Redaction]:
    """Mute every turn of ``speaker`` ("Speaker 2") and hide every word they said."""
    transcript = transcripts.primary(story)
    turns = [t for t in (transcript.speaker_turns if transcript else []) if t["speaker"] == speaker]
    if transcript is None or not turns:
        raise UnknownSpeaker(f"There is no {speaker!r} in this story's recording.")
    added: list[Redaction] = []
    with transaction.atomic():
        for turn in turns:
            start = max(0.0, float(turn["start"]))
            end = min(float(turn["end"]), transcript.duration)
            if end > start:
                added.append(audio_redactions.mute(story, start, end, actor=actor))
        text = transcripts.current_text(transcript)
        cursor = 0
        for segment in transcript.segments or []:
            said = str(segment.get("text", "")).strip()
            found = text.find(said, cursor) if said else -1
            if found < 0:
                continue
            cursor = found + len(said)
            if segment.get("speaker") == speaker:
                added.append(_hide(story, found, cursor, speaker, actor))
    return added


def _hide(story: Story, start: int, end: int, speaker: str, actor: AnyUser | None) -> Redaction:
    """Hide ``[start, end)`` of the transcript, swallowing redactions it cuts through."""
    for row in story.redactions.filter(field=RedactionField.TRANSCRIPT):
        if row.start < end and start < row.end:
            start, end = min(start, row.start), max(end, row.end)
    redaction = redactions.add(
        story, RedactionField.TRANSCRIPT, start, end, SpanType.KNOWN_IDENTIFIER, actor=actor
    )
    # One key for all their words: published as the same "[Person N]" throughout.
    Redaction.objects.filter(pk=redaction.pk).update(key=f"speaker:{speaker}".casefold())
    return redaction
