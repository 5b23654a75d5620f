"""An English rendering of a recording by Whisper's own ``translate`` task.

The same weights that transcribe the recording translate it, offline: Whisper was trained
to write English for speech in any of its languages. The result has segment timings (for
captions) and no word timings: a translation's words do not line up with the voice.

Only the faster-whisper engine (Tarina's default) is supported; the others answer
:class:`TranslationUnavailable`, and the story simply has no translation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from media_pipeline.speech.audio import iter_windows

TARGET_LANGUAGE = "en"


class TranslationUnavailable(RuntimeError):
    """The configured engine cannot translate."""


@dataclass(frozen=True)
class TranslatedSegment:
    """A stretch of the recording and its English rendering."""

    start: float
    end: float
    text: str


@dataclass(frozen=True)
class SpeechTranslation:
    """The English rendering of one recording."""

    engine: str
    model: str
    source_language: str | None
    language: str = TARGET_LANGUAGE
    segments: list[TranslatedSegment] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The segments' text, one segment a line."""
        return "\n".join(s.text for s in self.segments)

    def segments_as_dicts(self) -> list[dict[str, Any]]:
        """Plain JSON-serialisable segments."""
        return [{"start": s.start, "end": s.end, "text": s.text} for s in self.segments]


def translate(transcriber: Any, path: Path | str, source_language: str | None) -> SpeechTranslation:
    """Translate the recording at ``path`` to English with ``transcriber``'s weights.

    ``source_language`` is the language the recording was transcribed in (Whisper detects
    it when None). The file is read window by window, like transcription.
    """
    model = getattr(transcriber, "whisper_model", None) or getattr(transcriber, "_model", None)
    if model is None or not hasattr(model, "transcribe") or transcriber.engine != "faster-whisper":
        raise TranslationUnavailable(f"{transcriber.engine} cannot translate")
    segments: list[TranslatedSegment] = []
    for window in iter_windows(Path(path)):
        found, _info = model.transcribe(
            window.samples,
            language=source_language,
            task="translate",
            beam_size=5,
            condition_on_previous_text=False,
            vad_filter=False,
        )
        for s in found:
            text = " ".join(s.text.split())
            if text:
                segments.append(
                    TranslatedSegment(
                        start=round(window.offset + float(s.start), 3),
                        end=round(window.offset + float(s.end), 3),
                        text=text,
                    )
                )
    return SpeechTranslation(
        engine=transcriber.engine,
        model=transcriber.model_name,
        source_language=source_language,
        segments=segments,
    )
