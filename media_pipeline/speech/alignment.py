"""Word timings for the transcript a curator sees, so that the sound follows the text.

A curator's correction ("Maija" where Whisper heard "my ear") has no timing of its own.
Two ways give it one, and callers use both (the union, privacy first):

- :func:`diff_timings`: a token diff between the corrected text and the machine's words;
  a corrected word inherits the time of the machine words it replaced. Cheap, and robust
  to mishearing, since the replaced words were said where the right ones were.
- :func:`force_align`: the corrected text aligned to the audio by the same Whisper weights
  (cross-attention alignment, as Whisper's own word timestamps), window by window.

Tokens are the text's whitespace-separated words, with their character offsets, so a
redacted span (character offsets into the text) maps to the tokens it touches.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from media_pipeline.speech.audio import SAMPLE_RATE, iter_windows
from media_pipeline.speech.results import Word

# Whisper sees at most 30 s at once; leave room for the margins around the words.
MAX_PIECE_SECONDS = 28.0
PIECE_MARGIN_SECONDS = 1.0
# A word inserted between two machine words said back to back gets at least this much
# time around the gap, so an insertion never maps to an empty instant.
MIN_INSERT_SECONDS = 0.3


@dataclass(frozen=True, slots=True)
class TextToken:
    """A whitespace-separated word of a text: its offsets and its letters and digits."""

    start: int
    end: int
    norm: str


@dataclass(frozen=True, slots=True)
class TimedToken:
    """A token of the text and when it is said (seconds), or None when nobody knows."""

    token: TextToken
    time: tuple[float, float] | None


@dataclass(frozen=True, slots=True)
class MachineWord:
    """A word as the speech engine heard it, with its time."""

    word: str
    start: float
    end: float


def normalise(word: str) -> str:
    """Letters and digits only, case-folded: "Virtanen," and "virtanen" are one token."""
    return re.sub(r"\W", "", word.casefold())


def tokens(text: str) -> list[TextToken]:
    """The text's whitespace-separated words with their character offsets."""
    return [TextToken(m.start(), m.end(), normalise(m.group())) for m in re.finditer(r"\S+", text)]


def diff_timings(text: str, machine: Sequence[MachineWord]) -> list[TimedToken]:
    """Each token of ``text`` with the time of the machine words it matches or replaced.

    Equal tokens keep their word's time; a replaced block of tokens takes the whole time of
    the machine block it replaced (a name Whisper wrote as three words is muted whole); an
    inserted token takes the gap between its neighbours, widened to
    :data:`MIN_INSERT_SECONDS` when they touch.
    """
    ours = tokens(text)
    theirs = [(n, w) for w in machine for n in map(normalise, w.word.split()) if n]
    matcher = difflib.SequenceMatcher(
        a=[t.norm for t in ours], b=[n for n, _ in theirs], autojunk=False
    )
    timed: list[TimedToken] = []
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            timed += [TimedToken(ours[a0 + k], _time(theirs[b0 + k][1])) for k in range(a1 - a0)]
        elif op == "replace":
            block = (theirs[b0][1].start, max(w.end for _, w in theirs[b0:b1]))
            timed += [TimedToken(t, block) for t in ours[a0:a1]]
        elif op == "delete":  # in ours only: words the curator added
            gap = _gap([w for _, w in theirs], b0)
            timed += [TimedToken(t, gap) for t in ours[a0:a1]]
        # "insert" (machine words the curator took out) leaves no token of ours to time.
    return timed


def _time(word: MachineWord) -> tuple[float, float]:
    return (float(word.start), float(word.end))


def _gap(machine: Sequence[MachineWord], index: int) -> tuple[float, float] | None:
    """The time between machine word ``index - 1`` and ``index``, where an insertion sits."""
    if not machine:
        return None
    before = machine[index - 1].end if index > 0 else max(0.0, machine[0].start - 1.0)
    after = machine[index].start if index < len(machine) else machine[-1].end + 1.0
    if after - before < MIN_INSERT_SECONDS:
        centre = (before + after) / 2
        before, after = centre - MIN_INSERT_SECONDS / 2, centre + MIN_INSERT_SECONDS / 2
    return (max(0.0, before), after)


@dataclass(frozen=True, slots=True)
class AlignPiece:
    """A stretch of the recording and the characters of the text said in it."""

    start: float
    end: float
    char_start: int
    char_end: int


