"""An hour-long recording through normalisation and transcription, in bounded memory.

    python bench/long_recording.py [--minutes 60] [--engine faster-whisper]

Builds a recording of the given length from the English FLEURS clips spread out with
quiet room noise between them (as a long workshop recording would be), then runs the
pipeline's normalisation and transcription steps on it, and prints the wall time, the
peak resident memory of this process and how many of the clips' words came back.
The clips are read from ``../shared/speech/fleurs`` and never copied into the repository.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
FLEURS = ROOT.parent / "shared" / "speech" / "fleurs"
RATE = 16_000


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def clip_samples(path: Path) -> np.ndarray:
    """A FLEURS clip as 16 kHz mono float32."""
    from media_pipeline.speech.audio import decode_audio

    return decode_audio(path)


def write_long_recording(out: Path, minutes: float) -> int:
    """Write the recording chunk by chunk (never whole in memory); returns words planted."""
    clips = sorted(FLEURS.glob("fleurs-en-*.ogg"))
    words = sum(len(p.with_suffix(".txt").read_text().split()) for p in clips)
    total = int(minutes * 60 * RATE)
    gap = (total - sum(len(clip_samples(p)) for p in clips)) // len(clips)
    rng = np.random.default_rng(0)
    with wave.open(str(out), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        for path in clips:
            for start in range(0, gap, RATE * 60):
                noise = rng.normal(0, 0.002, min(RATE * 60, gap - start))
                wav.writeframes((noise * 32767).astype("<i2").tobytes())
            wav.writeframes((clip_samples(path) * 32767).astype("<i2").tobytes())
    return words


def main() -> int:
    """Build the recording, run the steps, print the numbers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--engine", default="faster-whisper")
    args = parser.parse_args()

    from media_pipeline.media import MediaLimits, normalise, probe
    from media_pipeline.speech.loader import get_transcriber

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "workshop.wav"
        planted = write_long_recording(source, args.minutes)
        baseline = peak_rss_mb()
        started = time.monotonic()
        info = probe(source, MediaLimits())
        normalised = normalise(source, info, Path(tmp) / "out", MediaLimits())[0]
        normalise_seconds = time.monotonic() - started
        transcriber = get_transcriber(args.engine, "base", auto_provision=True)
        started = time.monotonic()
        transcript = transcriber.transcribe(normalised.path)
        transcribe_seconds = time.monotonic() - started

    print(
        f"| recording | {(info.duration or 0) / 60:.1f} min, {info.size_bytes / 1e6:.0f} MB WAV |"
    )
    print(f"| normalise (probe + 16 kHz mono) | {normalise_seconds:.1f} s |")
    print(f"| transcribe ({args.engine}, base) | {transcribe_seconds:.1f} s |")
    print(f"| words planted / transcribed | {planted} / {len(transcript.text.split())} |")
    print(f"| peak RSS before / after | {baseline:.0f} MB / {peak_rss_mb():.0f} MB |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
