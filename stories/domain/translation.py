"""English translations of spoken stories: made by Whisper, corrected by curators, and
published only with every personal detail hidden.

The machine translation is private, like the transcript it renders. Publishing copies it
(``public``) with two kinds of hiding, privacy first: whatever the personal-data detector
finds in the English text, and every value a curator hid in the story (a name that Whisper
carried over into English is found even when the detector does not know it). A hidden value
becomes the same neutral marker as in the transcript. Every surface says the translation
is machine-made.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from django.db import transaction
from django.utils import timezone

from media_pipeline import privacy
from media_pipeline.speech import translate as speech_translate
from stories.domain import audio_redactions, audit, redactions, speech, transcripts
from stories.domain.captions import HIDDEN_MARKER
from stories.domain.roles import AnyUser
from stories.enums import AuditAction, RedactionField
from stories.models import Story, Translation
from stories.storage import local_path

TARGET = speech_translate.TARGET_LANGUAGE
# How alike a word must be to a hidden value to be hidden too (difflib's ratio).
LOOKALIKE_RATIO = 0.55


class NoTranslation(LookupError):
    """The story has no machine translation to correct."""


def needed(story: Story) -> bool:
    """Whether the story's recording is in another language than English."""
    transcript = transcripts.primary(story)
    language = source_language(story)
    return transcript is not None and bool(language) and language != TARGET


def source_language(story: Story) -> str:
    """The recording's language: the story's (given, or adopted from the transcript, and
    a curator's to correct), else what Whisper detected."""
    transcript = transcripts.primary(story)
    return story.language or (transcript.language if transcript else "") or ""


def translate_story(story: Story) -> Translation | None:
    """Render the story's recording in English with the configured Whisper weights (the
    transcription queue); idempotent, and None when there is nothing to translate."""
    transcript = transcripts.primary(story)
    if transcript is None or not needed(story):
        return None
    existing = Translation.objects.filter(transcript=transcript, language=TARGET).first()
    if existing is not None:
        return existing
    transcriber = speech.configured_transcriber()
    try:
        with local_path(transcript.asset.file) as path:
            result = speech_translate.translate(transcriber, path, source_language(story) or None)
    except speech_translate.TranslationUnavailable:
        return None
    translation, _ = Translation.objects.get_or_create(
        transcript=transcript,
        language=TARGET,
        defaults={
            "engine": result.engine,
            "model": result.model,
            "text": result.text,
            "segments": result.segments_as_dicts(),
        },
    )
    return translation


def of(story: Story) -> Translation | None:
    """The story's English translation, if one was made."""
    transcript = transcripts.primary(story)
    if transcript is None:
        return None
    return Translation.objects.filter(transcript=transcript, language=TARGET).first()


def current_lines(translation: Translation) -> list[str]:
    """The translation as curators see it, one segment a line: their correction, else the
    machine's."""
    if translation.corrected_text.strip():
        return [line.strip() for line in translation.corrected_text.splitlines() if line.strip()]
    return [str(s.get("text") or "") for s in translation.segments]


def correct(story: Story, text: str, *, actor: AnyUser | None) -> Translation:
    """Store a curator's correction (one line per segment keeps the captions' timings).
    The caller rebuilds a published story (``publication.enqueue``), which reads this
    module, so that its public copy shows the correction."""
    translation = of(story)
    if translation is None:
        raise NoTranslation("This story has no machine translation to correct.")
    with transaction.atomic():
        translation.corrected_text = text.strip()
        translation.corrected_by = actor if actor is not None and actor.is_authenticated else None
        translation.corrected_at = timezone.now()
        translation.save(update_fields=["corrected_text", "corrected_by", "corrected_at"])
        audit.record(
            AuditAction.TRANSCRIPT_EDITED, story, actor=actor, translation=translation.language
        )
    return translation


def public(story: Story, translation: Translation | None) -> dict[str, Any]:
    """The translation as it may be published: personal details hidden, marked machine-made;
    {} when there is none."""
    if translation is None:
        return {}
    lines = current_lines(translation)
    timed = translation.segments or []
    if len(lines) == len(timed):
        segments = [
            {"start": s["start"], "end": s["end"], "text": hide(story, line)}
            for s, line in zip(timed, lines, strict=True)
        ]
    else:
        # The correction changed the lines: one caption over the whole recording.
        start = float(timed[0]["start"]) if timed else 0.0
        end = float(timed[-1]["end"]) if timed else 0.0
        segments = [{"start": start, "end": end, "text": hide(story, " ".join(lines))}]
    return {
        "language": translation.language,
        "source_language": source_language(story),
        "machine_translation": True,
        "corrected": bool(translation.corrected_text.strip()),
        "text": "\n".join(s["text"] for s in segments),
        "segments": segments,
    }


def hide(story: Story, text: str) -> str:
    """``text`` with every value the curator hid and all that the detector finds replaced
    by the marker (a value the curator lifted stays, as in the original)."""
    values = hidden_values(story)
    for value in values:
        text = re.sub(_value_pattern(value), HIDDEN_MARKER, text, flags=re.IGNORECASE)
    text = _hide_lookalikes(text, values)
    lifted = {r.text.casefold() for r in story.redactions.filter(redact=False)}
    found = privacy.detect(
        text,
        TARGET,
        known_identifiers=redactions.known_identifiers(story),
        gazetteer=redactions.gazetteer(),
    )
    for span in sorted(found, key=lambda s: s.start, reverse=True):
        if span.text.casefold() not in lifted:
            text = text[: span.start] + HIDDEN_MARKER + text[span.end :]
    return text


def hidden_values(story: Story) -> list[str]:
    """The values a curator hid anywhere in the story's texts, and what the machine heard
    where they are said; longest first, each also word by word (a name may come out of
    translation with its parts apart)."""
    values: set[str] = set()
    for r in story.redactions.filter(redact=True).exclude(field=RedactionField.AUDIO):
        value = " ".join(r.text.split())
        if value:
            values.add(value)
            values.update(w for w in re.split(r"\W+", value) if len(w) > 2)
    values.update(_heard_where_hidden(story))
    return sorted(values, key=len, reverse=True)


def _heard_where_hidden(story: Story) -> set[str]:
    """What the machine heard in the stretches the published audio tones out: the hidden
    values as Whisper spelt them, which is how a translation is likely to spell them too."""
    transcript = transcripts.primary(story)
    if transcript is None:
        return set()
    toned = audio_redactions.ranges(story, transcript)
    return {
        word
        for w in audio_redactions.machine_words(transcript)
        if any(w.start < end and start < w.end for start, end in toned)
        for word in re.split(r"\W+", w.word)
        # Capitalised: a name as written, not a small word the tone's edge caught.
        if len(word) > 3 and word[0].isupper()
    }


def _hide_lookalikes(text: str, values: list[str]) -> str:
    """Capitalised words spelt nearly like a hidden value ("Maya" for "Maija"): a
    translation may write a name as it sounds in English."""
    singles = [v.casefold() for v in values if " " not in v and len(v) > 3]

    def near(match: re.Match[str]) -> str:
        word = match.group().casefold()
        if (
            match.group()[0].isupper()
            and len(word) > 3
            and any(
                difflib.SequenceMatcher(a=word, b=v).ratio() >= LOOKALIKE_RATIO for v in singles
            )
        ):
            return HIDDEN_MARKER
        return match.group()

    return re.sub(r"\w+", near, text) if singles else text


def _value_pattern(value: str) -> str:
    """``value`` as a whole word, its spaces matching any run of spaces."""
    return r"(?<!\w)" + r"\s+".join(re.escape(p) for p in value.split()) + r"(?!\w)"
