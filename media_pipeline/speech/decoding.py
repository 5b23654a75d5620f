"""The faster-whisper engine's decode strategy (optionally greedy first, beam search when
in doubt) and the compute type chosen from the CPU's features.

Pure (no model): the engine passes in a function that decodes once with given options.

* **Greedy first** (:func:`decode_greedy_first`, ``DecodeOptions.greedy_first``, off by
  default): Whisper's beam-search decoder is most of a transcription's time, and greedy
  decoding (beam 1, temperature 0) is 25-30 % cheaper. A region is decoded again with the
  full options (beam 5 and the temperature fallback) when any of its greedy segments is
  doubtful (:func:`is_doubtful`), or when greedy decoding found no text at all. Measured
  on FLEURS it either cost WER (rule at -0.5) or, with the rule strict enough to keep
  WER (-0.3), re-decoded so many regions that it was no faster than beam search
  everywhere (docs/performance.md); hence off.
* **Compute type** (:func:`compute_type_for`): int8 weights are accurate where the CPU
  has VNNI (``avx512_vnni`` or ``avx_vnni`` in ``/proc/cpuinfo``: CTranslate2's int8
  kernels then use them); on a CPU without, the int8 kernels scored 1.1 points of WER
  worse than float32 on the FLEURS clips, so float32 it is (slower, see
  docs/performance.md). float16 on CUDA.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from media_pipeline.speech.policy import DecodeOptions, RawSegment

VNNI_FLAGS = frozenset({"avx512_vnni", "avx_vnni"})


@dataclass(frozen=True)
class DoubtRule:
    """When a greedy segment is doubtful enough to decode its region again with beam search.

    Stricter than Whisper's own temperature fallback (average log-probability below -1.0,
    compression ratio above 2.4): greedy decoding goes wrong earlier than beam search
    does, and a second decode of a region that did not need it costs only time.
    """

    # Mean log-probability per token of the segment's text (faster-whisper gives every
    # segment of one 30 s input the input's mean): below it, the decoder was unsure of its
    # words (greedy picks one path; beam search compares five). -0.5 let through German
    # clips that greedy decoding got wrong at -0.36 to -0.38 (+1.1 points of WER on the
    # FLEURS clips); at -0.3 most regions go back to beam search (docs/performance.md).
    min_avg_logprob: float = -0.3
    # gzip compression ratio of the text: above it, the text repeats itself (a loop).
    max_compression_ratio: float = 2.0
    # Whisper's probability that the input has no speech: above it, the text may be
    # invented over noise; beam search with the fallback applies Whisper's own rule.
    max_no_speech_prob: float = 0.5


DEFAULT_DOUBT_RULE = DoubtRule()


def is_doubtful(segments: Sequence[RawSegment], rule: DoubtRule | None = None) -> bool:
    """Whether a region's greedy result should be decoded again with beam search.

    Empty results are doubtful too: the region is speech (VAD said so), so no text is
    more likely a decoding failure than silence.
    """
    rule = rule or DEFAULT_DOUBT_RULE
    spoken = [s for s in segments if s.text.strip()]
    if not spoken:
        return True
    return any(
        s.avg_logprob < rule.min_avg_logprob
        or s.compression_ratio > rule.max_compression_ratio
        or s.no_speech_prob > rule.max_no_speech_prob
        for s in spoken
    )


def greedy_options(options: DecodeOptions) -> DecodeOptions:
    """``options`` with greedy decoding: beam 1, temperature 0 only (no fallback)."""
    return replace(options, beam_size=1, best_of=1, temperatures=(0.0,))


def decode_greedy_first(
    decode: Callable[[DecodeOptions], list[RawSegment]],
    options: DecodeOptions,
    rule: DoubtRule | None = None,
) -> list[RawSegment]:
    """Decode greedily, and again with ``options`` (beam search) if the result is doubtful.

    ``decode`` decodes one region with the options it is given. Without
    ``options.greedy_first`` (or when ``options`` are greedy already) it is called once
    with ``options``.
    """
    if not options.greedy_first or options.beam_size <= 1:
        return decode(options)
    greedy = decode(greedy_options(options))
    if not is_doubtful(greedy, rule):
        return greedy
    return decode(options)


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> frozenset[str]:
    """The CPU feature flags the kernel reports (empty where there is no /proc/cpuinfo)."""
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return frozenset()
    return parse_cpu_flags(text.splitlines())


def parse_cpu_flags(lines: Iterable[str]) -> frozenset[str]:
    """Flags of the first processor in ``/proc/cpuinfo``'s lines (``flags : a b c``)."""
    for line in lines:
        key, _, value = line.partition(":")
        if key.strip() == "flags":
            return frozenset(value.split())
    return frozenset()


def compute_type_for(device: str, flags: frozenset[str]) -> str:
    """float16 on CUDA; on CPU int8 weights (float32 activations) where the CPU has VNNI,
    float32 where it does not (int8 is less accurate there)."""
    if device == "cuda":
        return "float16"
    return "int8_float32" if flags & VNNI_FLAGS else "float32"
