"""Generators for media test files: real encodes via PyAV/Pillow plus hand-made hostile files.

Everything is written into a directory the test gives (``tmp_path``); nothing is downloaded.
"""

from __future__ import annotations

import io
import struct
import wave
import zipfile
import zlib
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image

GPS_LOCATION = "+60.4518+022.2666/"
GPS_TEXT = "60.4518"


def write_wav(path: Path, samples: np.ndarray, rate: int = 16_000) -> Path:
    """Write float samples in [-1, 1] as 16-bit mono WAV with the stdlib."""
    pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm.tobytes())
    return path


def encoder_available(codec: str) -> bool:
    """Whether the bundled FFmpeg can encode with ``codec``."""
    try:
        av.codec.Codec(codec, "w")
    except Exception:
        return False
    return True


def tone(seconds: float, rate: int, freq: float = 440.0) -> np.ndarray:
    """A quiet sine tone as float32 in [-1, 1]."""
    t = np.arange(int(seconds * rate)) / rate
    return (0.3 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def _encode_audio(
    container: av.container.OutputContainer,
    stream: av.audio.stream.AudioStream,
    samples: np.ndarray,
    rate: int,
) -> None:
    layout = stream.layout.name
    channels = len(stream.layout.channels)
    # The resampler converts to whatever sample format the encoder wants and, for codecs with
    # a fixed frame size (AAC, Opus, AMR…), cuts frames of exactly that size.
    resampler = av.AudioResampler(
        format=stream.codec_context.format.name,
        layout=layout,
        rate=rate,
        frame_size=stream.codec_context.frame_size or None,
    )
    planar = np.tile(samples, (channels, 1))
    chunk = 4096
    pts = 0
    for start in range(0, planar.shape[1], chunk):
        part = np.ascontiguousarray(planar[:, start : start + chunk])
        frame = av.AudioFrame.from_ndarray(part, format="fltp", layout=layout)
        frame.sample_rate = rate
        frame.pts = pts
        frame.time_base = Fraction(1, rate)
        pts += part.shape[1]
        for out in resampler.resample(frame):
            for packet in stream.encode(out):
                container.mux(packet)
    for out in resampler.resample(None):
        for packet in stream.encode(out):
            container.mux(packet)
    for packet in stream.encode(None):
        container.mux(packet)


def write_audio(
    path: Path,
    container_format: str,
    codec: str,
    *,
    seconds: float = 1.0,
    rate: int = 48_000,
    layout: str = "mono",
    metadata: dict[str, str] | None = None,
    options: dict[str, str] | None = None,
) -> Path:
    """Encode a tone with ``codec`` into ``container_format`` at ``path``."""
    with av.open(str(path), "w", format=container_format) as container:
        container.metadata.update(metadata or {})
        stream = container.add_stream(codec, rate=rate, options=options or {})
        stream.layout = layout
        _encode_audio(container, stream, tone(seconds, rate), rate)
    return path


def write_video(
    path: Path,
    container_format: str,
    vcodec: str,
    acodec: str | None = None,
    *,
    width: int = 64,
    height: int = 48,
    frames: int = 10,
    fps: int = 10,
    audio_rate: int = 48_000,
    metadata: dict[str, str] | None = None,
    rotation: int | None = None,
    options: dict[str, str] | None = None,
) -> Path:
    """Encode a short clip whose top rows are red (so orientation can be checked) at ``path``."""
    with av.open(str(path), "w", format=container_format) as container:
        container.metadata.update(metadata or {})
        vstream = container.add_stream(vcodec, rate=fps, options=options or {})
        vstream.width = width
        vstream.height = height
        vstream.pix_fmt = "yuv420p"
        if rotation is not None:
            vstream.set_display_rotation(rotation)
        astream = None
        if acodec:
            astream = container.add_stream(acodec, rate=audio_rate)
            astream.layout = "mono"
        for i in range(frames):
            img = np.full((height, width, 3), 40 + i, np.uint8)
            img[: height // 4, :, :] = (220, 20, 20)
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts = i
            for packet in vstream.encode(frame):
                container.mux(packet)
        for packet in vstream.encode(None):
            container.mux(packet)
        if astream is not None:
            _encode_audio(container, astream, tone(frames / fps, audio_rate), audio_rate)
    return path


def write_mp3_with_cover(path: Path, seconds: float = 1.0) -> Path:
    """An MP3 with embedded cover art, which FFmpeg shows as an ``attached_pic`` video stream."""
    cover = io.BytesIO()
    photo(32, 32).save(cover, "JPEG")
    with av.open(str(path), "w", format="mp3") as container:
        audio = container.add_stream("libmp3lame", rate=44_100)
        audio.layout = "mono"
        art = container.add_stream("mjpeg")
        art.width, art.height, art.pix_fmt = 32, 32, "yuvj420p"
        art.disposition = av.stream.Disposition.attached_pic
        packet = av.Packet(cover.getvalue())
        packet.stream = art
        packet.pts = packet.dts = 0
        container.mux(packet)
        _encode_audio(container, audio, tone(seconds, 44_100), 44_100)
    return path


# --- images -----------------------------------------------------------------------------------


def photo(width: int = 64, height: int = 48) -> Image.Image:
    """An RGB test picture with a red top band (to see rotations)."""
    im = Image.new("RGB", (width, height), (30, 90, 160))
    im.paste((220, 20, 20), (0, 0, width, max(1, height // 4)))
    return im


def pixel(im: Image.Image, xy: tuple[int, int]) -> tuple[int, ...]:
    """The channel values of one pixel (RGB or RGBA)."""
    value = im.getpixel(xy)
    assert isinstance(value, tuple)
    return value


def write_jpeg_with_gps(path: Path) -> Path:
    """JPEG with EXIF GPS IFD, a GPS comment, an XMP packet and a description naming the place."""
    exif = Image.Exif()
    exif[0x010E] = f"Taken at {GPS_TEXT},22.2666"  # ImageDescription
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (60.0, 27.0, 6.48)
    gps[3] = "E"
    gps[4] = (22.0, 15.0, 59.76)
    gps[0x1B] = f"ASCII\x00\x00\x00{GPS_TEXT}"  # GPSProcessingMethod / area text
    xmp = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" '
        f'exif:GPSLatitude="{GPS_TEXT}N"/></rdf:RDF></x:xmpmeta>'
    )
    photo().save(path, "JPEG", exif=exif, xmp=xmp.encode(), comment=f"near {GPS_TEXT}".encode())
    return path


def write_oriented_jpeg(path: Path, orientation: int = 6) -> Path:
    """A 64x48 JPEG whose EXIF says it must be displayed rotated."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    photo(64, 48).save(path, "JPEG", exif=exif)
    return path


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def write_huge_png(path: Path, width: int = 30_000, height: int = 30_000) -> Path:
    """A valid 1-bit PNG of ``width`` x ``height`` (900 Mpx) written in ~1 MB, streaming zlib.

    1-bit rows keep the raw stream at ~112 MB, compressed row by row without holding it.
    """
    row = b"\x00" * (1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    with path.open("wb") as fp:
        fp.write(b"\x89PNG\r\n\x1a\n")
        fp.write(_png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)))
        pending = bytearray()
        for _ in range(height):
            pending += compressor.compress(row)
            if len(pending) > 1 << 20:
                fp.write(_png_chunk(b"IDAT", bytes(pending)))
                pending.clear()
        pending += compressor.flush()
        fp.write(_png_chunk(b"IDAT", bytes(pending)))
        fp.write(_png_chunk(b"IEND", b""))
    return path


POLYGLOT_HTML = b"<html><script>alert(document.cookie)</script></html>"


def write_png_html_polyglot(path: Path) -> Path:
    """A valid PNG with HTML in a tEXt chunk and again after IEND."""
    buf = io.BytesIO()
    photo().save(buf, "PNG")
    data = buf.getvalue()
    iend = data.rindex(b"IEND") - 4
    text = _png_chunk(b"tEXt", b"Comment\x00" + POLYGLOT_HTML)
    path.write_bytes(data[:8] + data[8:iend] + text + data[iend:] + POLYGLOT_HTML)
    return path


def write_heic(path: Path) -> Path:
    """An iPhone-style HEIC photo via pillow-heif (raises if its HEVC encoder is missing)."""
    from pillow_heif import register_heif_opener

    register_heif_opener()
    photo(64, 48).save(path, "HEIF", quality=80)
    return path


# --- hostile files ----------------------------------------------------------------------------

ELF_HEADER = (
    b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00\x01\x00\x00\x00" + b"\x00" * 40
)


def write_elf(path: Path) -> Path:
    """ELF executable header bytes (the file is usually named .mp3 by the test)."""
    path.write_bytes(ELF_HEADER + b"\x90" * 512)
    return path


def write_gif(path: Path) -> Path:
    """A real GIF (allowed by Pillow, not by us)."""
    photo().convert("P").save(path, "GIF")
    return path


def write_zip(path: Path) -> Path:
    """A ZIP archive holding a WAV-named member."""
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("recording.wav", b"RIFF" + b"\x00" * 100)
    return path


def write_pdf(path: Path) -> Path:
    """A minimal PDF."""
    path.write_bytes(b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
    return path


def write_hls_playlist(path: Path, targets: list[Path]) -> Path:
    """An HLS playlist whose segments are local files."""
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-TARGETDURATION:10"]
    for target in targets:
        lines += ["#EXTINF:1.0,", str(target)]
    lines.append("#EXT-X-ENDLIST")
    path.write_text("\n".join(lines) + "\n")
    return path


def write_ffconcat(path: Path, targets: list[Path]) -> Path:
    """An FFmpeg concat list naming local files."""
    lines = ["ffconcat version 1.0"] + [f"file '{t}'" for t in targets]
    path.write_text("\n".join(lines) + "\n")
    return path


def forge_flac_length(path: Path) -> Path:
    """Patch FLAC's STREAMINFO to claim 2**36 - 1 samples (about 400 hours at 48 kHz)."""
    raw = bytearray(path.read_bytes())
    assert raw[:4] == b"fLaC", "STREAMINFO must be the first block"
    assert raw[4] & 0x7F == 0, "STREAMINFO must be the first block"
    # STREAMINFO bytes 10..17 pack rate (20 bits), channels (3), depth (5), total samples (36).
    packed = int.from_bytes(raw[18:26], "big")
    packed |= (1 << 36) - 1
    raw[18:26] = packed.to_bytes(8, "big")
    path.write_bytes(bytes(raw))
    return path


# --- checks -----------------------------------------------------------------------------------


class AccessWatch:
    """Counts opens/reads of some files by *any* code in the process (Linux inotify).

    Unlike a Python-level hook this also sees FFmpeg's own C ``open()`` calls.
    """

    _IN_ACCESS = 0x001
    _IN_OPEN = 0x020

    def __init__(self, paths: list[Path]) -> None:
        import ctypes
        import os

        self._os = os
        libc = ctypes.CDLL(None, use_errno=True)
        if not hasattr(libc, "inotify_init1"):
            raise OSError("inotify is not available")
        self.fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1 failed")
        for path in paths:
            wd = libc.inotify_add_watch(
                self.fd, str(path).encode(), self._IN_ACCESS | self._IN_OPEN
            )
            if wd < 0:
                raise OSError(ctypes.get_errno(), f"cannot watch {path}")

    def events(self) -> int:
        """Number of access/open events since the last call."""
        count = 0
        while True:
            try:
                data = self._os.read(self.fd, 65536)
            except BlockingIOError:
                return count
            offset = 0
            while offset < len(data):
                name_len = struct.unpack_from("iIII", data, offset)[3]
                offset += 16 + name_len
                count += 1

    def close(self) -> None:
        """Release the inotify descriptor."""
        self._os.close(self.fd)


# Keys Pillow reports for a plain JPEG/WebP/PNG carrying no metadata at all.
HARMLESS_IMAGE_INFO = frozenset(
    {"jfif", "jfif_version", "jfif_unit", "jfif_density", "loop", "background", "dpi"}
)
FORBIDDEN_BYTES = (
    GPS_TEXT.encode(),
    b"Exif\x00\x00",
    b"http://ns.adobe.com",
    b"<script",
    b"<html",
    b"PhoneMaker",
)


def assert_clean_image(path: Path) -> None:
    """The file is a picture with no EXIF, GPS, XMP, ICC, comments or text chunks."""
    with Image.open(path) as im:
        assert set(im.info) <= HARMLESS_IMAGE_INFO, f"{path.name} keeps {set(im.info)}"
        assert len(im.getexif()) == 0
        assert not getattr(im, "text", {})
    raw = path.read_bytes()
    for needle in FORBIDDEN_BYTES:
        assert needle not in raw, f"{path.name} contains {needle!r}"


def assert_clean_av(path: Path) -> None:
    """An audio file with no container or stream metadata (location included)."""
    with av.open(str(path)) as container:
        assert dict(container.metadata) == {}
        for stream in container.streams:
            assert "location" not in stream.metadata
    assert GPS_TEXT.encode() not in path.read_bytes()
