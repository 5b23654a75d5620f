"""Published pictures: JPEG with every piece of metadata gone, faces blurred."""

from __future__ import annotations

import io
import struct
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageCms

from media_pipeline.anonymise import Box, anonymise_image, anonymise_picture, detect_faces
from media_pipeline.anonymise.images import expand_box, merge_boxes, redact_regions
from media_pipeline.media import MediaLimits, MediaRejected, RejectCode
from tests.media_pipeline.media_factories import (
    GPS_TEXT,
    assert_clean_image,
    photo,
    pixel,
    write_heic,
    write_huge_png,
    write_jpeg_with_gps,
    write_oriented_jpeg,
)

from .helpers import drawn_face, scene_with_face

OWNER = "Maija Meikalainen"
BYLINE = "Teppo Testaaja"
CREATOR = "Anna Esimerkki"


def _iptc_segment(byline: str) -> bytes:
    """A JPEG APP13 (Photoshop 3.0) segment holding an IPTC By-line record."""
    value = byline.encode()
    iptc = b"\x1c\x02\x50" + struct.pack(">H", len(value)) + value
    if len(iptc) % 2:
        iptc += b"\x00"
    resource = b"8BIM\x04\x04\x00\x00" + struct.pack(">I", len(iptc)) + iptc
    body = b"Photoshop 3.0\x00" + resource
    return b"\xff\xed" + struct.pack(">H", len(body) + 2) + body


def write_jpeg_with_everything(path: Path, image: Image.Image | None = None) -> Path:
    """A JPEG carrying GPS EXIF, a camera owner, XMP, IPTC, an ICC profile and a comment."""
    exif = Image.Exif()
    exif[0x013B] = OWNER  # Artist
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8769)[0xA430] = OWNER  # CameraOwnerName
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (60.0, 27.0, 6.48), "E", (22.0, 15.0, 59.76)
    gps[0x1B] = f"ASCII\x00\x00\x00{GPS_TEXT}"
    xmp = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:creator>{CREATOR}</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>"
    )
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buf = io.BytesIO()
    (image or photo(128, 96)).save(
        buf,
        "JPEG",
        exif=exif,
        xmp=xmp.encode(),
        icc_profile=icc,
        comment=f"shot by {OWNER} near {GPS_TEXT}".encode(),
    )
    data = buf.getvalue()
    path.write_bytes(data[:2] + _iptc_segment(BYLINE) + data[2:])
    return path


def _grey(path: Path) -> np.ndarray:
    with Image.open(path) as im:
        return np.asarray(im.convert("L"), dtype=np.int16)


# --- metadata -----------------------------------------------------------------------------------


@pytest.mark.parametrize("blur_faces", [True, False])
def test_all_metadata_is_stripped(tmp_path: Path, blur_faces: bool) -> None:
    src = write_jpeg_with_everything(tmp_path / "IMG_0001.jpg")
    raw_in = src.read_bytes()
    for needle in (OWNER.encode(), BYLINE.encode(), CREATOR.encode(), b"Photoshop 3.0"):
        assert needle in raw_in, "the fixture must really carry the metadata"

    result = anonymise_image(src, tmp_path / "published.jpg", blur_faces=blur_faces)

    assert (result.width, result.height, result.mime_type) == (128, 96, "image/jpeg")
    assert result.size_bytes == result.path.stat().st_size
    assert_clean_image(result.path)
    raw = result.path.read_bytes()
    for needle in (
        OWNER.encode(),
        BYLINE.encode(),
        CREATOR.encode(),
        b"Photoshop 3.0",
        b"8BIM",
        b"ICC_PROFILE",
        b"http://",
    ):
        assert needle not in raw, needle
    with Image.open(result.path) as im:
        assert im.format == "JPEG"
        assert "icc_profile" not in im.info
        assert "comment" not in im.info


def test_gps_jpeg_from_factories(tmp_path: Path) -> None:
    result = anonymise_image(write_jpeg_with_gps(tmp_path / "gps.jpg"), tmp_path / "out.jpg")
    assert_clean_image(result.path)
    assert GPS_TEXT.encode() not in result.path.read_bytes()


def test_exif_orientation_is_applied(tmp_path: Path) -> None:
    # Orientation 6: the camera was turned; the red top band must end up on the right.
    src = write_oriented_jpeg(tmp_path / "turned.jpg", orientation=6)
    result = anonymise_image(src, tmp_path / "out.jpg", blur_faces=False)
    assert (result.width, result.height) == (48, 64)
    with Image.open(result.path) as im:
        r, _g, b = pixel(im, (45, 32))[:3]
        assert r > 150
        assert b < 100
        r, _g, b = pixel(im, (5, 32))[:3]
        assert b > 120
        assert r < 100


def test_transparent_png_is_flattened_onto_white(tmp_path: Path) -> None:
    im = Image.new("RGBA", (40, 30), (0, 0, 0, 0))
    im.paste((200, 0, 0, 255), (0, 0, 20, 30))
    src = tmp_path / "sticker.png"
    im.save(src, "PNG")
    result = anonymise_image(src, tmp_path / "out.jpg")
    with Image.open(result.path) as out:
        assert out.mode == "RGB"
        assert min(pixel(out, (35, 15))) > 240
        assert pixel(out, (5, 15))[0] > 150


def _heic_writable() -> bool:
    try:
        write_heic(Path("/dev/null"))
    except Exception:
        return False
    return True


