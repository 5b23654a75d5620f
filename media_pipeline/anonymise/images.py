"""Published pictures: a plain JPEG with no metadata at all, faces and personal text blurred.

Faces are found with OpenCV's bundled Haar cascades (frontal and profile, both directions),
which work offline and in milliseconds. They miss some faces (small, tilted, dark, masked), so
blurring is a safety net behind the moderator's review, not a guarantee. The detectors are
tuned to prefer blurring something that is not a face over missing one that is.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import cv2
import numpy as np
from PIL import Image, ImageFilter

from media_pipeline.media.images import decode_clean
from media_pipeline.media.limits import MediaLimits
from media_pipeline.media.sniff import Family, sniff_path

from .boxes import Box, RelativeBox
from .text_regions import Detector, personal_boxes, read_words

log = logging.getLogger(__name__)

JPEG_QUALITY = 88
# Detection runs on a copy no larger than this (longest edge): fast, and faces smaller than
# ~1/30 of the picture's edge are missed anyway by the 20-pixel minimum window.
DETECT_EDGE = 640
_MIN_FACE = 20
# Widen boxes so hair, ears and jaw line (all recognisable) are covered too.
FACE_MARGIN = 0.3
# Each face ends up as this many coarse blocks across before blurring: too few to recognise.
PIXEL_BLOCKS = 6
_CASCADES = (
    "haarcascade_frontalface_default.xml",
    "haarcascade_frontalface_alt2.xml",
    "haarcascade_profileface.xml",
)
_PROFILE = "haarcascade_profileface.xml"
MIME_TYPE = "image/jpeg"
# Words are tightly boxed by Tesseract; a little more hides ascenders, descenders and accents.
TEXT_MARGIN = 0.15

# Which text in a picture is blurred: none, what the personal-data detector flags, or all.
TextPolicy = Literal["none", "personal", "all"]


@dataclass(frozen=True, slots=True)
class AnonymisedImage:
    """The published JPEG written by :func:`anonymise_image` or :func:`anonymise_picture`.

    ``faces`` are the detected boxes (before margin) in output pixel coordinates; they are
    empty when blurring was not asked for. ``text`` are the boxes of the words blurred,
    ``marked`` the regions a person asked to blur, both in output pixels.
    """

    path: Path
    width: int
    height: int
    size_bytes: int
    faces: tuple[Box, ...]
    faces_blurred: bool
    mime_type: str = MIME_TYPE
    text: tuple[Box, ...] = ()
    marked: tuple[Box, ...] = ()

    @property
    def faces_found(self) -> int:
        """How many faces were found (and blurred)."""
        return len(self.faces)


# --- face detection -----------------------------------------------------------------------------

_local = threading.local()


def _cascades() -> dict[str, cv2.CascadeClassifier]:
    # CascadeClassifier is not safe to share between threads; each keeps its own.
    cached: dict[str, cv2.CascadeClassifier] | None = getattr(_local, "cascades", None)
    if cached is None:
        folder: str = cv2.data.haarcascades  # type: ignore[attr-defined]
        cached = {}
        for name in _CASCADES:
            classifier = cv2.CascadeClassifier(folder + name)
            if classifier.empty():
                raise RuntimeError(f"OpenCV's {name} is missing; face blurring is impossible")
            cached[name] = classifier
        _local.cascades = cached
    return cached


def merge_boxes(boxes: Sequence[Box]) -> list[Box]:
    """Union boxes that overlap much (the same face seen by several cascades) into one."""

    def overlaps(a: Box, b: Box) -> bool:
        w = min(a.right, b.right) - max(a.x, b.x)
        h = min(a.bottom, b.bottom) - max(a.y, b.y)
        if w <= 0 or h <= 0:
            return False
        smaller = min(a.width * a.height, b.width * b.height)
        return w * h >= 0.4 * smaller

    merged: list[Box] = []
    for box in sorted(boxes, key=lambda b: (b.x, b.y)):
        for i, other in enumerate(merged):
            if overlaps(box, other):
                x, y = min(box.x, other.x), min(box.y, other.y)
                right, bottom = max(box.right, other.right), max(box.bottom, other.bottom)
                merged[i] = Box(x, y, right - x, bottom - y)
                break
        else:
            merged.append(box)
    return merged


def detect_faces(image: Image.Image, *, detect_edge: int = DETECT_EDGE) -> list[Box]:
    """Faces in ``image`` as boxes in its own pixel coordinates (frontal and both profiles).

    Detection runs on an equalised greyscale copy scaled down to ``detect_edge`` (longest edge).
    """
    grey = image.convert("L")
    scale = min(1.0, detect_edge / max(grey.size))
    if scale < 1.0:
        grey = grey.resize(
            (max(1, round(grey.width * scale)), max(1, round(grey.height * scale))),
            Image.Resampling.BILINEAR,
        )
    pixels = cv2.equalizeHist(np.asarray(grey, dtype=np.uint8))
    width = pixels.shape[1]
    found: list[Box] = []

    def run(name: str, data: np.ndarray, mirrored: bool) -> None:
        classifier = _cascades()[name]
        hits = classifier.detectMultiScale(
            data, scaleFactor=1.1, minNeighbors=4, minSize=(_MIN_FACE, _MIN_FACE)
        )
        for x, y, w, h in hits:
            left = width - x - w if mirrored else x
            found.append(
                Box(
                    int(left / scale),
                    int(y / scale),
                    max(1, round(w / scale)),
                    max(1, round(h / scale)),
                )
            )

    for name in _CASCADES:
        run(name, pixels, mirrored=False)
    # The profile cascade only knows faces looking one way; the mirror image finds the others.
    run(_PROFILE, np.ascontiguousarray(pixels[:, ::-1]), mirrored=True)
    return merge_boxes(found)


# --- redacting faces ------------------------------------------------------------------------------


def expand_box(box: Box, size: tuple[int, int], margin: float = FACE_MARGIN) -> Box:
    """``box`` widened by ``margin`` of its size on every side, clipped to ``size``."""
    dx, dy = round(box.width * margin), round(box.height * margin)
    x0, y0 = max(0, box.x - dx), max(0, box.y - dy)
    x1, y1 = min(size[0], box.right + dx), min(size[1], box.bottom + dy)
    return Box(x0, y0, max(0, x1 - x0), max(0, y1 - y0))


def redact_regions(
    image: Image.Image, boxes: Sequence[Box], *, margin: float = FACE_MARGIN
) -> Image.Image:
    """A copy of ``image`` with each box (plus ``margin``) redacted: pixelated into coarse
    blocks, then blurred.

    Pixelation alone can be partly reversed by matching candidates against the blocks, and
    blur alone by deconvolution; coarse blocks smoothed afterwards defeat both in practice.
    Pixels outside the widened boxes are left untouched.
    """
    out = image.copy()
    for box in boxes:
        area = expand_box(box, image.size, margin)
        if area.width == 0 or area.height == 0:
            continue
        rect = (area.x, area.y, area.right, area.bottom)
        region = out.crop(rect)
        block = max(1, max(area.width, area.height) // PIXEL_BLOCKS)
        small = region.resize(
            (max(1, area.width // block), max(1, area.height // block)), Image.Resampling.BOX
        )
        coarse = small.resize(region.size, Image.Resampling.NEAREST)
        out.paste(coarse.filter(ImageFilter.GaussianBlur(block / 2)), rect)
    return out


# --- public entry points ------------------------------------------------------------------------


def _flatten(image: Image.Image) -> Image.Image:
    """RGB pixels only: transparency composited onto white (JPEG has none), ``info`` emptied."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    rgb = image.convert("RGB")
    # Rebuilding from raw bytes is what guarantees no EXIF/XMP/ICC/comment can ride along.
    return Image.frombytes("RGB", rgb.size, rgb.tobytes())


