"""The audio follows the text: which stretches of a recording to mute, and why.

Redaction is decided on the transcript the curator sees (the machine's or their
correction). Each hidden span is mapped to time through the words it covers:

- the diff with the machine's words (a corrected word takes the time of the words it
  replaced), always available;
- forced alignment of the corrected text (``TranscriptRevision.aligned_words``), filled in
  by a worker after each save, or at publishing time when it is missing.

Both are used where they disagree (the union: privacy first). On top of that, as before,
every hidden phrase of the title and text and every span the detector finds in the
*machine* transcript (unless lifted) is muted where the machine heard it, and curators
can mute a stretch of time by hand (a redaction with ``field="audio"``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from media_pipeline import privacy
from media_pipeline.privacy.audible import Secret
from media_pipeline.speech import alignment
from stories.domain import audit, redactions, speech, transcripts
from stories.domain.roles import AnyUser
from stories.enums import AuditAction, RedactionField, RedactionSource
from stories.models import Redaction, Story, Transcript, TranscriptRevision
from stories.storage import local_path

# Stored in ``Redaction.type`` for a stretch muted by hand (no personal-data type applies).
TIME_RANGE = "time_range"


class InvalidTimeRange(redactions.InvalidRedaction):
    """A stretch to mute that is empty or lies outside the recording."""


def machine_words(transcript: Transcript) -> list[alignment.MachineWord]:
    """What the machine heard, word by word, with times."""
    return [
        alignment.MachineWord(str(w.get("word", "")), float(w["start"]), float(w["end"]))
        for segment in transcript.segments or []
        for w in segment.get("words") or []
        if "start" in w and "end" in w
    ]


def latest_revision(transcript: Transcript) -> TranscriptRevision | None:
    return transcript.revisions.order_by("-number").first()


def align(revision: TranscriptRevision) -> TranscriptRevision:
    """Place the revision's words in the recording with the configured Whisper weights.

    Runs where the model lives (the ``transcribe`` queue); idempotent.
    """
    if revision.aligned_words:
        return revision
    transcript = revision.transcript
    aligner = speech.configured_transcriber()
    if not isinstance(aligner, alignment.Aligner):
        return revision
    timed = alignment.diff_timings(revision.text, machine_words(transcript))
    pieces = alignment.plan_pieces(timed, transcript.duration)
    language = transcript.language or transcript.story.language or None
    with local_path(transcript.asset.file) as path:
        aligned = alignment.force_align(aligner, Path(path), revision.text, pieces, language)
    revision.aligned_words = [
        {
            "char_start": t.token.start,
            "char_end": t.token.end,
            "start": round(t.time[0], 3),
            "end": round(t.time[1], 3),
        }
        for t in aligned
        if t.time
    ]
    TranscriptRevision.objects.filter(pk=revision.pk).update(aligned_words=revision.aligned_words)
    return revision


def ensure_aligned(transcript: Transcript) -> None:
    """Align the newest correction now if the worker has not yet (publishing needs it)."""
    revision = latest_revision(transcript)
    if revision is not None and not revision.aligned_words:
        align(revision)


def ranges(story: Story, transcript: Transcript) -> list[tuple[float, float]]:
    """Time ranges of the recording to mute (unpadded, merged)."""
    found = _corrected_spans(story, transcript)
    found += _machine_matches(story, transcript)
    found += [(r.start / 1000, r.end / 1000) for r in _hidden(story, RedactionField.AUDIO)]
    return _merge(found)


def _hidden(story: Story, field: str) -> list[Redaction]:
    return list(story.redactions.filter(redact=True, field=field))


def _corrected_spans(story: Story, transcript: Transcript) -> list[tuple[float, float]]:
    """Every hidden span of the transcript the curator sees, by diff and by alignment."""
    hidden = _hidden(story, RedactionField.TRANSCRIPT)
    if not hidden:
        return []
    text = transcripts.current_text(transcript)
    revision = latest_revision(transcript)
    timed = [
        (t.token.start, t.token.end, t.time)
        for t in alignment.diff_timings(text, machine_words(transcript))
        if t.time
    ]
    if revision is not None:
        timed += [
            (w["char_start"], w["char_end"], (float(w["start"]), float(w["end"])))
            for w in revision.aligned_words or []
        ]
    return [
        time
        for span in hidden
        for start, end, time in timed
        if start < span.end and span.start < end
    ]


def _machine_matches(story: Story, transcript: Transcript) -> list[tuple[float, float]]:
    """Hidden phrases where the machine heard them, and what the detector finds in the
    machine text: words a correction took out of the transcript are still in the sound."""
    words = machine_words(transcript)
    return [r for phrase in set(_phrases(story, transcript)) for r in _times_of(phrase, words)]


def _phrases(story: Story, transcript: Transcript) -> list[str]:
    lifted = {r.text.casefold() for r in story.redactions.filter(redact=False)}
    hidden = [
        r.text for r in story.redactions.filter(redact=True).exclude(field=RedactionField.AUDIO)
    ]
    machine = privacy.detect(
        transcript.text,
        story.language or transcript.language or "en",
        known_identifiers=redactions.known_identifiers(story),
        gazetteer=redactions.gazetteer(),
    )
    return hidden + [s.text for s in machine if s.text.casefold() not in lifted]


def secrets(story: Story, transcript: Transcript) -> list[Secret]:
    """The values that must not be heard in the published audio."""
    lifted = {r.text.casefold() for r in story.redactions.filter(redact=False)}
    found = {
        Secret(r.type, r.text)
        for r in story.redactions.filter(redact=True).exclude(field=RedactionField.AUDIO)
    }
    machine = privacy.detect(
        transcript.text,
        story.language or transcript.language or "en",
        known_identifiers=redactions.known_identifiers(story),
        gazetteer=redactions.gazetteer(),
    )
    found |= {Secret(s.type.value, s.text) for s in machine if s.text.casefold() not in lifted}
    return sorted(found, key=lambda s: (s.type, s.text))


def _tokens(text: str) -> list[str]:
    return [t for t in (re.sub(r"\W", "", w.casefold()) for w in text.split()) if t]


def _times_of(phrase: str, words: Sequence[alignment.MachineWord]) -> list[tuple[float, float]]:
    """Where ``phrase`` is spoken, matched on letters and digits only, so "040-123 4567"
    is found whether Whisper wrote it as one word or three."""
    target = "".join(_tokens(phrase))
    if not target:
        return []
    flat = [(token, w) for w in words for token in _tokens(w.word)]
    found = []
    for i in range(len(flat)):
        heard = ""
        for j in range(i, len(flat)):
            heard += flat[j][0]
            if heard == target:
                found.append((flat[i][1].start, flat[j][1].end))
            if not target.startswith(heard) or heard == target:
                break
    return found


def _merge(ranges: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def mute(story: Story, start: float, end: float, *, actor: AnyUser | None) -> Redaction:
    """Mute a stretch of the recording by hand, ``start`` to ``end`` seconds."""
    transcript = transcripts.primary(story)
    if transcript is None:
        raise InvalidTimeRange("This story has no transcribed recording to mute.")
    if not 0 <= start < end <= transcript.duration:
        raise InvalidTimeRange(
            f"Give a start before the end, within the recording (0 to {transcript.duration:.2f} s)."
        )
    # Whole milliseconds, rounded outwards: the stretch muted is never shorter than asked.
    start_ms, end_ms = math.floor(start * 1000), math.ceil(end * 1000)
    with transaction.atomic():
        redaction, created = Redaction.objects.get_or_create(
            story=story,
            field=RedactionField.AUDIO,
            start=start_ms,
            end=end_ms,
            defaults=_time_range_fields(start_ms, end_ms, actor),
        )
        if not created and not redaction.redact:
            redaction.redact = True
            redaction.save(update_fields=["redact"])
        audit.record(
            AuditAction.REDACTION_DECIDED, story, actor=actor, redaction=redaction.pk, redact=True
        )
    return redaction


def _time_range_fields(start_ms: int, end_ms: int, actor: AnyUser | None) -> dict[str, Any]:
    user = actor if actor is not None and actor.is_authenticated else None
    return {
        "text": f"{start_ms / 1000:.2f} s to {end_ms / 1000:.2f} s",
        "type": TIME_RANGE,
        "source": RedactionSource.CURATOR,
        "decided_by": user,
        "decided_at": timezone.now(),
    }
