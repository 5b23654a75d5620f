"""The signature sniffer: bytes decide, names never do."""

from __future__ import annotations

import io
import struct

import pytest

from media_pipeline.media import MediaRejected, RejectCode, sniff_file, sniff_head
from media_pipeline.media.sniff import Family


def _ftyp(major: bytes, *compatible: bytes) -> bytes:
    body = major + b"\x00\x00\x00\x00" + b"".join(compatible)
    return struct.pack(">I", 8 + len(body)) + b"ftyp" + body + b"\x00" * 32


@pytest.mark.parametrize(
    ("head", "family", "container", "demuxer"),
    [
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", Family.AV, "wav", "wav"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", Family.IMAGE, "webp", None),
        (b"fLaC\x00\x00\x00\x22", Family.AV, "flac", "flac"),
        (b"OggS\x00\x02", Family.AV, "ogg", "ogg"),
        (b"\xff\xfb\x90\x64", Family.AV, "mp3", "mp3"),
        (b"\xff\xf1\x50\x80", Family.AV, "aac", "aac"),
        (b"#!AMR\n\x3c", Family.AV, "amr", "amr"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", Family.IMAGE, "jpeg", None),
        (b"\x89PNG\r\n\x1a\n\x00\x00", Family.IMAGE, "png", None),
        (_ftyp(b"isom", b"isom", b"avc1"), Family.AV, "mp4", "mov"),
        (_ftyp(b"qt  ", b"qt  "), Family.AV, "mov", "mov"),
        (_ftyp(b"M4A ", b"M4A ", b"mp42"), Family.AV, "m4a", "mov"),
        (_ftyp(b"3gp4", b"3gp4"), Family.AV, "3gp", "mov"),
        (_ftyp(b"heic", b"mif1", b"heic"), Family.IMAGE, "heif", None),
        (_ftyp(b"mif1", b"mif1", b"heic"), Family.IMAGE, "heif", None),
        (b"\x00\x00\x00\x08wide\x00\x00\x00\x00mdat", Family.AV, "mov", "mov"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm", Family.AV, "webm", "matroska"),
    ],
)
def test_allowed_signatures(
    head: bytes, family: Family, container: str, demuxer: str | None
) -> None:
    sniffed = sniff_head(head)
    assert (sniffed.family, sniffed.container, sniffed.demuxer) == (family, container, demuxer)


@pytest.mark.parametrize(
    ("head", "code", "words"),
    [
        (b"\x7fELF\x02\x01\x01", RejectCode.NOT_ALLOWED, "program"),
        (b"MZ\x90\x00", RejectCode.NOT_ALLOWED, "program"),
        (b"GIF89a\x01\x00", RejectCode.NOT_ALLOWED, "GIF"),
        (b"%PDF-1.7\n", RejectCode.NOT_ALLOWED, "PDF"),
        (b"PK\x03\x04\x14\x00", RejectCode.NOT_ALLOWED, "ZIP"),
        (b"#EXTM3U\n#EXTINF:1,\n/etc/passwd\n", RejectCode.NOT_ALLOWED, "playlist"),
        (b"\xef\xbb\xbf  #EXTM3U\n", RejectCode.NOT_ALLOWED, "playlist"),
        (b"ffconcat version 1.0\nfile '/etc/passwd'\n", RejectCode.NOT_ALLOWED, "concat"),
        (b"<!DOCTYPE html><html>", RejectCode.NOT_ALLOWED, "web page"),
        (b"\xef\xbb\xbf<html>", RejectCode.NOT_ALLOWED, "web page"),
        # One byte of the byte-order mark is no mark: binary noise, not markup.
        (b"\xbb<\x9a\x01\xfe\x00", RejectCode.UNRECOGNISED, "couldn't recognise"),
        (b"<?xml version='1.0'?><MPD>", RejectCode.NOT_ALLOWED, "XML"),
        (b"#!/bin/sh\nrm -rf /\n", RejectCode.NOT_ALLOWED, "script"),
        (b"II*\x00\x08\x00", RejectCode.NOT_ALLOWED, "TIFF"),
        (_ftyp(b"avif", b"mif1", b"avif"), RejectCode.NOT_ALLOWED, "AVIF"),
        (
            b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x88matroska",
            RejectCode.NOT_ALLOWED,
            "MKV",
        ),
        (b"RIFF\x00\x00\x00\x00AVI LIST", RejectCode.NOT_ALLOWED, "AVI"),
        (b"hello, this is just text", RejectCode.UNRECOGNISED, "couldn't recognise"),
        (bytes(range(64)), RejectCode.UNRECOGNISED, "couldn't recognise"),
        (b"", RejectCode.EMPTY, "empty"),
    ],
)
def test_rejected_signatures(head: bytes, code: RejectCode, words: str) -> None:
    with pytest.raises(MediaRejected) as caught:
        sniff_head(head)
    assert caught.value.code == code
    assert words in caught.value.reason


def _id3(payload_size: int) -> bytes:
    size = bytes((payload_size >> shift) & 0x7F for shift in (21, 14, 7, 0))
    return b"ID3\x04\x00\x00" + size + b"\x00" * payload_size


def test_id3_tag_is_skipped_to_find_the_real_format() -> None:
    assert (
        sniff_file(io.BytesIO(_id3(300) + b"\xff\xfb\x90\x64" + b"\x00" * 100)).container == "mp3"
    )
    assert sniff_file(io.BytesIO(_id3(10) + b"fLaC\x00\x00\x00\x22")).container == "flac"


def test_playlist_hidden_behind_an_id3_tag_is_rejected() -> None:
    with pytest.raises(MediaRejected) as caught:
        sniff_file(io.BytesIO(_id3(20) + b"#EXTM3U\n/etc/passwd\n"))
    assert caught.value.code == RejectCode.UNRECOGNISED


def test_id3_tag_with_nothing_after_it() -> None:
    with pytest.raises(MediaRejected) as caught:
        sniff_file(io.BytesIO(_id3(50)))
    assert caught.value.code == RejectCode.NO_MEDIA