@dataclass(frozen=True, slots=True)
class PictureRedaction:
    """What to hide in a picture besides its metadata.

    ``blur_text="personal"`` needs ``detect``: the personal-data detector, given one line
    of read text at a time. ``marked`` are regions a person asked to blur whatever is in
    them. ``text_timeout`` bounds the reading (Tesseract).
    """

    blur_faces: bool = True
    blur_text: TextPolicy = "none"
    detect: Detector | None = None
    marked: tuple[RelativeBox, ...] = ()
    text_timeout: float = 30.0

    def __post_init__(self) -> None:
        if self.blur_text == "personal" and self.detect is None:
            raise ValueError("blurring personal text needs a personal-data detector")


def text_to_blur(image: Image.Image, redaction: PictureRedaction) -> list[Box]:
    """Boxes of the words in ``image`` that ``redaction`` hides (none, personal or all).

    Raises :class:`~media_pipeline.anonymise.text_regions.TextReadingFailed` when the text
    cannot be read: a picture whose text is unknown must not be published as if it had none.
    """
    if redaction.blur_text == "none":
        return []
    words = read_words(image, timeout=redaction.text_timeout)
    if redaction.blur_text == "all":
        return [word.box for word in words]
    assert redaction.detect is not None  # checked by PictureRedaction
    return personal_boxes(words, redaction.detect)


