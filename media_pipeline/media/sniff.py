"""Recognise an upload's format from its first bytes.

The filename and the Content-Type header are chosen by whoever uploads the file, so they are
never consulted. The sniffer only decides *which* parser may look at the file; the parsers
(PyAV with a forced demuxer, Pillow with a forced format) then confirm it.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO

from .errors import MediaRejected, RejectCode

SUPPORTED_FORMATS_TEXT = (
    "Supported formats are audio (M4A, MP3, OGG/Opus, WebM, WAV, FLAC, AMR, 3GP), "
    "video (MP4, MOV, WebM, 3GP) and images (JPEG, PNG, WebP, HEIC)."
)

HEAD_BYTES = 64
# An ID3 tag may carry cover art; skip at most a few of them and no further than this.
_MAX_ID3_SKIPS = 3
_MAX_ID3_BYTES = 16 * 1024 * 1024


class Family(StrEnum):
    """The broad kind a signature points to; PyAV decides audio vs video later."""

    AV = "av"
    IMAGE = "image"


@dataclass(frozen=True, slots=True)
class Sniffed:
    """What the first bytes say the file is.

    ``demuxer`` is the FFmpeg input format to force (``None`` for images) and ``format_name``
    the name FFmpeg must report back for it; ``pillow_format`` is the only Pillow plugin that may
    open an image. ``container`` is our own short label (``mp4``, ``mov``, ``3gp``, ``m4a``,
    ``webm``, ``ogg``, ``wav``, ``flac``, ``mp3``, ``aac``, ``amr``, ``jpeg``, ``png``, ``webp``,
    ``heif``).
    """

    family: Family
    container: str
    demuxer: str | None = None
    format_name: str | None = None
    pillow_format: str | None = None


# FFmpeg's input format names, as `container.format.name` reports them.
MOV_FORMAT_NAME = "mov,mp4,m4a,3gp,3g2,mj2"
MATROSKA_FORMAT_NAME = "matroska,webm"

# demuxer short name -> name FFmpeg reports once opened. Nothing outside this map is ever opened.
DEMUXERS: dict[str, str] = {
    "wav": "wav",
    "flac": "flac",
    "mp3": "mp3",
    "aac": "aac",
    "ogg": "ogg",
    "amr": "amr",
    "matroska": MATROSKA_FORMAT_NAME,
    "mov": MOV_FORMAT_NAME,
}

_HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"heif"})
_HEIF_GENERIC_BRANDS = frozenset({b"mif1", b"msf1"})
_AVIF_BRANDS = frozenset({b"avif", b"avis"})
# QuickTime files written before `ftyp` existed start directly with one of these atoms.
_QT_LEADING_ATOMS = frozenset({b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"})


def _av(container: str, demuxer: str) -> Sniffed:
    return Sniffed(Family.AV, container, demuxer=demuxer, format_name=DEMUXERS[demuxer])


def _image(container: str, pillow_format: str) -> Sniffed:
    return Sniffed(Family.IMAGE, container, pillow_format=pillow_format)


def _not_allowed(what: str) -> MediaRejected:
    return MediaRejected(
        f"This file looks like {what}, which we can't accept. {SUPPORTED_FORMATS_TEXT}",
        RejectCode.NOT_ALLOWED,
    )


def _unrecognised() -> MediaRejected:
    return MediaRejected(
        "We couldn't recognise this file as audio, video or an image. " + SUPPORTED_FORMATS_TEXT,
        RejectCode.UNRECOGNISED,
    )


def _is_mp3_frame(head: bytes) -> bool:
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version = (head[1] >> 3) & 0x3
    layer = (head[1] >> 1) & 0x3
    bitrate = head[2] >> 4
    rate = (head[2] >> 2) & 0x3
    # Layer III only; reject the reserved values that make random bytes look like a frame.
    return version != 1 and layer == 1 and bitrate not in (0, 15) and rate != 3


def _is_adts_frame(head: bytes) -> bool:
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xF6 != 0xF0:
        return False
    rate_index = (head[2] >> 2) & 0xF
    return rate_index < 13


def _sniff_ftyp(head: bytes) -> Sniffed:
    box_size = struct.unpack(">I", head[:4])[0]
    major = head[8:12]
    brands = {major}
    end = min(box_size, len(head))
    brands.update(head[i : i + 4] for i in range(16, end - 3, 4))
    if brands & _AVIF_BRANDS:
        raise _not_allowed("an AVIF image")
    if major in _HEIF_BRANDS or (major in _HEIF_GENERIC_BRANDS and brands & _HEIF_BRANDS):
        return _image("heif", "HEIF")
    if major in _HEIF_GENERIC_BRANDS:
        raise _not_allowed("a HEIF file with a kind of image we don't support")
    if major == b"qt  ":
        return _av("mov", "mov")
    if major.startswith((b"3gp", b"3g2")):
        return _av("3gp", "mov")
    if major in (b"M4A ", b"M4B "):
        return _av("m4a", "mov")
    if major.startswith(b"crx"):
        raise _not_allowed("a camera RAW photo")
    return _av("mp4", "mov")


def _sniff_ebml(head: bytes) -> Sniffed:
    # The DocType element (0x4282) sits in the first few dozen bytes of the EBML header.
    idx = head.find(b"\x42\x82")
    if idx >= 0 and idx + 3 <= len(head):
        length_byte = head[idx + 2]
        if length_byte & 0x80:
            doctype = head[idx + 3 : idx + 3 + (length_byte & 0x7F)]
            if doctype == b"webm":
                return _av("webm", "matroska")
            if doctype == b"matroska":
                raise _not_allowed("a Matroska (MKV) video")
    raise _unrecognised()


def _sniff_text(head: bytes) -> MediaRejected:
    # The UTF-8 byte-order mark as a whole (lstrip would take any of its bytes alone).
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n").lower()
    if text.startswith(b"#extm3u"):
        return _not_allowed("a media playlist (M3U/HLS)")
    if text.startswith(b"ffconcat"):
        return _not_allowed("an FFmpeg concat list")
    if text.startswith(b"<"):
        return _not_allowed("a web page or XML document (HTML, SVG, DASH…)")
    if text.startswith(b"#!"):
        return _not_allowed("a script or program")
    if text.startswith(b"[playlist]"):
        return _not_allowed("a playlist")
    return _unrecognised()


_REJECTED_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x7fELF", "a program (executable)"),
    (b"MZ", "a Windows program (executable)"),
    (b"\xcf\xfa\xed\xfe", "a program (executable)"),
    (b"\xce\xfa\xed\xfe", "a program (executable)"),
    (b"\xca\xfe\xba\xbe", "a program (executable)"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive or office document"),
    (b"PK\x05\x06", "a ZIP archive"),
    (b"PK\x07\x08", "a ZIP archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x1f\x8b", "a compressed (gzip) file"),
    (b"BZh", "a compressed (bzip2) file"),
    (b"\xfd7zXZ\x00", "a compressed (xz) file"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"BM", "a BMP image"),
    (b"\x00\x00\x01\x00", "an icon file"),
    (b"FLV", "a Flash video"),
    (b"0&\xb2u\x8e\x66\xcf\x11", "a Windows Media file"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
    (b"SQLite format 3", "a database file"),
)


def sniff_head(head: bytes) -> Sniffed:
    """Classify a file from its first bytes (at least :data:`HEAD_BYTES` if the file has them).

    Raises :class:`MediaRejected` for anything outside the allow-list. ID3-tagged files are
    handled by :func:`sniff_file`, which skips the tag; here they are classified as MP3.
    """
    if not head:
        raise MediaRejected("The file is empty.", RejectCode.EMPTY)
    # AMR's magic starts with "#!", so it must be recognised before the script check.
    if head.startswith((b"#!AMR\n", b"#!AMR-WB\n")):
        return _av("amr", "amr")
    if head.startswith(b"\xff\xd8\xff"):
        return _image("jpeg", "JPEG")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return _image("png", "PNG")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _image("webp", "WEBP")
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return _av("wav", "wav")
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        raise _not_allowed("an AVI video")
    if head.startswith(b"fLaC"):
        return _av("flac", "flac")
    if head.startswith(b"OggS"):
        return _av("ogg", "ogg")
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return _sniff_ebml(head)
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return _sniff_ftyp(head)
    if len(head) >= 8 and head[4:8] in _QT_LEADING_ATOMS:
        return _av("mov", "mov")
    if head.startswith(b"ID3") or _is_mp3_frame(head):
        return _av("mp3", "mp3")
    if _is_adts_frame(head):
        return _av("aac", "aac")
    for magic, what in _REJECTED_MAGIC:
        if head.startswith(magic):
            raise _not_allowed(what)
    raise _sniff_text(head)


def _id3_tag_length(head: bytes) -> int | None:
    """Length of the ID3v2 tag at the start of ``head`` including its header, if well-formed."""
    if len(head) < 10 or not head.startswith(b"ID3"):
        return None
    size_bytes = head[6:10]
    if any(b & 0x80 for b in size_bytes):
        return None
    size = 0
    for b in size_bytes:
        size = (size << 7) | b
    footer = 10 if head[5] & 0x10 else 0
    return 10 + size + footer


def sniff_file(fp: BinaryIO) -> Sniffed:
    """Classify an open binary file, skipping ID3 tags to see what they are attached to.

    FFmpeg's mp3 and flac demuxers both accept a leading ID3 tag, so a tag in front of
    something else (a playlist, say) must not pass as MP3.
    """
    fp.seek(0)
    head = fp.read(HEAD_BYTES)
    offset = 0
    skips = 0
    while head.startswith(b"ID3"):
        length = _id3_tag_length(head)
        if length is None or skips >= _MAX_ID3_SKIPS or offset + length > _MAX_ID3_BYTES:
            raise MediaRejected(
                "The file starts with a damaged audio tag (ID3).", RejectCode.CORRUPT
            )
        offset += length
        skips += 1
        fp.seek(offset)
        head = fp.read(HEAD_BYTES)
    if skips == 0:
        return sniff_head(head)
    if _is_mp3_frame(head):
        return _av("mp3", "mp3")
    if head.startswith(b"fLaC"):
        return _av("flac", "flac")
    if _is_adts_frame(head):
        return _av("aac", "aac")
    if not head:
        raise MediaRejected("The file holds an audio tag but no audio.", RejectCode.NO_MEDIA)
    raise _unrecognised()


def sniff_path(path: Path, family: Family) -> Sniffed:
    """Sniff the file at ``path`` and insist it is of ``family``.

    For files the pipeline made itself (derivatives handed to the anonymisers and to
    speech recognition): they are opened with a forced parser all the same, so a caller
    passing an original upload by mistake does not widen the attack surface. Raises
    :class:`MediaRejected` for anything else.
    """
    with path.open("rb") as fp:
        sniffed = sniff_file(fp)
    if sniffed.family is not family:
        what = "an image" if family is Family.IMAGE else "audio or video"
        raise MediaRejected(f"The file is not {what}.", RejectCode.NOT_ALLOWED)
    return sniffed
