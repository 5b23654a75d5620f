"""Image uploads: allowed formats, metadata stripped, orientation applied, bombs refused."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from PIL import Image, ImageCms

from media_pipeline.media import (
    MediaKind,
    MediaLimits,
    MediaRejected,
    RejectCode,
    Role,
    declared_size,
    normalise,
    probe,
)
from tests.media_pipeline.media_factories import (
    GPS_TEXT,
    POLYGLOT_HTML,
    assert_clean_image,
    photo,
    pixel,
    write_heic,
    write_huge_png,
    write_jpeg_with_gps,
    write_oriented_jpeg,
    write_png_html_polyglot,
)

LIMITS = MediaLimits(max_bytes=50_000_000, max_seconds=60, max_image_pixels=10_000_000)


def _heic_writable() -> bool:
    try:
        write_heic(Path("/dev/null"))
    except Exception:
        return False
    return True


def _gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010E] = f"Taken at {GPS_TEXT}"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (60.0, 27.0, 6.48)
    return exif


@pytest.mark.parametrize(
    ("name", "fmt", "container", "mime", "main_suffix"),
    [
        ("p.jpg", "JPEG", "jpeg", "image/jpeg", ".jpg"),
        ("p.png", "PNG", "png", "image/png", ".jpg"),
        ("p.webp", "WEBP", "webp", "image/webp", ".jpg"),
    ],
)
def test_image_formats_with_metadata_are_cleaned(
    tmp_path: Path, name: str, fmt: str, container: str, mime: str, main_suffix: str
) -> None:
    src = tmp_path / name
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    photo(200, 100).save(src, fmt, exif=_gps_exif(), icc_profile=icc)
    with Image.open(src) as original:
        assert original.getexif().get_ifd(0x8825), "fixture must carry GPS"

    info = probe(src, LIMITS)
    assert info.kind is MediaKind.IMAGE
    assert (info.container, info.mime_type, info.width, info.height) == (container, mime, 200, 100)
    assert info.duration is None
    assert not info.has_audio

    derived = normalise(src, info, tmp_path / "out", LIMITS)
    assert [d.role for d in derived] == [Role.IMAGE, Role.THUMBNAIL, Role.THUMBNAIL]
    assert derived[0].path.suffix == main_suffix
    for item in derived:
        assert_clean_image(item.path)
    assert (derived[0].width, derived[0].height) == (200, 100)


def test_jpeg_gps_exif_xmp_and_comment_are_removed(tmp_path: Path) -> None:
    src = write_jpeg_with_gps(tmp_path / "beach.jpg")
    with Image.open(src) as original:
        assert original.getexif().get_ifd(0x8825)[1] == "N"
        assert "xmp" in original.info
        assert "comment" in original.info
    assert GPS_TEXT.encode() in src.read_bytes()

    info = probe(src, LIMITS)
    derived = normalise(src, info, tmp_path / "out", LIMITS)

    assert len(derived) == 3
    for item in derived:
        assert_clean_image(item.path)


def test_thumbnails_are_bounded_webp(tmp_path: Path) -> None:
    src = tmp_path / "wide.png"
    photo(2000, 500).save(src, "PNG")
    derived = normalise(src, probe(src, LIMITS), tmp_path / "out", LIMITS)
    thumbs = [d for d in derived if d.role is Role.THUMBNAIL]
    assert [(t.width, t.height) for t in thumbs] == [(320, 80), (1280, 320)]
    assert all(t.mime_type == "image/webp" for t in thumbs)
    for thumb in thumbs:
        with Image.open(thumb.path) as im:
            assert im.format == "WEBP"
            assert im.size == (thumb.width, thumb.height)


def test_exif_orientation_is_applied(tmp_path: Path) -> None:
    src = write_oriented_jpeg(tmp_path / "portrait.jpg", orientation=6)
    info = probe(src, LIMITS)
    assert (info.width, info.height) == (48, 64), "probe reports the displayed size"

    main = normalise(src, info, tmp_path / "out", LIMITS)[0]

    with Image.open(main.path) as im:
        assert im.size == (48, 64)
        assert im.getexif().get(0x0112) is None
        # Orientation 6 means "rotate 90 degrees clockwise": the red top band moves right.
        assert pixel(im.convert("RGB"), (44, 32))[0] > 180
        assert pixel(im.convert("RGB"), (3, 32))[0] < 100


def test_transparency_survives_as_png(tmp_path: Path) -> None:
    src = tmp_path / "logo.webp"
    Image.new("RGBA", (40, 30), (255, 0, 0, 0)).save(src, "WEBP", lossless=True)
    main = normalise(src, probe(src, LIMITS), tmp_path / "out", LIMITS)[0]
    assert main.mime_type == "image/png"
    with Image.open(main.path) as im:
        assert im.mode == "RGBA"
        assert pixel(im, (0, 0))[3] == 0
    assert_clean_image(main.path)


@pytest.mark.skipif(not _heic_writable(), reason="pillow-heif has no HEVC encoder here")
def test_heic_from_iphone(tmp_path: Path) -> None:
    src = write_heic(tmp_path / "IMG_0001.HEIC")
    info = probe(src, LIMITS)
    assert (info.kind, info.container, info.mime_type) == (MediaKind.IMAGE, "heif", "image/heic")
    assert (info.width, info.height) == (64, 48)
    derived = normalise(src, info, tmp_path / "out", LIMITS)
    assert derived[0].mime_type == "image/jpeg"
    for item in derived:
        assert_clean_image(item.path)


def test_png_html_polyglot_is_re_encoded_without_the_html(tmp_path: Path) -> None:
    src = write_png_html_polyglot(tmp_path / "cat.png")
    assert src.read_bytes().count(POLYGLOT_HTML) == 2

    derived = normalise(src, probe(src, LIMITS), tmp_path / "out", LIMITS)

    for item in derived:
        assert b"<script" not in item.path.read_bytes()
        assert_clean_image(item.path)


def test_30000_by_30000_png_is_refused_before_decoding(tmp_path: Path) -> None:
    src = write_huge_png(tmp_path / "bomb.png")
    assert src.stat().st_size < 2_000_000, "900 Mpx in a small file: a decompression bomb"
    started = time.monotonic()
    with pytest.raises(MediaRejected) as caught:
        probe(src, LIMITS)
    assert caught.value.code == RejectCode.TOO_MANY_PIXELS
    assert "too large" in caught.value.reason
    assert time.monotonic() - started < 1.0, "must not have decoded the pixels"


def test_a_pictures_declared_size_is_read_without_decoding_it(tmp_path: Path) -> None:
    out = io.BytesIO()
    photo(400, 300).save(out, "JPEG")
    assert declared_size(out.getvalue()) == (400, 300)
    assert declared_size(write_huge_png(tmp_path / "bomb.png").read_bytes()) is None
    assert declared_size(b"GIF89a not an allowed format") is None
    assert declared_size(POLYGLOT_HTML) is None


def test_pixel_limit_is_ours_not_pillows(tmp_path: Path) -> None:
    src = tmp_path / "photo.png"
    photo(400, 300).save(src, "PNG")
    with pytest.raises(MediaRejected) as caught:
        probe(src, MediaLimits(max_image_pixels=100_000))
    assert caught.value.code == RejectCode.TOO_MANY_PIXELS
    assert "400 x 300" in caught.value.reason
    assert probe(src, MediaLimits(max_image_pixels=120_000)).width == 400
    assert Image.MAX_IMAGE_PIXELS != 100_000, "Pillow's global limit must be restored"


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_truncated_image_is_rejected(tmp_path: Path, fmt: str) -> None:
    buf = io.BytesIO()
    photo(300, 200).save(buf, fmt)
    src = tmp_path / f"cut.{fmt.lower()}"
    src.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    with pytest.raises(MediaRejected) as caught:
        probe(src, LIMITS)
    assert caught.value.code == RejectCode.CORRUPT
