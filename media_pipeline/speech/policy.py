"""Decoding options and the engine-neutral guards against Whisper's failure modes.

Everything here is pure (no model, no torch) so it is unit-testable on its own.

Failure modes and what guards against each:

* **Repetition loops** ("the the the ..." or one sentence over and over): temperature
  fallback when a window's gzip compression ratio exceeds ``compression_ratio_threshold``;
  ``condition_on_previous_text=False`` so one looping window cannot prime the next; and
  :func:`filter_segments` drops segments still above the threshold after all fallbacks and
  segments that merely repeat the previous segment's text.
* **Hallucinated text on silence/noise** ("Thank you.", subtitles credits): the Silero VAD
  gates every window (no speech -> the model is not run at all), Whisper's own
  ``no_speech_prob``/``avg_logprob`` rule, and :func:`filter_segments` drops segments lying
  outside every VAD speech region.
* **Dropped stretches in long audio**: fixed-size windows cut at quiet moments (see
  ``audio.py``) keep one bad window from derailing the rest; VAD is configured
  conservatively (2 s of silence before a chunk ends, 400 ms padding) and can be turned
  off. Speech regions are decoded *in place*, each on its own (see
  :func:`decode_regions`): never glued together, because Whisper decodes a 30 s input
  made of two far-apart regions as one utterance, emits end-of-text after the first,
  and everything after it in that 30 s is skipped. A region of a group that comes back
  with no text at all is decoded again on its own (:func:`uncovered`), and so is
  speech after a group's last segment (:func:`untranscribed_tail`). Speech longer than
  30 s is cut at a pause into regions Whisper takes in one input
  (``vad_max_speech_seconds``), which also makes them independent, so they can be
  decoded concurrently (``engines/base.py``).

Language: a drive names the languages it expects (plus the reporter's own choice). Whisper's
language probabilities are then read *among those* (:func:`decide_language`): the best
expected language wins unless an unexpected one is overwhelmingly likely
(``overwhelming_language_probability``, 0.95: base gives generated Finnish "Thai" at 0.88
to 0.90), so a Swedish recording that Whisper finds
"Latin, p = 0.47" is decoded as Swedish, while a reporter who really speaks another
language is still heard in it. When Whisper's probabilities do not settle it (the most
likely language is unexpected, or an expected one below ``language_threshold``), the
speech is also decoded once in each expected language and the one whose text the model
finds most likely (highest average log-probability per token) is chosen: on generated
Swedish, base's language probabilities say English (0.54) and rank Finnish above Swedish,
while the decoded Swedish text scores higher than the Finnish. Without expected languages
the old rule holds: the detected language, else the hint when detection is unsure
(``language_threshold``).
Forcing one language always would make Whisper translate (badly) whatever a reporter says
in another language. The decision (probabilities, choice, reason) is kept with the
transcript so a curator can see and correct it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from media_pipeline.speech.results import Segment, Word


@dataclass(frozen=True)
class DecodeOptions:
    """Decoding settings shared by both engines (defaults: Whisper's, plus our guards)."""

    beam_size: int = 5
    best_of: int = 5
    temperatures: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
    compression_ratio_threshold: float = 2.4
    log_prob_threshold: float = -1.0
    no_speech_threshold: float = 0.6
    condition_on_previous_text: bool = False
    # Decode text tokens only; segments are then cut from the word timestamps (which are
    # aligned afterwards either way). Fewer tokens to generate per 30 s.
    without_timestamps: bool = False
    # Seconds of silence around a suspicious segment above which it is skipped (Whisper's
    # own heuristic; needs word timestamps). None disables it.
    hallucination_silence_threshold: float | None = None
    # Greedy decoding first, beam search only for doubtful regions (speech/decoding.py).
    # Off: it cost WER without a reliable speed gain (docs/performance.md, 2026-12-07).
    greedy_first: bool = False
    language_threshold: float = 0.5
    # An unexpected language is chosen over the drive's expected ones only at or above
    # this probability (see decide_language).
    overwhelming_language_probability: float = 0.95
    vad: bool = True
    vad_threshold: float = 0.5
    vad_min_silence_ms: int = 2000
    vad_speech_pad_ms: int = 400
    # Speech longer than this (seconds, padding included) is cut at its last short pause
    # before the limit, so a long monologue becomes independent <= 30 s decode regions
    # (decoded concurrently, see engines/base.py) instead of one region that Whisper must
    # walk through in dependent 30 s steps. None: no limit.
    vad_max_speech_seconds: float | None = 30.0
    # A segment overlapping VAD speech for less than this fraction of its length is dropped.
    min_speech_overlap: float = 0.1
    # Neighbouring VAD regions are decoded together while the group spans at most this
    # (Whisper's input is 30 s: fewer encoder passes for halting speech).
    region_group_seconds: float = 30.0
    # A VAD region shorter than this that no segment covers is not decoded again.
    min_redecode_seconds: float = 1.0
    # When a group's last segment ends this long before the group's speech does, the rest
    # is decoded again on its own (Whisper sometimes ends a 30 s input after its first
    # sentence). None disables it.
    tail_redecode_seconds: float | None = 2.0
    window_seconds: float = 600.0


@dataclass
class RawSegment:
    """A segment as an engine produced it, with the scores the guards need."""

    start: float
    end: float
    text: str
    words: list[Word] = field(default_factory=list)
    avg_logprob: float = 0.0
    no_speech_prob: float = 0.0
    compression_ratio: float = 1.0


def choose_language(
    detected: str | None, probability: float, hint: str | None, threshold: float
) -> tuple[str | None, float]:
    """Pick the decoding language: detected if confident, else the hint, else detected."""
    if hint and (detected is None or probability < threshold):
        return hint, probability if detected == hint else 0.0
    return detected, probability


#: Why a language was chosen (stored with the transcript, shown in the console).
EXPECTED = "expected"  # the most likely language is one the drive expects
FALLBACK = "fallback"  # an unexpected language was most likely, but not overwhelmingly
OVERWHELMING = "overwhelming"  # an unexpected language, too likely to ignore
DETECTED = "detected"  # no expected languages: Whisper's own choice
HINT = "hint"  # no expected languages, detection unsure: the hint
CORRECTED = "corrected"  # a curator set the language; nothing was detected
FORCED = "forced"  # the caller fixed the language (a listening check); nothing was detected


@dataclass(frozen=True)
class LanguageDecision:
    """Which language a recording is decoded in, and why."""

    chosen: str | None
    reason: str
    detected: str | None = None
    detected_probability: float = 0.0
    expected: tuple[str, ...] = ()
    # Whisper's probabilities of the expected languages and of the most likely one.
    probabilities: dict[str, float] = field(default_factory=dict)
    threshold: float = 0.0
    # Average log-probability per token of the speech decoded in each expected language,
    # when the probabilities alone did not settle it (see needs_listening).
    listened: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON form stored on the transcript."""
        data = asdict(self)
        data["expected"] = list(self.expected)
        return data


def decide_language(
    probabilities: Mapping[str, float], expected: Sequence[str], overwhelming: float
) -> LanguageDecision:
    """The best of the ``expected`` languages, unless an unexpected one is overwhelming.

    ``probabilities`` are Whisper's over all its languages. An unexpected language is
    chosen only with probability >= ``overwhelming``; otherwise the expected language
    Whisper finds most likely (Whisper's probabilities restricted to the expected ones).
    """
    expected = tuple(dict.fromkeys(code for code in expected if code))
    if not probabilities:
        chosen = expected[0] if expected else None
        return LanguageDecision(chosen, FALLBACK, expected=expected, threshold=overwhelming)
    detected = max(probabilities, key=lambda code: probabilities[code])
    p_detected = float(probabilities[detected])
    shown = {code: round(float(probabilities.get(code, 0.0)), 4) for code in expected}
    shown[detected] = round(p_detected, 4)
    if not expected:
        chosen, reason = detected, DETECTED
    elif detected in expected:
        chosen, reason = detected, EXPECTED
    elif p_detected >= overwhelming:
        chosen, reason = detected, OVERWHELMING
    else:
        chosen = max(expected, key=lambda code: probabilities.get(code, 0.0))
        reason = FALLBACK
    return LanguageDecision(
        chosen, reason, detected, round(p_detected, 4), expected, shown, overwhelming
    )


#: The score of a decode that looped (compression ratio above the threshold) or gave no
#: text: a loop repeats easy tokens, so its average log-probability is high and worthless.
UNREADABLE_SCORE = -10.0


def listening_score(
    avg_logprob: float, tokens: int, compression_ratio: float, limit: float
) -> float:
    """How well the speech read in one language: its average log-probability per token,
    or :data:`UNREADABLE_SCORE` for no text or a repetition loop."""
    if tokens == 0 or compression_ratio > limit:
        return UNREADABLE_SCORE
    return avg_logprob


def needs_listening(decision: LanguageDecision, unsure_below: float) -> bool:
    """Whether to decode in each expected language before choosing among them."""
    if len(decision.expected) < 2:
        return False
    if decision.reason == FALLBACK:
        return True
    return decision.reason == EXPECTED and decision.detected_probability < unsure_below


#: How much better (average log-probability per token) another expected language must read
#: to win over the language the reporter said they speak. Closer scores are noise: on one
#: full test run espeak Swedish, said to be Swedish, read -1.19 as Swedish and -1.13 as
#: Finnish and was transcribed as Finnish; on every other run it was heard as Swedish.
LISTENING_MARGIN = 0.1


def prefer_listened(
    decision: LanguageDecision, scores: Mapping[str, float], said: str | None = None
) -> LanguageDecision:
    """The decision with the expected language whose decoded text scored best; ``said``
    (the reporter's own language) keeps its place unless another reads better by
    ``LISTENING_MARGIN``. Without it the best score wins, however close."""
    if not scores:
        return decision
    best = max(scores, key=lambda code: scores[code])
    if said is not None and said in scores and scores[best] - scores[said] < LISTENING_MARGIN:
        best = said
    rounded = {code: round(float(score), 4) for code, score in scores.items()}
    return replace(decision, chosen=best, listened=rounded)


_PUNCT_OR_SPACE = re.compile(r"[\W_]+", re.UNICODE)


def normalise_for_comparison(text: str) -> str:
    """Lower-case, strip accents' compatibility forms, punctuation and spacing."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return _PUNCT_OR_SPACE.sub(" ", text).strip()


def speech_overlap(start: float, end: float, speech: Sequence[tuple[float, float]]) -> float:
    """Fraction of ``[start, end]`` covered by the ``speech`` intervals (seconds)."""
    length = end - start
    if length <= 0:
        # A zero-length segment counts as speech if it lies inside a speech interval.
        return 1.0 if any(s <= start <= e for s, e in speech) else 0.0
    covered = sum(max(0.0, min(end, e) - max(start, s)) for s, e in speech)
    return min(1.0, covered / length)


def sanitise_words(segment: Segment) -> Segment:
    """Clamp word times into the segment and make them monotonic.

    Whisper's word alignment (DTW over attention) can place a word a few milliseconds
    before the previous one or outside its segment; downstream consumers (subtitles,
    redaction of names by time span) assume ordered, nested spans.
    """
    previous_end = segment.start
    for word in segment.words:
        word.start = min(max(word.start, previous_end), segment.end)
        word.end = min(max(word.end, word.start), segment.end)
        previous_end = word.end
    return segment


def filter_segments(
    segments: Iterable[RawSegment],
    options: DecodeOptions,
    speech: Sequence[tuple[float, float]] | None = None,
    previous_text: str = "",
) -> tuple[list[Segment], list[tuple[str, RawSegment]]]:
    """Apply the guards; returns (kept segments, [(reason, dropped segment), ...]).

    ``speech`` are VAD speech intervals in the same time base, or None when VAD is off.
    ``previous_text`` is the last kept segment's text from the previous window.
    """
    kept: list[Segment] = []
    dropped: list[tuple[str, RawSegment]] = []
    last = normalise_for_comparison(previous_text)
    for raw in segments:
        text = raw.text.strip()
        norm = normalise_for_comparison(text)
        reason = None
        if not norm:
            reason = "empty"
        elif raw.compression_ratio > options.compression_ratio_threshold:
            reason = "repetitive"
        elif (
            raw.no_speech_prob > options.no_speech_threshold
            and raw.avg_logprob < options.log_prob_threshold
        ):
            reason = "no speech"
        elif norm == last:
            reason = "repeated segment"
        elif speech is not None and speech_overlap(raw.start, raw.end, speech) < (
            options.min_speech_overlap
        ):
            reason = "outside speech"
        if reason:
            dropped.append((reason, raw))
            continue
        kept.append(sanitise_words(Segment(raw.start, raw.end, text, list(raw.words))))
        last = norm
    return kept, dropped


Interval = tuple[float, float]


def decode_regions(speech: Sequence[Interval], max_span: float) -> list[list[Interval]]:
    """Group consecutive VAD speech intervals into decode regions spanning <= ``max_span``.

    Each group is decoded on its own, on the original audio between its first start and
    last end (silences inside a group are kept, so Whisper sees real pauses, not splices).
    An interval longer than ``max_span`` forms a group alone; Whisper then decodes it in
    consecutive 30 s steps as usual.
    """
    groups: list[list[Interval]] = []
    for interval in speech:
        if groups and interval[1] - groups[-1][0][0] <= max_span:
            groups[-1].append(interval)
        else:
            groups.append([interval])
    return groups


def uncovered(
    intervals: Sequence[Interval], spans: Sequence[Interval], min_seconds: float
) -> list[Interval]:
    """``intervals`` at least ``min_seconds`` long that none of ``spans`` overlaps."""
    return [
        (start, end)
        for start, end in intervals
        if end - start >= min_seconds and not any(s < end and e > start for s, e in spans)
    ]


def untranscribed_tail(
    end: float, spans: Sequence[Interval], min_seconds: float | None
) -> Interval | None:
    """The stretch after the last of ``spans`` up to ``end``, if at least ``min_seconds``.

    A VAD region ends in speech (plus padding), so a long stretch there without any
    segment is speech that was not transcribed. None when nothing was transcribed at
    all (nothing to go on) or the check is off.
    """
    if min_seconds is None or not spans:
        return None
    last = max(e for _, e in spans)
    return (last, end) if end - last >= min_seconds else None


def join_text(segments: Iterable[Segment]) -> str:
    """Transcript text: segment texts joined by single spaces."""
    return " ".join(s.text.strip() for s in segments if s.text.strip())
