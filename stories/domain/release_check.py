"""Before any sound goes public, listen to it again where it was redacted.

The anonymised audio is transcribed again, but only around the muted stretches (with
:data:`MARGIN_SECONDS` either side, so a word that slipped just past a tone is heard too),
with the model the worker already holds. If a redacted value can still be heard (a word
of a name, or three digits in a row of a redacted number, compared after spoken numbers
are read as digits) publishing is refused and the reason is recorded where curators see
it. The result, without the values themselves, is kept in ``ReleaseCheck``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from media_pipeline.privacy.audible import audible
from media_pipeline.speech.relisten import relisten
from stories.domain import audio_redactions, speech
from stories.models import ReleaseCheck, Story, Transcript

MARGIN_SECONDS = 1.25
# How a finding's type reads in the reason.
_KINDS = {"person": "a name", "known_identifier": "a name", "phone": "a phone number"}


class StillAudible(Exception):
    """The anonymised audio still says something that was redacted."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def stretches(muted: Sequence[tuple[float, float]], duration: float) -> list[tuple[float, float]]:
    """The muted ranges widened by the margin, clipped to the recording and merged."""
    merged: list[tuple[float, float]] = []
    for start, end in sorted(muted):
        start, end = max(0.0, start - MARGIN_SECONDS), min(duration, end + MARGIN_SECONDS)
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def verify(
    story: Story,
    transcript: Transcript,
    audio: Path,
    muted: Sequence[tuple[float, float]],
    duration: float,
    fingerprint: str,
    workdir: Path,
) -> ReleaseCheck:
    """Listen to ``audio`` (the anonymised file) around ``muted``; raise ``StillAudible``
    if a redacted value is heard. Records the outcome either way."""
    started = time.monotonic()
    windows = stretches(muted, duration)
    findings = listen(story, transcript, audio, windows, workdir)
    reason = describe(findings)
    check, _ = ReleaseCheck.objects.update_or_create(
        story=story,
        defaults={
            "fingerprint": fingerprint,
            "passed": not findings,
            "reason": reason,
            "findings": findings,
            "stretches": len(windows),
            "seconds": round(time.monotonic() - started, 2),
        },
    )
    if findings:
        raise StillAudible(reason)
    return check


def listen(
    story: Story,
    transcript: Transcript,
    audio: Path,
    windows: Sequence[tuple[float, float]],
    workdir: Path,
) -> list[dict[str, Any]]:
    """Where in ``windows`` of ``audio`` a redacted value of ``story`` is still heard (the
    types found, never the values); the model is loaded only when there is anything to hear.
    Shared by the story's check and its clips' (``stories.domain.clips``)."""
    language = story.language or transcript.language or "en"
    secrets = audio_redactions.secrets(story, transcript)
    findings: list[dict[str, Any]] = []
    if windows and secrets:
        heard = relisten(speech.configured_transcriber(), audio, windows, language, workdir)
        for stretch in heard:
            leaked = audible(stretch.text, secrets, language)
            if leaked:
                findings.append(
                    {
                        "start": round(stretch.start, 2),
                        "end": round(stretch.end, 2),
                        "types": sorted({s.type for s in leaked}),
                    }
                )
    return findings


def describe(findings: Sequence[dict[str, Any]]) -> str:
    """A sentence for curators: what kind of value is still heard, and where (never what)."""
    if not findings:
        return ""
    places = "; ".join(
        f"{' or '.join(_KINDS.get(t, t.replace('_', ' ')) for t in f['types'])} "
        f"between {_clock(f['start'])} and {_clock(f['end'])}"
        for f in findings
    )
    return (
        "Not published: the anonymised audio still lets a redacted value be heard "
        f"({places}). Correct the transcript or mute that stretch, then publish again."
    )


def _clock(seconds: float) -> str:
    return f"{int(seconds // 60)}:{seconds % 60:04.1f}"


def summary(story: Story, fingerprint: str) -> dict[str, Any]:
    """The last check, for the preview: ``state`` is passed, refused, outdated (the story
    changed since) or not_checked."""
    check = ReleaseCheck.objects.filter(story=story).first()
    if check is None:
        return {"state": "not_checked", "reason": "", "findings": [], "checked_at": None}
    state = "passed" if check.passed else "refused"
    return {
        "state": state if check.fingerprint == fingerprint else "outdated",
        "reason": check.reason,
        "findings": check.findings,
        "checked_at": check.checked_at,
        "seconds": check.seconds,
    }