def plan_pieces(
    timed: Sequence[TimedToken],
    duration: float,
    max_seconds: float = MAX_PIECE_SECONDS,
    margin: float = PIECE_MARGIN_SECONDS,
) -> list[AlignPiece]:
    """Cut the text into pieces Whisper can align at once (≤ ``max_seconds`` of audio).

    Where the diff knows roughly when each token is said, a piece runs from its first
    token to its last, with ``margin`` seconds either side; tokens without a time join the
    piece they sit in.
    """
    pieces: list[AlignPiece] = []
    current: list[TimedToken] = []
    for item in timed:
        candidate = [*current, item]
        span = _span(candidate)
        if current and span and span[1] - span[0] + 2 * margin > max_seconds:
            pieces.append(_piece(current, duration, margin))
            candidate = [item]
        current = candidate
    if current:
        pieces.append(_piece(current, duration, margin))
    return [p for p in pieces if p.end > p.start]


def _span(items: Sequence[TimedToken]) -> tuple[float, float] | None:
    times = [t.time for t in items if t.time]
    return (min(a for a, _ in times), max(b for _, b in times)) if times else None


def _piece(items: Sequence[TimedToken], duration: float, margin: float) -> AlignPiece:
    span = _span(items) or (0.0, duration)
    return AlignPiece(
        start=max(0.0, span[0] - margin),
        end=min(duration, span[1] + margin) if duration else span[1] + margin,
        char_start=items[0].token.start,
        char_end=items[-1].token.end,
    )


@runtime_checkable
class Aligner(Protocol):
    """An engine that can place the words of a known text in (≤ 30 s of) audio."""

    def align_window(self, samples: np.ndarray, text: str, language: str | None) -> list[Word]:
        """``text``'s words with times relative to the start of ``samples``."""
        ...


def cut(path: Path, spans: Sequence[tuple[float, float]]) -> list[np.ndarray]:
    """The samples of each ``(start, end)`` of the recording at ``path`` (16 kHz mono).

    Reads the file once, window by window, so memory is one window plus the pieces.
    """
    parts: list[list[np.ndarray]] = [[] for _ in spans]
    for window in iter_windows(Path(path)):
        w_start, w_end = window.offset, window.offset + window.duration
        for i, (start, end) in enumerate(spans):
            low, high = max(start, w_start), min(end, w_end)
            if high > low:
                a, b = round((low - w_start) * SAMPLE_RATE), round((high - w_start) * SAMPLE_RATE)
                parts[i].append(window.samples[a:b])
    return [np.concatenate(p) if p else np.zeros(0, dtype=np.float32) for p in parts]


def force_align(
    aligner: Aligner,
    path: Path,
    text: str,
    pieces: Sequence[AlignPiece],
    language: str | None,
) -> list[TimedToken]:
    """Tokens of ``text`` with the times Whisper aligns them to in the recording at ``path``.

    Tokens the aligner returned no word for are left out (callers fall back on the diff).
    """
    aligned: list[tuple[int, int, float, float]] = []
    samples = cut(path, [(p.start, p.end) for p in pieces])
    for piece, audio in zip(pieces, samples, strict=True):
        said = text[piece.char_start : piece.char_end]
        if not said.strip() or len(audio) < SAMPLE_RATE // 10:
            continue
        words = aligner.align_window(audio, said, language)
        for start, end, word in _locate(said, words):
            aligned.append(
                (
                    piece.char_start + start,
                    piece.char_start + end,
                    piece.start + word.start,
                    piece.start + word.end,
                )
            )
    timed = []
    for token in tokens(text):
        times = [(a, b) for s, e, a, b in aligned if s < token.end and token.start < e]
        if times:
            timed.append(TimedToken(token, (min(a for a, _ in times), max(b for _, b in times))))
    return timed


def _locate(text: str, words: Sequence[Word]) -> list[tuple[int, int, Word]]:
    """Character offsets of each aligned word in ``text``, found in order."""
    found = []
    cursor = 0
    for word in words:
        needle = word.word.strip()
        if not needle:
            continue
        at = text.find(needle, cursor)
        if at < 0:
            continue  # the tokenizer rewrote it; the diff still times this token
        found.append((at, at + len(needle), word))
        cursor = at + len(needle)
    return found
