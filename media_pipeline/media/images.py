"""Probe and re-encode still images with Pillow, dropping every piece of metadata.

Only the Pillow plugin the sniffer chose may open a file (``formats=[...]``), so a file that
merely *starts* like a JPEG can't be handed to some other, less hardened decoder. The pixel limit
is checked against the header before any pixel is decoded.
"""

from __future__ import annotations

import io
import logging
import threading
import warnings
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PIL import Image, ImageCms, ImageOps

from .allowlist import mime_type
from .avprobe import too_many_pixels
from .errors import MediaRejected, RejectCode
from .hashing import sha256_file
from .info import Derived, MediaInfo, MediaKind, Role
from .limits import MediaLimits
from .sniff import Sniffed

log = logging.getLogger(__name__)

ALLOWED_PILLOW_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "HEIF"})
THUMBNAIL_SIZES = (320, 1280)
JPEG_QUALITY = 88
WEBP_QUALITY = 80

# Everything a hostile image can make Pillow (or a plugin) raise while parsing or decoding.
DECODE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    ValueError,
    SyntaxError,
    EOFError,
    IndexError,
    KeyError,
    TypeError,
    zlib.error,
    MemoryError,
)

# Image.open refuses a picture far over Pillow's own pixel limit before reading on.
_HEADER_ERRORS: tuple[type[BaseException], ...] = (*DECODE_ERRORS, Image.DecompressionBombError)

_heif_registered = False


def _register_heif() -> None:
    """Teach Pillow to read HEIC/HEIF (iPhone photos); idempotent."""
    global _heif_registered
    if not _heif_registered:
        from pillow_heif import register_heif_opener

        # Thumbnails and depth maps inside the HEIF are never used; don't decode them.
        register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)
        _heif_registered = True


_pillow_limit_lock = threading.Lock()


def _bomb(limits: MediaLimits) -> MediaRejected:
    return MediaRejected(
        f"The picture is too large (the limit is {limits.max_image_pixels / 1e6:g} megapixels).",
        RejectCode.TOO_MANY_PIXELS,
    )


@contextmanager
def _pillow_pixel_limit(limits: MediaLimits, *, opening: bool) -> Iterator[None]:
    """Run Pillow with its decompression-bomb limit set to ours.

    While *opening*, Pillow's warning (between 1x and 2x the limit) is ignored because our own
    header check right after gives a more precise message; Pillow's hard error (over 2x) still
    stops the worst files inside ``Image.open``. Anywhere else the warning is fatal.
    ``Image.MAX_IMAGE_PIXELS`` is process-global, hence the lock; it is held only while Pillow
    parses a header or decodes, never across our own work.
    """
    with _pillow_limit_lock, warnings.catch_warnings():
        warnings.simplefilter("ignore" if opening else "error", Image.DecompressionBombWarning)
        previous = Image.MAX_IMAGE_PIXELS
        Image.MAX_IMAGE_PIXELS = limits.max_image_pixels
        try:
            yield
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _bomb(limits) from exc
        finally:
            Image.MAX_IMAGE_PIXELS = previous


@contextmanager
def open_image(path: Path, pillow_format: str, limits: MediaLimits) -> Iterator[Image.Image]:
    """Open ``path`` with only ``pillow_format`` allowed; header checked against ``limits``.

    The pixel data is *not* loaded yet; use :func:`load_image` inside the block.
    """
    if pillow_format not in ALLOWED_PILLOW_FORMATS:
        raise MediaRejected(f"{pillow_format} images aren't allowed.", RejectCode.NOT_ALLOWED)
    if pillow_format == "HEIF":
        _register_heif()
    try:
        with _pillow_pixel_limit(limits, opening=True):
            im = Image.open(path, formats=[pillow_format])
    except DECODE_ERRORS as exc:
        raise MediaRejected(
            "The image is damaged or not really the format it appears to be.",
            RejectCode.CORRUPT,
        ) from exc
    with im:
        width, height = im.size
        if width <= 0 or height <= 0:
            raise MediaRejected("The image has no size.", RejectCode.CORRUPT)
        # Checked from the header, before a single row is decompressed (Pillow's own check
        # covers most plugins too, but not every one, so we don't rely on it).
        if width * height > limits.max_image_pixels:
            raise too_many_pixels(width, height, limits)
        yield im


def load_image(im: Image.Image, limits: MediaLimits) -> None:
    """Decode the pixels of an image from :func:`open_image`, turning failures into rejections."""
    try:
        with _pillow_pixel_limit(limits, opening=False):
            im.load()
    except DECODE_ERRORS as exc:
        raise MediaRejected(
            "The image is damaged and could not be decoded.", RejectCode.CORRUPT
        ) from exc


def declared_size(data: bytes) -> tuple[int, int] | None:
    """The width and height a picture's header declares, read without decoding a pixel;
    None when ``data`` is no picture in an allowed format."""
    _register_heif()
    try:
        with Image.open(io.BytesIO(data), formats=sorted(ALLOWED_PILLOW_FORMATS)) as im:
            width, height = im.size
    except _HEADER_ERRORS:
        return None
    return width, height


