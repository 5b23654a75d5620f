"""Engine-neutral speech recognition results: a transcript with its segments and words."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Word:
    """One word with its time span (seconds from the start of the recording)."""

    start: float
    end: float
    word: str
    probability: float


@dataclass
class Segment:
    """A stretch of speech, usually a phrase or sentence, with its words."""

    start: float
    end: float
    text: str
    words: list[Word] = field(default_factory=list)


@dataclass
class SpeechTranscript:
    """The transcription of one recording by one engine and model."""

    engine: str
    model: str
    language: str | None
    language_probability: float
    duration: float
    text: str
    segments: list[Segment] = field(default_factory=list)
    # How the language was chosen (policy.LanguageDecision.to_dict()), None if unknown.
    language_decision: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-serialisable form (what the API stores and the CLI prints)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SpeechTranscript:
        """Rebuild a transcript from :meth:`to_dict` output."""
        segments = [
            Segment(
                start=s["start"],
                end=s["end"],
                text=s["text"],
                words=[Word(**w) for w in s.get("words", [])],
            )
            for s in data.get("segments", [])
        ]
        fields = {k: v for k, v in data.items() if k != "segments"}
        return cls(**fields, segments=segments)
