"""Diarisation error rate on the generated two-voice workshop recording (docs/pipeline.md).

    .venv/bin/python bench/diarisation_der.py

Makes the recording of tests/media_pipeline/speech/test_speakers.py (espeak-ng en+m3 and
en+f4, four alternating turns), tells its speakers apart, and prints the turns found and
the frame-level DER with a 0.25 s collar and without one.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from media_pipeline.speech import speakers
from media_pipeline.speech.audio import decode_audio
from tests.media_pipeline.speech.test_speakers import two_voices


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        wav, truth = two_voices(Path(folder))
        samples = decode_audio(wav)
        started = time.perf_counter()
        found = speakers.diarise(samples)
        seconds = time.perf_counter() - started
    for turn in found:
        print(f"{turn.label}: {turn.start:6.2f} - {turn.end:6.2f} s")
    print(f"reference: {', '.join(f'{t.speaker}@{t.start:.2f}-{t.end:.2f}' for t in truth)}")
    for collar in (0.25, 0.0):
        der = speakers.diarisation_error_rate(truth, found, collar=collar)
        print(f"DER (collar {collar:.2f} s): {der:.2%}")
    print(f"{len(samples) / 16000:.1f} s of audio told apart in {seconds:.1f} s")


if __name__ == "__main__":
    main()
