"""Signal measurements and synthetic test pictures for the anonymiser tests."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

RATE = 16_000


def decode_mono(path: Path, rate: int = RATE) -> np.ndarray:
    """Every sample of ``path``'s first audio stream as float32 mono at ``rate``."""
    resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
    parts: list[np.ndarray] = []
    with av.open(str(path)) as container:
        for frame in container.decode(audio=0):
            frame.pts = None
            parts.extend(f.to_ndarray().reshape(-1) for f in resampler.resample(frame))
    parts.extend(f.to_ndarray().reshape(-1) for f in resampler.resample(None))
    return np.concatenate(parts) if parts else np.zeros(0, np.float32)


def segment(samples: np.ndarray, start: float, end: float, rate: int = RATE) -> np.ndarray:
    """The samples between ``start`` and ``end`` seconds."""
    return samples[int(start * rate) : int(end * rate)]


def rms(samples: np.ndarray) -> float:
    """Root mean square level (1.0 = full scale sine peak)."""
    return float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))


def dominant_hz(samples: np.ndarray, rate: int = RATE) -> float:
    """The strongest frequency in ``samples`` (Hann-windowed FFT peak)."""
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.argmax(spectrum) * rate / len(samples))


def band_level(samples: np.ndarray, hz: float, rate: int = RATE, width: float = 30.0) -> float:
    """Share of the spectrum's magnitude within ``width`` Hz of ``hz`` (0..1)."""
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    freqs = np.fft.rfftfreq(len(samples), 1 / rate)
    total = float(spectrum.sum()) or 1.0
    return float(spectrum[np.abs(freqs - hz) <= width].sum() / total)


def pitch_track(samples: np.ndarray, rate: int = RATE) -> np.ndarray:
    """Fundamental frequency (Hz) of each 40 ms frame (20 ms hop), ``nan`` where unvoiced.

    Autocorrelation peak in the 50-400 Hz range; frames quieter than a third of the loudest,
    or without clear periodicity, count as unvoiced.
    """
    size = int(0.04 * rate)
    frames = [samples[i : i + size] for i in range(0, len(samples) - size, size // 2)]
    loudest = max(rms(f) for f in frames)
    lo, hi = int(rate / 400), int(rate / 50)
    track = np.full(len(frames), np.nan)
    for n, frame in enumerate(frames):
        if rms(frame) < loudest / 3:
            continue
        x = frame - frame.mean()
        ac = np.correlate(x, x, mode="full")[size - 1 :]
        lag = lo + int(np.argmax(ac[lo:hi]))
        if ac[0] > 0 and ac[lag] / ac[0] > 0.4:
            track[n] = rate / lag
    return track


def pitch_ratio(before: np.ndarray, after: np.ndarray, rate: int = RATE) -> float:
    """Median ratio of ``after``'s pitch to ``before``'s over frames voiced in both."""
    count = min(len(before), len(after))
    a, b = pitch_track(before[:count], rate), pitch_track(after[:count], rate)
    both = ~np.isnan(a) & ~np.isnan(b)
    assert both.sum() >= 20, "too few voiced frames to compare pitch"
    return float(np.median(b[both] / a[both]))


def voice_like(seconds: float, f0: float = 180.0, rate: int = RATE) -> np.ndarray:
    """A buzzy vowel-like signal: ``f0`` with decaying harmonics, amplitude-modulated."""
    t = np.arange(int(seconds * rate)) / rate
    wave = sum(np.sin(2 * np.pi * f0 * k * t) / k for k in range(1, 6))
    envelope = 0.8 + 0.2 * np.sin(2 * np.pi * 3 * t)
    return (0.2 * wave * envelope).astype(np.float32)


def drawn_face(size: int = 200, background: int = 200) -> Image.Image:
    """A greyscale cartoon face (hair, brows, eyes, bright nose, mouth) OpenCV's cascades detect.

    The face is about ``size`` pixels across, centred on a square canvas twice that size.
    """
    canvas = size * 2
    im = Image.new("L", (canvas, canvas), background)
    draw = ImageDraw.Draw(im)
    c, s = canvas / 2, size / 200

    def oval(x0: float, y0: float, x1: float, y1: float, fill: int) -> None:
        draw.ellipse([c + x0 * s, c + y0 * s, c + x1 * s, c + y1 * s], fill=fill)

    oval(-80, -105, 80, 115, 170)
    draw.pieslice([c - 85 * s, c - 115 * s, c + 85 * s, c + 40 * s], 180, 360, fill=40)
    oval(-72, -70, 72, 110, 170)
    draw.rectangle([c - 58 * s, c - 38 * s, c - 18 * s, c - 30 * s], fill=60)
    draw.rectangle([c + 18 * s, c - 38 * s, c + 58 * s, c - 30 * s], fill=60)
    oval(-52, -22, -24, -6, 50)
    oval(24, -22, 52, -6, 50)
    draw.polygon(
        [
            (c - 6 * s, c - 5 * s),
            (c + 6 * s, c - 5 * s),
            (c + 14 * s, c + 35 * s),
            (c - 14 * s, c + 35 * s),
        ],
        fill=190,
    )
    oval(-16, 28, 16, 40, 110)
    oval(-32, 55, 32, 70, 80)
    return im.filter(ImageFilter.GaussianBlur(3 * s))


def scene_with_face(
    width: int = 640, height: int = 480, face: int = 120, at: tuple[int, int] = (80, 60)
) -> tuple[Image.Image, tuple[int, int, int, int]]:
    """An RGB scene (stripes on the right) with a drawn face pasted at ``at``.

    Returns the picture and the face's bounding square (left, top, right, bottom).
    """
    im = Image.new("RGB", (width, height), (200, 200, 200))
    draw = ImageDraw.Draw(im)
    for x in range(width // 2, width, 16):
        draw.rectangle([x, 0, x + 7, height], fill=(30, 90, 160))
    tile = drawn_face(face).convert("RGB")
    im.paste(tile, at)
    # The face itself spans the middle half of the tile.
    left, top = at[0] + face // 2, at[1] + face // 2
    return im, (left, top, left + face, top + face)


def scene_with_name_tag(
    name: str = "Anna Svensson", width: int = 800, height: int = 600, sign: str = ""
) -> tuple[Image.Image, tuple[int, int, int, int], tuple[int, int, int, int]]:
    """A scene with a face and, below it, a white name tag reading ``name``; with ``sign``,
    a second white board at the bottom reads it.

    Returns the picture, the face's square and the tag's rectangle (left, top, right, bottom).
    """
    im, face = scene_with_face(width, height, face=140, at=(60, 40))
    tag = (60, 400, 460, 470)
    draw = ImageDraw.Draw(im)
    draw.rectangle(tag, fill=(255, 255, 255))
    font = ImageFont.load_default(size=40)
    draw.text((75, 412), name, fill=(0, 0, 0), font=font)
    if sign:
        draw.rectangle((60, 500, 460, 570), fill=(255, 255, 255))
        draw.text((75, 512), sign, fill=(0, 0, 0), font=font)
    return im, face, tag
