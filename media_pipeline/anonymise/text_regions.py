"""Text in pictures: read words with Tesseract and pick the boxes to blur.

A name tag, a crew patch or a letter on a table can name the reporter as surely as a face.
:func:`read_words` runs the ``tesseract`` binary (Finnish, Swedish, German and English) over
a downscaled copy of the picture, bounded by a timeout, and returns each word with its box;
:func:`personal_boxes` runs the personal-data detector over the words, line by line, and
returns the boxes of the words it calls personal.

Reading is a safety net, like face detection: stylised, tilted, tiny or low-contrast text
may be missed. When Tesseract fails or runs out of time, :class:`TextReadingFailed` is
raised so the caller can refuse to publish rather than publish text nobody has read.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from media_pipeline.privacy import PersonalDataSpan

from .boxes import Box

# Tesseract's language packs for the product's languages.
LANGUAGES = ("fin", "swe", "deu", "eng")
# Name tags are still legible at this size, and Tesseract's time grows with the pixel count.
READ_EDGE = 2000
READ_TIMEOUT_SECONDS = 30.0
# Tesseract's own confidence (0-100); below this a "word" is usually texture, not text.
MIN_CONFIDENCE = 30.0
# Two page layouts, each finding text the other misses: "sparse text" (11) finds words
# scattered over a photo; "automatic" (3) finds a name tag that sparse mode, next to a busy
# pattern, reads as a stray letter. Words found by either are blurred.
_PAGE_SEGMENTATIONS = ("11", "3")


class TextReadingFailed(RuntimeError):
    """Tesseract is missing, failed or ran out of time: the picture's text is unknown."""


@dataclass(frozen=True, slots=True)
class Word:
    """One word read in a picture, with its box in the picture's own pixels."""

    text: str
    box: Box
    confidence: float
    line: tuple[int, ...]  # (reading, block, paragraph, line): the words of one line


Detector = Callable[[str], Sequence[PersonalDataSpan]]


def read_words(
    image: Image.Image,
    *,
    languages: Sequence[str] = LANGUAGES,
    max_edge: int = READ_EDGE,
    timeout: float = READ_TIMEOUT_SECONDS,
) -> list[Word]:
    """The words Tesseract reads in ``image``, boxes in ``image``'s pixel coordinates.

    The picture is read as greyscale, shrunk to ``max_edge`` at most, once per page layout
    (the same word may come back twice). Raises :class:`TextReadingFailed` if the binary is
    missing, fails or all readings together exceed ``timeout`` seconds.
    """
    grey = image.convert("L")
    scale = min(1.0, max_edge / max(grey.size))
    if scale < 1.0:
        size = (max(1, round(grey.width * scale)), max(1, round(grey.height * scale)))
        grey = grey.resize(size, Image.Resampling.LANCZOS)
    deadline = time.monotonic() + timeout
    words: list[Word] = []
    for reading, layout in enumerate(_PAGE_SEGMENTATIONS):
        left = deadline - time.monotonic()
        if left <= 0:
            raise TextReadingFailed(f"reading text took longer than {timeout:.0f} s")
        table = _run_tesseract(grey, languages, layout, left, timeout)
        words += [_scaled(word, scale) for word in _parse_tsv(table, reading)]
    return words


def _run_tesseract(
    image: Image.Image, languages: Sequence[str], layout: str, left: float, timeout: float
) -> str:
    binary = shutil.which("tesseract")
    if binary is None:
        raise TextReadingFailed("tesseract is not installed; text in pictures cannot be read")
    # One thread: the workers already run one task per core, and OpenMP's threads only fight.
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    with tempfile.TemporaryDirectory(prefix="tarina-ocr-") as scratch:
        source = Path(scratch) / "page.png"
        image.save(source, "PNG")
        command = [binary, str(source), "stdout", "-l", "+".join(languages)]
        command += ["--psm", layout, "tsv"]
        try:
            # The command is fixed here; only our own temporary file name goes into it.
            done = subprocess.run(  # noqa: S603
                command, capture_output=True, timeout=left, env=env, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise TextReadingFailed(f"reading text took longer than {timeout:.0f} s") from exc
    if done.returncode != 0:
        problem = done.stderr.decode(errors="replace").strip()[-300:]
        raise TextReadingFailed(f"tesseract failed: {problem}")
    return done.stdout.decode("utf-8", errors="replace")


def _parse_tsv(table: str, reading: int) -> Iterable[Word]:
    """Words of Tesseract's TSV output (level 5 rows), skipping empty and unsure ones."""
    rows = csv.DictReader(io.StringIO(table), delimiter="\t", quoting=csv.QUOTE_NONE)
    for row in rows:
        text = (row.get("text") or "").strip()
        if row.get("level") != "5" or not text:
            continue
        confidence = float(row.get("conf") or -1)
        if confidence < MIN_CONFIDENCE:
            continue
        box = Box(int(row["left"]), int(row["top"]), int(row["width"]), int(row["height"]))
        line = (reading, int(row["block_num"]), int(row["par_num"]), int(row["line_num"]))
        yield Word(text, box, confidence, line)


def _scaled(word: Word, scale: float) -> Word:
    if scale == 1.0:
        return word
    b = word.box
    box = Box(
        int(b.x / scale), int(b.y / scale), round(b.width / scale) + 1, round(b.height / scale) + 1
    )
    return Word(word.text, box, word.confidence, word.line)


def lines_of(words: Sequence[Word]) -> list[list[Word]]:
    """Words grouped by the line Tesseract found them on, in reading order."""
    lines: dict[tuple[int, ...], list[Word]] = {}
    for word in words:
        lines.setdefault(word.line, []).append(word)
    return list(lines.values())


def personal_words(words: Sequence[Word], detect: Detector) -> list[Word]:
    """The words ``detect`` calls personal data.

    Each line is joined with single spaces and given to ``detect`` whole, so a first name
    and a surname are seen together ("Anna Svensson") as the detector expects; every word
    a span touches counts.
    """
    found: list[Word] = []
    for line in lines_of(words):
        text, starts = _joined(line)
        for span in detect(text):
            found.extend(
                word
                for word, start in zip(line, starts, strict=True)
                if start < span.end and start + len(word.text) > span.start
            )
    return found


def personal_boxes(words: Sequence[Word], detect: Detector) -> list[Box]:
    """Boxes of the words ``detect`` calls personal data (see :func:`personal_words`)."""
    return [word.box for word in personal_words(words, detect)]


def _joined(line: Sequence[Word]) -> tuple[str, list[int]]:
    """The line's text and where each word starts in it."""
    starts, cursor = [], 0
    for word in line:
        starts.append(cursor)
        cursor += len(word.text) + 1
    return " ".join(word.text for word in line), starts
