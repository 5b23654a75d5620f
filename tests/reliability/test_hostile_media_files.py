"""Hostile uploads: each is rejected with a clear reason (or cleaned), never anything else."""

from __future__ import annotations

import contextlib
import os
import random
from collections.abc import Callable, Iterator
from pathlib import Path

import av
import pytest

from media_pipeline.media import MediaLimits, MediaRejected, RejectCode, normalise, probe
from media_pipeline.media.avopen import NestedOpenRefused, _refuse_nested_open, open_input
from tests.media_pipeline.media_factories import (
    AccessWatch,
    photo,
    write_audio,
    write_elf,
    write_ffconcat,
    write_gif,
    write_hls_playlist,
    write_pdf,
    write_video,
    write_zip,
)

LIMITS = MediaLimits(max_bytes=50_000_000, max_seconds=60, max_image_pixels=10_000_000)


def _rejected(path: Path, limits: MediaLimits = LIMITS) -> MediaRejected:
    with pytest.raises(MediaRejected) as caught:
        probe(path, limits)
    reason = caught.value.reason
    assert reason, "a sentence for people"
    assert reason[0].isupper(), "a sentence for people"
    assert reason.endswith("."), "a sentence for people"
    assert "Traceback" not in reason
    assert str(path) not in reason
    return caught.value


def test_zero_byte_file(tmp_path: Path) -> None:
    src = tmp_path / "empty.m4a"
    src.touch()
    assert _rejected(src).code == RejectCode.EMPTY


def test_executable_renamed_to_mp3(tmp_path: Path) -> None:
    rejected = _rejected(write_elf(tmp_path / "song.mp3"))
    assert rejected.code == RejectCode.NOT_ALLOWED
    assert "program" in rejected.reason


@pytest.mark.parametrize(
    ("writer", "name", "words"),
    [
        (write_gif, "funny.gif", "GIF"),
        (write_zip, "recordings.zip", "ZIP"),
        (write_pdf, "statement.pdf", "PDF"),
        (write_gif, "disguised.jpg", "GIF"),
        (write_zip, "disguised.wav", "ZIP"),
    ],
)
def test_other_formats_are_not_allowed(
    tmp_path: Path, writer: Callable[[Path], Path], name: str, words: str
) -> None:
    rejected = _rejected(writer(tmp_path / name))
    assert rejected.code == RejectCode.NOT_ALLOWED
    assert words in rejected.reason
    assert "Supported formats" in rejected.reason


def test_random_bytes(tmp_path: Path) -> None:
    src = tmp_path / "noise.webm"
    noise = bytearray(os.urandom(4096))
    # Binary from the first byte: 1 in 256 random heads starts with "<" and is refused as
    # markup instead (tests/media_pipeline/media/test_sniff.py covers that).
    noise[0] |= 0x80
    src.write_bytes(bytes(noise))
    # 1 in ~10^4 random heads looks like an MPEG frame; then FFmpeg refuses it instead.
    assert _rejected(src).code in {RejectCode.UNRECOGNISED, RejectCode.CORRUPT}


@pytest.fixture
def local_targets(tmp_path: Path) -> Iterator[tuple[list[Path], AccessWatch]]:
    """A secret file and a real WAV that a playlist will point at, watched with inotify."""
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    wav = write_audio(tmp_path / "real.wav", "wav", "pcm_s16le", seconds=0.5)
    try:
        watch = AccessWatch([secret, wav])
    except OSError as exc:
        pytest.skip(f"inotify unavailable: {exc}")
    try:
        yield [Path("/etc/passwd"), secret, wav], watch
    finally:
        watch.close()


@pytest.mark.parametrize(
    ("writer", "name"),
    [
        (write_hls_playlist, "story.m3u8"),
        (write_hls_playlist, "story.mp3"),
        (write_ffconcat, "story.ffconcat"),
        (write_ffconcat, "story.m4a"),
    ],
)
def test_playlists_never_read_the_files_they_name(
    tmp_path: Path,
    local_targets: tuple[list[Path], AccessWatch],
    writer,
    name: str,
) -> None:
    targets, watch = local_targets
    src = writer(tmp_path / name, targets)

    rejected = _rejected(src)

    assert rejected.code == RejectCode.NOT_ALLOWED
    assert watch.events() == 0, "a playlist target was opened"
    # Positive control: the watch does see a read of the target.
    targets[1].read_bytes()
    assert watch.events() > 0


