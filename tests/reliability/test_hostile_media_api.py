"""Hostile media the existing corpus did not cover (see docs/reliability.md for the rest).

Files are generated here: a WebP and a GIF that claim hundreds of megapixels in a few
bytes, a zip that inflates to 64 MB, polyglots (JPEG + ZIP, WAV + HTML), playlists aimed at
a canary HTTP server on loopback, four hours of silence, a 20 kB WAV that really decodes to
five and a half hours, and truncated recordings in every container phones use. Each is
refused with a sentence for people, quickly and without decoding what it need not, or
cleaned; the canary must see no connection at all. The last test sends the worst of them
through the API and a real worker, which must survive them.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from media_pipeline.media import MediaLimits, MediaRejected, RejectCode, normalise, probe
from media_pipeline.media.avopen import NestedOpenRefused, _refuse_nested_open, open_input
from stories.enums import StoryStatus
from stories.models import Story
from tests.media_pipeline.media_factories import (
    photo,
    write_audio,
    write_video,
)
from tests.worker import wait_for

LIMITS = MediaLimits()  # the production defaults: 500 MB, 3 hours, 50 megapixels


def rejected(path: Path, within: float = 2.0) -> MediaRejected:
    started = time.monotonic()
    with pytest.raises(MediaRejected) as caught:
        probe(path, LIMITS)
    assert time.monotonic() - started < within, "refused, but only after doing the work"
    reason = caught.value.reason
    assert reason[0].isupper()
    assert reason.endswith(".")
    assert str(path) not in reason
    return caught.value


# --- Generators ---------------------------------------------------------------------------


def write_webp_bomb(path: Path, width: int = 16_384, height: int = 16_384) -> Path:
    """A lossless WebP whose header claims ``width`` x ``height`` (268 Mpx) in 64 bytes."""
    bits = (width - 1) | ((height - 1) << 14)  # 14 + 14 bits, then alpha and version (0)
    vp8l = b"\x2f" + struct.pack("<I", bits) + b"\x00" * 40
    chunk = b"VP8L" + struct.pack("<I", len(vp8l)) + vp8l
    path.write_bytes(b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk)
    return path


def write_gif_bomb(path: Path) -> Path:
    """A GIF whose logical screen and only frame claim 65535 x 65535 pixels."""
    header = b"GIF89a" + struct.pack("<HH", 65535, 65535) + b"\x80\x00\x00"
    palette = b"\x00\x00\x00\xff\xff\xff"
    frame = b"\x2c" + struct.pack("<HHHH", 0, 0, 65535, 65535) + b"\x00"
    path.write_bytes(header + palette + frame + b"\x02\x02\x44\x01\x00\x3b")
    return path


def write_zip_bomb(path: Path, megabytes: int = 64) -> Path:
    """A zip whose one member inflates to ``megabytes`` of zeros (about 64 kB on disk)."""
    block = bytes(1024 * 1024)
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("recording.wav", "w") as member,
    ):
        for _ in range(megabytes):
            member.write(block)
    return path


def write_silence(path: Path, hours: float, rate: int = 8000) -> Path:
    """``hours`` of silence as FLAC (compresses to almost nothing: ~2.7 MB for four hours)."""
    with av.open(str(path), "w", format="flac") as out:
        stream = out.add_stream("flac", rate=rate, layout="mono")
        block = rate * 10
        silence = np.zeros((1, block), dtype=np.int16)
        for n in range(int(hours * 360)):
            frame = av.AudioFrame.from_ndarray(silence, format="s16", layout="mono")
            frame.sample_rate = rate
            frame.pts = n * block
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


def write_one_hertz_wav(path: Path, samples: int = 20_000) -> Path:
    """A valid WAV at 1 sample per second: 20 kB that really decodes to 5.5 hours."""
    data = bytes([128]) * samples
    fmt = struct.pack("<IHHIIHH", 16, 1, 1, 1, 1, 1, 8)  # PCM, mono, 1 Hz, 8-bit
    body = b"WAVEfmt " + fmt + b"data" + struct.pack("<I", len(data)) + data
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    return path


# --- Decompression bombs and archives -------------------------------------------------------


def test_webp_bomb_is_refused_from_its_header(tmp_path):
    src = write_webp_bomb(tmp_path / "bomb.webp")
    assert src.stat().st_size < 100
    assert rejected(src, within=1.0).code in {RejectCode.TOO_MANY_PIXELS, RejectCode.CORRUPT}


def test_gif_bomb_is_refused_before_any_decoder_sees_it(tmp_path):
    for name in ("bomb.gif", "bomb.jpg", "bomb.png"):  # whatever it is called
        refusal = rejected(write_gif_bomb(tmp_path / name), within=0.5)
        assert refusal.code == RejectCode.NOT_ALLOWED
        assert "GIF" in refusal.reason


def test_zip_bomb_is_refused_without_being_inflated(tmp_path):
    src = write_zip_bomb(tmp_path / "story.m4a")
    assert src.stat().st_size < 1_000_000
    refusal = rejected(src, within=0.5)
    assert refusal.code == RejectCode.NOT_ALLOWED
    assert "ZIP" in refusal.reason


# --- Polyglots ------------------------------------------------------------------------------


def test_jpeg_zip_polyglot_loses_the_archive(tmp_path):
    jpeg = tmp_path / "p.jpg"
    photo(120, 90).save(jpeg, "JPEG")
    inner = write_zip_bomb(tmp_path / "inner.zip", megabytes=1).read_bytes()
    jpeg.write_bytes(jpeg.read_bytes() + inner)
    derived = normalise(jpeg, probe(jpeg, LIMITS), tmp_path / "out", LIMITS)
    assert derived
    for item in derived:
        assert b"PK\x03\x04" not in item.path.read_bytes()


def test_wav_with_html_after_the_audio_is_cleaned(tmp_path):
    wav = write_audio(tmp_path / "a.wav", "wav", "pcm_s16le", seconds=0.5)
    wav.write_bytes(wav.read_bytes() + b"<html><script>alert(1)</script></html>")
    (audio,) = normalise(wav, probe(wav, LIMITS), tmp_path / "out", LIMITS)
    assert b"<script" not in audio.path.read_bytes()
    assert audio.duration == pytest.approx(0.5, abs=0.05)


# --- Playlists aimed at a canary on loopback -------------------------------------------------


class Canary:
    """An HTTP server on 127.0.0.1 that counts every connection made to it."""

    def __init__(self) -> None:
        self.hits = 0
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(16)
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while self.running:
            try:
                connection, _ = self.server.accept()
            except OSError:
                continue
            self.hits += 1
            connection.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok")
            connection.close()

    def close(self) -> None:
        self.running = False
        self.thread.join(timeout=2)
        self.server.close()


@pytest.fixture
def canary() -> Iterator[Canary]:
    server = Canary()
    yield server
    server.close()


def hls_at(path: Path, urls: list[str]) -> Path:
    """An HLS playlist whose segments are URLs."""
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-TARGETDURATION:10"]
    for url in urls:
        lines += ["#EXTINF:1.0,", url]
    path.write_text("\n".join([*lines, "#EXT-X-ENDLIST", ""]))
    return path


def ffconcat_at(path: Path, urls: list[str]) -> Path:
    """An FFmpeg concat list naming URLs."""
    path.write_text("\n".join(["ffconcat version 1.0", *(f"file '{u}'" for u in urls), ""]))
    return path


def aimed_at(canary: Canary) -> list[str]:
    return [f"{canary.url}/segment{n}.ts" for n in range(3)]


@pytest.mark.parametrize(
    ("writer", "name"),
    [
        (hls_at, "story.m3u8"),
        (hls_at, "story.mp3"),
        (ffconcat_at, "story.ffconcat"),
        (ffconcat_at, "story.wav"),
    ],
)
def test_playlists_never_call_the_canary(tmp_path, canary, writer, name):
    src = writer(tmp_path / name, aimed_at(canary))
    assert canary.url in src.read_text()
    assert rejected(src).code == RejectCode.NOT_ALLOWED
    # Forced through an allowed demuxer, and through HLS with our I/O guard: still nothing.
    with pytest.raises(MediaRejected), open_input(src, "mp3") as container:
        list(container.demux())
    with pytest.raises(NestedOpenRefused):
        av.open(str(src), format="hls", io_open=_refuse_nested_open)
    time.sleep(0.3)
    assert canary.hits == 0
    # Positive control: the canary does count a real request.
    with urllib.request.urlopen(f"{canary.url}/x", timeout=2) as answer:  # noqa: S310
        assert answer.read() == b"ok"
    assert canary.hits == 1


# --- Durations ------------------------------------------------------------------------------


def test_four_hours_of_silence_is_refused_while_probing(tmp_path):
    src = write_silence(tmp_path / "silence.flac", hours=4)
    assert src.stat().st_size < 5_000_000
    refusal = rejected(src, within=5.0)
    assert refusal.code == RejectCode.TOO_LONG
    assert "3 h limit" in refusal.reason


def test_twenty_kilobytes_that_decode_to_five_hours_are_refused(tmp_path):
    src = write_one_hertz_wav(tmp_path / "tiny.wav")
    with av.open(str(src)) as container:
        assert container.duration / 1e6 > 5 * 3600, "the fixture really is that long"
    assert rejected(src, within=1.0).code == RejectCode.TOO_LONG


# --- Truncated and corrupt recordings in each container --------------------------------------


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("a.ogg", lambda p: write_audio(p, "ogg", "libopus", seconds=2.0)),
        ("a.flac", lambda p: write_audio(p, "flac", "flac", seconds=2.0)),
        ("a.wav", lambda p: write_audio(p, "wav", "pcm_s16le", seconds=2.0)),
        ("a.m4a", lambda p: write_audio(p, "ipod", "aac", seconds=2.0)),
        ("v.webm", lambda p: write_video(p, "webm", "libvpx", "libopus", frames=20)),
    ],
)
@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9])
def test_a_cut_recording_is_cleaned_to_what_is_there_or_refused(tmp_path, name, make, keep):
    full = make(tmp_path / name)
    data = full.read_bytes()
    cut = tmp_path / f"cut-{name}"
    cut.write_bytes(data[: int(len(data) * keep)])
    refusal: MediaRejected | None = None
    try:
        info = probe(cut, LIMITS)
        derived = normalise(cut, info, tmp_path / "out", LIMITS)
    except MediaRejected as caught:  # only MediaRejected may come out, never anything else
        refusal = caught
    if refusal is not None:
        assert refusal.code in {RejectCode.CORRUPT, RejectCode.NO_MEDIA, RejectCode.UNRECOGNISED}
    else:
        assert derived
        assert info.duration is not None
        assert info.duration <= 2.1


# --- Through the API and a real worker -------------------------------------------------------


@pytest.mark.integration
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worst_of_them_fail_with_a_reason_and_the_worker_survives(
    client_for, drive, worker, tmp_path, canary
):
    consent = json.dumps({"store": True})

    def send(kind: str, path: Path):
        upload = SimpleUploadedFile(path.name, path.read_bytes())
        return client_for().post(
            "/api/v1/stories/",
            {"drive": drive.slug, "kind": kind, "consent": consent, "files": [upload]},
            format="multipart",
        )

    playlist = send("audio", hls_at(tmp_path / "p.m3u8", aimed_at(canary)))
    assert playlist.status_code == 400  # refused at once from its first bytes
    sent = {
        "four hours of silence": send("audio", write_silence(tmp_path / "s.flac", hours=4)),
        "five hours in 20 kB": send("audio", write_one_hertz_wav(tmp_path / "w.wav")),
        "a WebP bomb": send("photo", write_webp_bomb(tmp_path / "b.webp")),
    }
    for what, response in sent.items():
        assert response.status_code == 201, what
        story = wait_for(
            lambda r=response: Story.objects.filter(
                pk=r.json()["id"], status=StoryStatus.FAILED
            ).first(),
            90,
        )
        assert story.status_reason, what
        assert "Traceback" not in story.status_reason, what
    assert worker.process.poll() is None
    assert canary.hits == 0