def anonymise_picture(
    image: Image.Image,
    dest: str | Path,
    *,
    blur_faces: bool = True,
    redaction: PictureRedaction | None = None,
    max_edge: int | None = None,
    detect_edge: int = DETECT_EDGE,
) -> AnonymisedImage:
    """Write an already-decoded, upright ``image`` to ``dest`` as a metadata-free JPEG.

    ``redaction`` says what to blur (faces, text, marked regions); without it, detected
    faces are blurred when ``blur_faces``. ``max_edge`` optionally shrinks the picture first
    (never enlarges).
    """
    dest = Path(dest)
    redaction = redaction or PictureRedaction(blur_faces=blur_faces)
    clean = _flatten(image)
    if max_edge is not None and max(clean.size) > max_edge:
        clean.thumbnail((max_edge, max_edge), Image.Resampling.LANCZOS)
    faces = detect_faces(clean, detect_edge=detect_edge) if redaction.blur_faces else []
    text = text_to_blur(clean, redaction)
    marked = [box.in_pixels(clean.size) for box in redaction.marked]
    clean = redact_regions(clean, faces)
    clean = redact_regions(clean, text, margin=TEXT_MARGIN)
    clean = redact_regions(clean, marked, margin=0.0)
    try:
        # No exif=/icc_profile=/comment= arguments: Pillow then writes only a bare JFIF header.
        clean.save(dest, "JPEG", quality=JPEG_QUALITY, optimize=True)
    except BaseException:
        dest.unlink(missing_ok=True)
        raise
    log.info(
        "anonymised picture %dx%d: %d faces, %d words, %d marked regions blurred",
        clean.width,
        clean.height,
        len(faces),
        len(text),
        len(marked),
    )
    return AnonymisedImage(
        path=dest,
        width=clean.width,
        height=clean.height,
        size_bytes=dest.stat().st_size,
        faces=tuple(faces),
        faces_blurred=redaction.blur_faces,
        text=tuple(text),
        marked=tuple(marked),
    )


def anonymise_image(
    src: str | Path,
    dest: str | Path,
    *,
    blur_faces: bool = True,
    redaction: PictureRedaction | None = None,
    limits: MediaLimits | None = None,
    max_edge: int | None = None,
    detect_edge: int = DETECT_EDGE,
) -> AnonymisedImage:
    """Write ``src`` (JPEG, PNG, WebP or HEIC) to ``dest`` as an anonymised JPEG.

    What is blurred is as in :func:`anonymise_picture`.

    The picture is turned upright from its EXIF orientation, colour-converted to sRGB, and
    re-encoded from bare pixels: no EXIF (GPS included), XMP, IPTC, ICC profile or comment
    survives. The header's pixel count is checked against ``limits.max_image_pixels`` before
    decoding. Raises :class:`MediaRejected` for refused or damaged files.
    """
    src = Path(src)
    limits = limits or MediaLimits()
    sniffed = sniff_path(src, Family.IMAGE)
    assert sniffed.pillow_format is not None
    upright = decode_clean(src, sniffed.pillow_format, limits)
    return anonymise_picture(
        upright,
        dest,
        blur_faces=blur_faces,
        redaction=redaction,
        max_edge=max_edge,
        detect_edge=detect_edge,
    )