def probe_image(path: Path, sniffed: Sniffed, limits: MediaLimits, size: int) -> MediaInfo:
    """Probe a still image: confirm the format by decoding it fully, report display size."""
    assert sniffed.pillow_format is not None
    with open_image(path, sniffed.pillow_format, limits) as im:
        if im.format != sniffed.pillow_format:
            raise MediaRejected("The image format could not be confirmed.", RejectCode.CORRUPT)
        # Decoding it all now means a truncated or broken file is refused at upload time.
        load_image(im, limits)
        width, height = im.size
        if _orientation(im) in (5, 6, 7, 8):
            width, height = height, width
    return MediaInfo(
        kind=MediaKind.IMAGE,
        container=sniffed.container,
        mime_type=mime_type(sniffed.container, MediaKind.IMAGE),
        size_bytes=size,
        codecs=(sniffed.container,),
        width=width,
        height=height,
        pillow_format=sniffed.pillow_format,
    )


def _orientation(im: Image.Image) -> int:
    try:
        value = im.getexif().get(0x0112, 1)
    except DECODE_ERRORS:
        return 1
    return value if isinstance(value, int) else 1


def _to_srgb(im: Image.Image, mode: str) -> Image.Image:
    """``im`` in ``mode`` (RGB/RGBA), colour-managed to sRGB when it carries an ICC profile.

    The profile itself is dropped from derivatives (it can hold arbitrary text), so converting
    the pixels first keeps iPhone Display P3 or CMYK photos from shifting colour.
    """
    icc = im.info.get("icc_profile")
    if icc and im.mode in ("RGB", "RGBA", "CMYK", "L"):
        try:
            src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            dst = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
            source = im if im.mode != "RGBA" or mode == "RGBA" else im.convert("RGB")
            converted = ImageCms.profileToProfile(source, src, dst, outputMode=mode)
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError) as exc:
            # A broken or mismatched profile is just dropped; colours may be a little off.
            log.info("ignoring unusable ICC profile: %s", exc)
        else:
            if converted is not None:
                return converted
    return im.convert(mode)


def clean_copy(im: Image.Image) -> Image.Image:
    """Pixels only: a fresh image in RGB or RGBA with an empty ``info`` (no EXIF/XMP/ICC/text).

    EXIF orientation is applied first so the picture still shows the right way up.
    """
    im = ImageOps.exif_transpose(im)
    has_alpha = im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info)
    if im.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        # 16-bit/float greyscale: scale into 8 bits rather than clipping.
        im = im.point(lambda v: v / 256).convert("L")
    im = _to_srgb(im, "RGBA" if has_alpha else "RGB")
    # Building a new image from raw pixels is what guarantees nothing else comes along.
    return Image.frombytes(im.mode, im.size, im.tobytes())


def decode_clean(path: Path, pillow_format: str, limits: MediaLimits) -> Image.Image:
    """The image at ``path`` fully decoded and passed through :func:`clean_copy`.

    Raises :class:`MediaRejected` when the file is refused, damaged or can't be converted.
    """
    with open_image(path, pillow_format, limits) as im:
        load_image(im, limits)
        try:
            return clean_copy(im)
        except DECODE_ERRORS as exc:
            raise MediaRejected("The image could not be converted.", RejectCode.CORRUPT) from exc


def _save(im: Image.Image, dest: Path, fmt: str) -> None:
    if fmt == "JPEG":
        im.save(dest, "JPEG", quality=JPEG_QUALITY, optimize=True)
    elif fmt == "PNG":
        im.save(dest, "PNG", optimize=True)
    else:
        im.save(dest, "WEBP", quality=WEBP_QUALITY, method=4)


def _derived(role: Role, dest: Path, mime: str, im: Image.Image) -> Derived:
    return Derived(
        role=role,
        path=dest,
        mime_type=mime,
        sha256=sha256_file(dest),
        size_bytes=dest.stat().st_size,
        width=im.width,
        height=im.height,
    )


def write_image_derivatives(
    clean: Image.Image, out_dir: Path, *, main_role: Role, stem: str
) -> list[Derived]:
    """Write the main re-encoded picture and WebP thumbnails of an already-clean image.

    Photos become JPEG; pictures with transparency become PNG so it isn't lost. Thumbnails
    never upscale, so a small picture yields thumbnails of its own size.
    """
    out: list[Derived] = []
    if clean.mode == "RGBA":
        main = out_dir / f"{stem}.png"
        _save(clean, main, "PNG")
        out.append(_derived(main_role, main, "image/png", clean))
    else:
        main = out_dir / f"{stem}.jpg"
        _save(clean, main, "JPEG")
        out.append(_derived(main_role, main, "image/jpeg", clean))
    for edge in THUMBNAIL_SIZES:
        thumb = clean.copy()
        thumb.thumbnail((edge, edge), Image.Resampling.LANCZOS)
        dest = out_dir / f"{stem}_thumb_{edge}.webp"
        _save(thumb, dest, "WEBP")
        out.append(_derived(Role.THUMBNAIL, dest, "image/webp", thumb))
    return out


def normalise_image(
    path: Path, info: MediaInfo, out_dir: Path, limits: MediaLimits
) -> list[Derived]:
    """Re-encode an accepted image without metadata, upright, plus thumbnails."""
    if info.pillow_format is None:
        raise MediaRejected("The image format is unknown.", RejectCode.NOT_ALLOWED)
    clean = decode_clean(path, info.pillow_format, limits)
    return write_image_derivatives(clean, out_dir, main_role=Role.IMAGE, stem="image")