@pytest.mark.skipif(not _heic_writable(), reason="pillow-heif has no HEVC encoder here")
def test_heic_becomes_jpeg(tmp_path: Path) -> None:
    result = anonymise_image(write_heic(tmp_path / "IMG_0001.HEIC"), tmp_path / "out.jpg")
    assert (result.width, result.height) == (64, 48)
    assert_clean_image(result.path)


def test_max_edge_shrinks(tmp_path: Path) -> None:
    src = tmp_path / "big.png"
    photo(400, 300).save(src, "PNG")
    result = anonymise_image(src, tmp_path / "out.jpg", max_edge=200)
    assert (result.width, result.height) == (200, 150)


# --- refusals -----------------------------------------------------------------------------------


def test_decompression_bomb_is_refused_before_decoding(tmp_path: Path) -> None:
    src = write_huge_png(tmp_path / "bomb.png", width=12_000, height=12_000)
    dest = tmp_path / "out.jpg"
    started = time.monotonic()
    with pytest.raises(MediaRejected) as info:
        anonymise_image(src, dest, limits=MediaLimits(max_image_pixels=50_000_000))
    assert info.value.code == RejectCode.TOO_MANY_PIXELS
    assert time.monotonic() - started < 1.0
    assert not dest.exists()


def test_pixel_limit_is_the_callers(tmp_path: Path) -> None:
    src = tmp_path / "photo.png"
    photo(64, 48).save(src, "PNG")
    with pytest.raises(MediaRejected) as info:
        anonymise_image(src, tmp_path / "out.jpg", limits=MediaLimits(max_image_pixels=1000))
    assert info.value.code == RejectCode.TOO_MANY_PIXELS


def test_refuses_what_is_not_an_image(tmp_path: Path) -> None:
    src = tmp_path / "photo.jpg"
    src.write_bytes(b"%PDF-1.4\n%%EOF\n")
    with pytest.raises(MediaRejected):
        anonymise_image(src, tmp_path / "out.jpg")


# --- face blurring ------------------------------------------------------------------------------


def test_obscuring_changes_only_the_widened_box() -> None:
    face = drawn_face(100).convert("RGB")  # face spans 50..150 on a 200 px canvas
    box = Box(50, 50, 100, 100)
    out = redact_regions(face, [box], margin=0.2)
    before, after = np.asarray(face, np.int16), np.asarray(out, np.int16)

    area = expand_box(box, face.size, 0.2)
    assert area == Box(30, 30, 140, 140)
    outside = np.ones(before.shape[:2], bool)
    outside[area.y : area.bottom, area.x : area.right] = False
    assert np.array_equal(before[outside], after[outside])

    inner = (slice(60, 140), slice(60, 140))
    # The eyes and mouth (dark on light skin) are gone: what is left is a smooth smear.
    assert np.abs(before[inner] - after[inner]).mean() > 10
    assert np.ptp(after[inner]) < 0.6 * np.ptp(before[inner])
    eye_row = after[85, 60:140, 0]
    assert np.abs(np.diff(eye_row)).max() < 12


def test_merge_boxes_unites_the_same_face() -> None:
    merged = merge_boxes([Box(10, 10, 50, 50), Box(14, 12, 48, 52), Box(200, 10, 40, 40)])
    assert merged == [Box(10, 10, 52, 54), Box(200, 10, 40, 40)]


def test_detector_finds_a_face_and_maps_it_back() -> None:
    # A large picture: detection runs on a downscaled copy, boxes come back full size.
    scene, (left, top, right, bottom) = scene_with_face(2400, 1800, 500, (200, 300))
    (face,) = detect_faces(scene)
    cx, cy = face.x + face.width / 2, face.y + face.height / 2
    assert left < cx < right
    assert top < cy < bottom
    assert 0.6 * (right - left) < face.width < 1.4 * (right - left)


def test_detector_finds_nothing_without_faces() -> None:
    assert detect_faces(photo(640, 480)) == []
    stripes, _ = scene_with_face(640, 480, 120, (700, 700))  # face pasted off-canvas
    assert detect_faces(stripes) == []


def test_face_is_blurred_in_the_published_picture(tmp_path: Path) -> None:
    scene, (left, top, right, bottom) = scene_with_face()
    src = write_jpeg_with_everything(tmp_path / "people.jpg", scene)

    blurred = anonymise_image(src, tmp_path / "blurred.jpg")
    kept = anonymise_image(src, tmp_path / "kept.jpg", blur_faces=False)

    assert blurred.faces_found == 1
    assert blurred.faces_blurred
    assert kept.faces_found == 0
    assert not kept.faces_blurred
    assert_clean_image(blurred.path)
    a, b = _grey(blurred.path), _grey(kept.path)
    face = (slice(top + 10, bottom - 10), slice(left + 10, right - 10))
    assert np.abs(a[face] - b[face]).mean() > 10
    # The stripes far from the face are as they were (JPEG noise aside).
    far = (slice(0, 480), slice(400, 640))
    assert np.abs(a[far] - b[far]).mean() < 1.5


def test_picture_api_takes_decoded_pixels(tmp_path: Path) -> None:
    scene, _ = scene_with_face()
    scene.info["comment"] = b"left behind"
    result = anonymise_picture(scene, tmp_path / "out.jpg")
    assert result.faces_found == 1
    assert b"left behind" not in result.path.read_bytes()