@pytest.mark.parametrize("demuxer", ["hls", "concat", "image2", "dash", "http"])
def test_dangerous_demuxers_cannot_be_forced(tmp_path: Path, demuxer: str) -> None:
    src = write_hls_playlist(tmp_path / "p.m3u8", [Path("/etc/passwd")])
    with pytest.raises(MediaRejected) as caught, open_input(src, demuxer):
        pass
    assert caught.value.code == RejectCode.NOT_ALLOWED


def test_playlist_forced_through_an_allowed_demuxer_reads_nothing_else(
    tmp_path: Path, local_targets: tuple[list[Path], AccessWatch]
) -> None:
    # Even if the sniffer were fooled, FFmpeg is held to the demuxer we name.
    targets, watch = local_targets
    src = write_hls_playlist(tmp_path / "p.mp3", targets)
    with contextlib.suppress(MediaRejected), open_input(src, "mp3") as container:
        list(container.demux())
    assert watch.events() == 0


def test_nested_opens_are_refused_by_the_io_callback(
    tmp_path: Path, local_targets: tuple[list[Path], AccessWatch]
) -> None:
    """Last line of defence: a demuxer that wants another file gets MediaRejected instead."""
    targets, watch = local_targets
    src = write_hls_playlist(tmp_path / "p.m3u8", targets)
    with pytest.raises(NestedOpenRefused) as caught:
        # By path, so the HLS demuxer goes through io_open for the playlist and segments.
        av.open(str(src), format="hls", io_open=_refuse_nested_open)
    assert caught.value.code == RejectCode.NOT_ALLOWED
    assert watch.events() == 0


def test_truncated_mp3_is_cleaned_to_what_is_there(tmp_path: Path) -> None:
    full = write_audio(tmp_path / "full.mp3", "mp3", "libmp3lame", seconds=3.0)
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size // 2])

    info = probe(cut, LIMITS)
    (audio,) = normalise(cut, info, tmp_path / "out", LIMITS)

    assert audio.duration is not None
    assert 1.0 < audio.duration < 2.0


def test_mp3_cut_to_its_header_is_rejected(tmp_path: Path) -> None:
    full = write_audio(tmp_path / "full.mp3", "mp3", "libmp3lame", seconds=1.0)
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(full.read_bytes()[:200])
    assert _rejected(cut).code in {RejectCode.CORRUPT, RejectCode.NO_MEDIA}


@pytest.mark.parametrize("keep", [12, 64, 600, 2000])
def test_truncated_mp4_is_rejected(tmp_path: Path, keep: int) -> None:
    # FFmpeg writes the index (moov) last, so any cut loses it, as with an interrupted upload.
    full = write_video(tmp_path / "full.mp4", "mp4", "libx264", "aac")
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(full.read_bytes()[:keep])
    assert _rejected(cut).code == RejectCode.CORRUPT


def test_corrupted_bytes_never_escape_as_other_errors(tmp_path: Path) -> None:
    """Flip bytes all over real files: only MediaRejected (or success) may come out."""
    originals = [
        write_audio(tmp_path / "a.ogg", "ogg", "libopus", seconds=0.5),
        write_audio(tmp_path / "a.m4a", "ipod", "aac", seconds=0.5),
        write_video(tmp_path / "v.mp4", "mp4", "libx264", "aac", frames=5),
        write_video(tmp_path / "v.webm", "webm", "libvpx", "libopus", frames=5),
    ]
    png = tmp_path / "i.png"
    photo(80, 60).save(png)
    originals.append(png)
    rng = random.Random(1234)
    for original in originals:
        data = original.read_bytes()
        for trial in range(12):
            mutated = bytearray(data)
            for _ in range(rng.randint(1, 20)):
                # Leave the signature alone so the files reach the real parsers.
                mutated[rng.randrange(16, len(mutated))] = rng.randrange(256)
            src = tmp_path / f"m{trial}{original.suffix}"
            src.write_bytes(bytes(mutated))
            try:
                info = probe(src, LIMITS)
                normalise(src, info, tmp_path / f"out{trial}{original.suffix}", LIMITS)
            except MediaRejected:
                pass
