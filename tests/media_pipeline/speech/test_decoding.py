"""Greedy-first decoding and the compute type chosen from the CPU's flags."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from media_pipeline.speech.decoding import (
    DoubtRule,
    compute_type_for,
    decode_greedy_first,
    is_doubtful,
    parse_cpu_flags,
)
from media_pipeline.speech.policy import DecodeOptions, RawSegment

CONFIDENT = RawSegment(0.0, 2.0, " Hallo zusammen.", avg_logprob=-0.2, compression_ratio=1.3)


# --- Pure -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("segment", "doubtful"),
    [
        (CONFIDENT, False),
        (replace(CONFIDENT, avg_logprob=-0.8), True),  # unsure of its words
        (replace(CONFIDENT, compression_ratio=2.6), True),  # repeats itself
        (replace(CONFIDENT, no_speech_prob=0.7), True),  # maybe text over noise
    ],
)
def test_a_greedy_region_is_doubtful_when_any_segment_score_says_so(
    segment: RawSegment, doubtful: bool
) -> None:
    assert is_doubtful([segment]) is doubtful
    assert is_doubtful([CONFIDENT, segment]) is doubtful


def test_no_text_at_all_is_doubtful_and_thresholds_are_adjustable() -> None:
    assert is_doubtful([])
    assert is_doubtful([replace(CONFIDENT, text="  ")])
    assert not is_doubtful([CONFIDENT, replace(CONFIDENT, text="  ")])
    lenient = DoubtRule(min_avg_logprob=-1.0)
    assert not is_doubtful([replace(CONFIDENT, avg_logprob=-0.8)], lenient)


def test_beam_search_runs_only_when_the_greedy_result_is_doubtful() -> None:
    """The decoder given to the strategy is a stand-in answering by beam size."""
    calls: list[int] = []

    def decoder(answer_greedy: RawSegment):
        def decode(options: DecodeOptions) -> list[RawSegment]:
            calls.append(options.beam_size)
            if options.beam_size == 1:
                assert options.temperatures == (0.0,)
                return [answer_greedy]
            return [replace(CONFIDENT, text=" beam")]

        return decode

    options = DecodeOptions(greedy_first=True)
    assert decode_greedy_first(decoder(CONFIDENT), options) == [CONFIDENT]
    assert calls == [1]

    calls.clear()
    doubtful = replace(CONFIDENT, avg_logprob=-1.2)
    assert decode_greedy_first(decoder(doubtful), options)[0].text == " beam"
    assert calls == [1, 5]

    calls.clear()
    decode_greedy_first(decoder(CONFIDENT), replace(options, greedy_first=False))
    assert calls == [5]


CPUINFO_AVX2 = """processor\t: 0
vendor_id\t: AuthenticAMD
flags\t\t: fpu sse2 avx avx2 fma
"""


def test_compute_type_follows_the_cpus_int8_support() -> None:
    avx2 = parse_cpu_flags(CPUINFO_AVX2.splitlines())
    assert "avx2" in avx2
    assert compute_type_for("cpu", avx2) == "float32"
    assert compute_type_for("cpu", avx2 | {"avx512_vnni"}) == "int8_float32"
    assert compute_type_for("cpu", avx2 | {"avx_vnni"}) == "int8_float32"
    assert compute_type_for("cpu", frozenset()) == "float32"
    assert compute_type_for("cuda", avx2) == "float16"


# --- Real model -------------------------------------------------------------------------


@pytest.mark.slow
def test_greedy_first_gives_the_words_of_beam_search_on_real_speech(
    speech_models_dir: Path, fleurs_dir: Path
) -> None:
    import jiwer
    from whisper.normalizers import BasicTextNormalizer

    from media_pipeline.speech.loader import get_transcriber

    clip = fleurs_dir / "fleurs-de-002.ogg"
    texts = {}
    for greedy_first in (False, True):
        transcriber = get_transcriber(
            "faster-whisper",
            "base",
            "cpu",
            compute_type="int8_float32",
            models_dir=speech_models_dir,
            options=DecodeOptions(greedy_first=greedy_first),
        )
        texts[greedy_first] = BasicTextNormalizer()(transcriber.transcribe(clip, "de").text)
    reference = BasicTextNormalizer()(clip.with_suffix(".txt").read_text(encoding="utf-8"))
    assert texts[True]
    # Greedy alone splits a compound here ("unabhängigkeit erklärung", 2 of 23 words) at an
    # average log-probability of -0.36: the default rule sends it to beam search again.
    assert jiwer.wer(texts[False], texts[True]) <= 0.1
    assert jiwer.wer(reference, texts[True]) <= jiwer.wer(reference, texts[False]) + 0.1
