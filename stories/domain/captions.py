"""Timed text for a recording: the published transcript word by word, and WebVTT captions.

The public transcript is built from the text the curator sees (their correction, else the
machine's), never from the machine's words where they differ: each of its words takes the
time where it is said in the published audio (the correction's forced alignment, else the
diff with the machine's words; ``media_pipeline.speech.alignment``). A hidden span becomes
one :data:`HIDDEN_MARKER` word timed over the whole stretch the audio tones out, so the
marker and the tone coincide.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.urls import reverse

from media_pipeline.speech import alignment
from stories.domain import audio_redactions, transcripts
from stories.enums import RedactionField
from stories.models import PublishedStory, Story, Transcript

# What stands for a hidden word in the public transcript, captions and translation.
HIDDEN_MARKER = "▇▇▇"


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


def webvtt(segments: Iterable[Mapping[str, Any]], *, note: str = "") -> str:
    """Captions from timed segments ``{"start", "end", "text", "speaker"?}``; empty or
    timeless ones skipped. A speaker is named with a voice tag; ``note`` starts a NOTE block."""
    lines = ["WEBVTT", ""]
    if note:
        lines += [cue_text(note), ""]
    for segment in segments:
        text = cue_text(str(segment.get("text") or ""))
        speaker = cue_text(str(segment.get("speaker") or "")).replace(">", "")
        if speaker and text:
            text = f"<v {speaker}>{text}"
        start, end = float(segment.get("start") or 0), float(segment.get("end") or 0)
        if not text or end <= start:
            continue
        lines += [f"{vtt_time(start)} --> {vtt_time(end)}", text, ""]
    return "\n".join(lines)


def for_story(story: Story) -> str:
    """WebVTT captions of the story's primary (machine) transcript; only the header if none."""
    transcript = transcripts.primary(story)
    return webvtt(list(transcript.segments or []) if transcript else [])


def tracks(publication: PublishedStory) -> list[tuple[str, str, bool]]:
    """The published story's captions: ``(language, path, machine translation)``, in its
    own language where a timed transcript is published, and in its translation's."""
    found = []
    if publication.segments:
        path = reverse("frontend:captions", args=[publication.public_id])
        found.append((publication.language, path, False))
    translated = publication.translation or {}
    if translated.get("language") and translated.get("segments"):
        path = reverse("frontend:captions-in", args=[publication.public_id, translated["language"]])
        found.append((str(translated["language"]), path, True))
    return found


def for_publication(publication: PublishedStory, language: str = "") -> str:
    """WebVTT captions of the published story, in its own language or (``language`` its
    translation's) in translation; a translation's captions say it is machine-made."""
    translation = publication.translation or {}
    if language and language != publication.language:
        if translation.get("language") != language:
            return webvtt([])
        note = f"NOTE Machine translation ({publication.language} to {language})"
        return webvtt(translation.get("segments") or [], note=note)
    return webvtt(publication.segments or [])


def public_segments(story: Story, transcript: Transcript) -> list[dict[str, Any]]:
    """The published transcript's segments, each word timed on the published audio.

    Segments follow the machine's (a word joins the one its time falls in) and keep its
    ``speaker`` label when there is one. Words nobody can time are left out of the timing
    but never reveal anything: only the curator's text, with hidden spans as markers.
    """
    text = transcripts.current_text(transcript)
    hidden = [
        (r.start, r.end)
        for r in story.redactions.filter(redact=True, field=RedactionField.TRANSCRIPT)
    ]
    times, union = _token_times(text, transcript)
    words: list[dict[str, Any]] = []
    marked: tuple[int, int] | None = None
    for token in alignment.tokens(text):
        time = times.get(token.start)
        span = next((h for h in hidden if h[0] < token.end and token.start < h[1]), None)
        if span is not None:
            time = union.get(token.start)
            if span == marked and words and words[-1].get("hidden") and time:
                words[-1]["start"] = min(words[-1]["start"], time[0])
                words[-1]["end"] = max(words[-1]["end"], time[1])
            elif time:
                words.append(_word(time, HIDDEN_MARKER, hidden=True))
            marked = span
            continue
        marked = None
        if time:
            words.append(_word(time, text[token.start : token.end]))
    return _group(words, transcript.segments or [])


def _token_times(
    text: str, transcript: Transcript
) -> tuple[dict[int, tuple[float, float]], dict[int, tuple[float, float]]]:
    """Each token's time by its offset: the forced alignment of a correction, else the diff;
    and the union of both, which is where the audio tones out a hidden token."""
    diff = {
        t.token.start: t.time
        for t in alignment.diff_timings(text, audio_redactions.machine_words(transcript))
        if t.time
    }
    revision = audio_redactions.latest_revision(transcript)
    aligned: dict[int, tuple[float, float]] = {}
    if revision is not None and revision.text == text:
        for w in revision.aligned_words or []:
            aligned[int(w["char_start"])] = (float(w["start"]), float(w["end"]))
    chosen = {**diff, **aligned}
    union = {
        k: (min(t[0] for t in both), max(t[1] for t in both))
        for k in chosen
        if (both := [t for t in (aligned.get(k), diff.get(k)) if t])
    }
    return chosen, union


def _word(time: tuple[float, float], word: str, *, hidden: bool = False) -> dict[str, Any]:
    timed: dict[str, Any] = {"start": round(time[0], 3), "end": round(time[1], 3), "word": word}
    if hidden:
        timed["hidden"] = True
    return timed


def _group(
    words: Sequence[dict[str, Any]], machine: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Words into the machine's segments (by where each starts), with their speakers."""
    bounds = [
        (float(s.get("start") or 0), float(s.get("end") or 0), s.get("speaker")) for s in machine
    ]
    segments: list[dict[str, Any]] = []
    current: int | None = None
    for word in words:
        index = _segment_of(word["start"], bounds)
        if not segments or index != current:
            segment: dict[str, Any] = {"start": word["start"], "end": word["end"], "words": []}
            speaker = bounds[index][2] if index is not None and bounds else None
            if speaker:
                segment["speaker"] = str(speaker)
            segments.append(segment)
            current = index
        segments[-1]["words"].append(word)
        segments[-1]["end"] = max(segments[-1]["end"], word["end"])
    for segment in segments:
        segment["text"] = " ".join(w["word"] for w in segment["words"])
    return segments


def _segment_of(start: float, bounds: Sequence[tuple[float, float, Any]]) -> int | None:
    """The machine segment a word starting at ``start`` belongs to: the last one that
    starts at or before it."""
    found = None
    for i, (seg_start, _end, _speaker) in enumerate(bounds):
        if seg_start <= start + 0.01:
            found = i
    return found if found is not None else (0 if bounds else None)
