"""Captions for a recording: a transcript's timed segments written as WebVTT."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from stories.domain import transcripts
from stories.models import Story


def vtt_time(seconds: float) -> str:
    """``seconds`` as a WebVTT timestamp, hh:mm:ss.mmm."""
    millis = max(0, round(float(seconds) * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def cue_text(text: str) -> str:
    """One line of cue text, escaped as WebVTT asks (``&`` and ``<``).

    An arrow inside it would read as the end of the cue's timing line, so it becomes one
    that does not.
    """
    text = " ".join(text.split())
    return text.replace("&", "&amp;").replace("<", "&lt;").replace("-->", "→")


def webvtt(segments: Iterable[Mapping[str, Any]]) -> str:
    """Captions from timed segments ``{"start", "end", "text"}``; empty or timeless ones skipped."""
    lines = ["WEBVTT", ""]
    for segment in segments:
        text = cue_text(str(segment.get("text") or ""))
        start, end = float(segment.get("start") or 0), float(segment.get("end") or 0)
        if not text or end <= start:
            continue
        lines += [f"{vtt_time(start)} --> {vtt_time(end)}", text, ""]
    return "\n".join(lines)


def for_story(story: Story) -> str:
    """WebVTT captions of the story's primary (machine) transcript; only the header if none."""
    transcript = transcripts.primary(story)
    return webvtt(list(transcript.segments or []) if transcript else [])
