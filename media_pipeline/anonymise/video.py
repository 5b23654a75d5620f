"""Published derivatives of a video: an anonymised poster frame and its anonymised sound.

A video's pictures are published only when the consent allows the reporter's face unblurred
and their voice (blurring every frame reliably is out of reach offline): then
:func:`remux_video` puts the original frames, copied as they are, next to the anonymised
sound in a new file with no metadata. Text cannot be blurred in frames copied as they are,
so :func:`text_in_key_frames` reads a few key frames first and the caller withholds the
video when they show text it must hide. Otherwise only a still and the audio track are
published, each through the same anonymisers as pictures and audio.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from contextlib import ExitStack
from pathlib import Path

import av
from av.video.stream import VideoStream
from PIL import Image

from media_pipeline.media.audio import extract_audio
from media_pipeline.media.avopen import open_input
from media_pipeline.media.avprobe import too_many_pixels
from media_pipeline.media.decoding import MAX_VIDEO_DECODE_ERRORS, decode_frames, demux_until_error
from media_pipeline.media.errors import MediaRejected, RejectCode
from media_pipeline.media.limits import MediaLimits
from media_pipeline.media.sniff import Family, sniff_path

from .audio import (
    DEFAULT_PADDING,
    DEFAULT_PITCH_SEMITONES,
    DEFAULT_SAMPLE_RATE,
    AnonymisedAudio,
    AudioFormat,
    Replacement,
    anonymise_audio,
)
from .images import DETECT_EDGE, AnonymisedImage, PictureRedaction, anonymise_picture
from .text_regions import Word, personal_words, read_words

# Phone videos often open on a black or blurred frame; a moment in is more representative.
POSTER_AT_SECONDS = 1.0
# Bound the work however the timestamps look: never decode more frames than this.
_MAX_POSTER_FRAMES = 300
# Key frames read for text before a video may be published as it is (about a second each).
KEY_FRAMES_READ = 6
# Key frames are read at this size: name tags stay legible, Tesseract stays quick.
KEY_FRAME_EDGE = 1280

_TRANSPOSE = {
    90: Image.Transpose.ROTATE_90,
    180: Image.Transpose.ROTATE_180,
    270: Image.Transpose.ROTATE_270,
}


def poster_time(duration: float | None, at_seconds: float = POSTER_AT_SECONDS) -> float:
    """When to take the poster: ``at_seconds`` in, or the middle of a shorter video."""
    if duration is None or duration <= 0:
        return at_seconds
    return min(at_seconds, duration / 2)


def _duration(container: av.container.InputContainer, stream: VideoStream) -> float | None:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / av.time_base
    return None


def poster_image(
    src: str | Path, *, limits: MediaLimits | None = None, at_seconds: float = POSTER_AT_SECONDS
) -> Image.Image:
    """The upright frame of ``src``'s first video stream at :func:`poster_time`, as RGB pixels.

    Only the frame's pixels leave this function: nothing from the container comes with them.
    Raises :class:`MediaRejected` when no frame can be decoded or a frame is too large.
    """
    path = Path(src)
    limits = limits or MediaLimits()
    sniffed = sniff_path(path, Family.AV)
    assert sniffed.demuxer is not None
    with open_input(path, sniffed.demuxer) as container:
        if not container.streams.video:
            raise MediaRejected("The file has no pictures.", RejectCode.NO_MEDIA)
        stream = container.streams.video[0]
        stream.codec_context.thread_type = "AUTO"
        target = poster_time(_duration(container, stream), at_seconds)
        best: av.VideoFrame | None = None
        for count, frame in enumerate(
            decode_frames(container, stream, max_errors=MAX_VIDEO_DECODE_ERRORS), start=1
        ):
            if frame.width * frame.height > limits.max_image_pixels:
                raise too_many_pixels(frame.width, frame.height, limits)
            best = frame
            if (frame.time is not None and frame.time >= target) or count >= _MAX_POSTER_FRAMES:
                break
        if best is None:
            raise MediaRejected("No picture could be decoded from the video.", RejectCode.CORRUPT)
        image = best.to_image()
        rotation = best.rotation
    # The container's display rotation (FFmpeg's sign: degrees counter-clockwise).
    turn = _TRANSPOSE.get(rotation % 360)
    return image.transpose(turn) if turn is not None else image


def anonymise_video_poster(
    src: str | Path,
    dest: str | Path,
    *,
    blur_faces: bool = True,
    redaction: PictureRedaction | None = None,
    limits: MediaLimits | None = None,
    at_seconds: float = POSTER_AT_SECONDS,
    max_edge: int | None = None,
    detect_edge: int = DETECT_EDGE,
) -> AnonymisedImage:
    """Write the video's poster frame to ``dest`` as an anonymised JPEG (faces blurred, and
    text and marked regions as ``redaction`` says)."""
    image = poster_image(src, limits=limits, at_seconds=at_seconds)
    return anonymise_picture(
        image,
        dest,
        blur_faces=blur_faces,
        redaction=redaction,
        max_edge=max_edge,
        detect_edge=detect_edge,
    )


def key_frames(
    src: str | Path, *, count: int = KEY_FRAMES_READ, limits: MediaLimits | None = None
) -> list[Image.Image]:
    """Up to ``count`` key frames spread over the video, upright, at most KEY_FRAME_EDGE.

    Only key frames are decoded (the decoder skips the rest), so this stays quick on long
    videos; the first key frame at or after each of ``count`` evenly spaced moments is kept.
    """
    path = Path(src)
    limits = limits or MediaLimits()
    sniffed = sniff_path(path, Family.AV)
    assert sniffed.demuxer is not None
    kept: list[Image.Image] = []
    with open_input(path, sniffed.demuxer) as container:
        if not container.streams.video:
            raise MediaRejected("The file has no pictures.", RejectCode.NO_MEDIA)
        stream = container.streams.video[0]
        stream.codec_context.skip_frame = "NONKEY"
        duration = _duration(container, stream) or 0.0
        moments = [duration * (i + 0.5) / count for i in range(count)] if duration else [0.0]
        for frame in decode_frames(container, stream, max_errors=MAX_VIDEO_DECODE_ERRORS):
            if frame.width * frame.height > limits.max_image_pixels:
                raise too_many_pixels(frame.width, frame.height, limits)
            if not moments or len(kept) >= count:
                break
            if frame.time is None or frame.time >= moments[0] or not kept:
                kept.append(_upright_small(frame))
                while moments and frame.time is not None and frame.time >= moments[0]:
                    moments.pop(0)
    return kept


def _upright_small(frame: av.VideoFrame) -> Image.Image:
    image = frame.to_image()
    image.thumbnail((KEY_FRAME_EDGE, KEY_FRAME_EDGE), Image.Resampling.BILINEAR)
    turn = _TRANSPOSE.get(frame.rotation % 360)
    return image.transpose(turn) if turn is not None else image


def text_in_key_frames(
    src: str | Path, redaction: PictureRedaction, *, limits: MediaLimits | None = None
) -> list[Word]:
    """The words in the video's key frames that ``redaction`` would blur (its text policy).

    Frames copied as they are cannot be blurred: a non-empty answer means the moving video
    must not be published. Raises ``TextReadingFailed`` when the text cannot be read.
    """
    if redaction.blur_text == "none":
        return []
    found: list[Word] = []
    for image in key_frames(src, limits=limits):
        words = read_words(image, timeout=redaction.text_timeout)
        if redaction.blur_text == "all":
            found.extend(words)
        else:
            assert redaction.detect is not None  # checked by PictureRedaction
            found.extend(personal_words(words, redaction.detect))
    return found


def extract_audio_track(
    src: str | Path, dest: str | Path, *, limits: MediaLimits | None = None
) -> Path | None:
    """Write ``src``'s first audio stream to ``dest`` as 16 kHz mono WAV; ``None`` if silent.

    The WAV is the input :func:`~media_pipeline.anonymise.audio.anonymise_audio` expects; it
    is an intermediate, never to be published as such.
    """
    path, out = Path(src), Path(dest)
    limits = limits or MediaLimits()
    sniffed = sniff_path(path, Family.AV)
    assert sniffed.demuxer is not None
    with open_input(path, sniffed.demuxer) as container:
        if not container.streams.audio:
            return None
        index = container.streams.audio[0].index
    extract_audio(path, sniffed.demuxer, index, out, limits, audio_format="wav")
    return out


def anonymise_video_audio(
    src: str | Path,
    dest: str | Path,
    redactions: Iterable[tuple[float, float]],
    *,
    replacement: Replacement = "tone",
    padding: float = DEFAULT_PADDING,
    disguise_voice: bool = False,
    pitch_semitones: float = DEFAULT_PITCH_SEMITONES,
    sample_rate: int = DEFAULT_SAMPLE_RATE,
    audio_format: AudioFormat = "m4a",
    limits: MediaLimits | None = None,
) -> AnonymisedAudio | None:
    """Extract the video's sound and anonymise it into ``dest``; ``None`` if it has no sound.

    The options are those of :func:`~media_pipeline.anonymise.audio.anonymise_audio`.
    """
    with tempfile.TemporaryDirectory(prefix="tarina-anon-") as tmp:
        wav = extract_audio_track(src, Path(tmp) / "track.wav", limits=limits)
        if wav is None:
            return None
        return anonymise_audio(
            wav,
            dest,
            redactions,
            replacement=replacement,
            padding=padding,
            disguise_voice=disguise_voice,
            pitch_semitones=pitch_semitones,
            sample_rate=sample_rate,
            audio_format=audio_format,
            limits=limits,
        )


def _rotation_of(container: av.container.InputContainer, stream: VideoStream) -> int:
    """The display rotation of the first decodable frame (degrees, FFmpeg's sign)."""
    for frame in decode_frames(container, stream, max_errors=MAX_VIDEO_DECODE_ERRORS):
        return int(frame.rotation) % 360
    raise MediaRejected("No picture could be decoded from the video.", RejectCode.CORRUPT)


def remux_video(src: str | Path, sound: str | Path | None, dest: str | Path) -> Path:
    """Write ``src``'s pictures with ``sound`` (an anonymised M4A, or none) to ``dest`` as MP4.

    The picture packets are copied, not re-encoded; the original sound track, the
    container's and the streams' metadata (place, device, time, title) are left behind.
    Only the display rotation is carried over, so a phone's upright video stays upright.
    """
    path, out = Path(src), Path(dest)
    sniffed = sniff_path(path, Family.AV)
    assert sniffed.demuxer is not None
    with open_input(path, sniffed.demuxer) as probe:
        if not probe.streams.video:
            raise MediaRejected("The file has no pictures.", RejectCode.NO_MEDIA)
        rotation = _rotation_of(probe, probe.streams.video[0])
    with ExitStack() as stack:
        pictures = stack.enter_context(open_input(path, sniffed.demuxer))
        inputs: list[tuple[av.container.InputContainer, av.stream.Stream]] = [
            (pictures, pictures.streams.video[0])
        ]
        if sound is not None:
            track = stack.enter_context(open_input(Path(sound), _demuxer_of(Path(sound))))
            inputs.append((track, track.streams.audio[0]))
        muxer = stack.enter_context(av.open(str(out), "w", "mp4"))
        # Every stream exists before the first packet: the header is written with it.
        targets = []
        for _, source in inputs:
            target = muxer.add_stream_from_template(source)
            target.time_base = source.time_base  # the copied packets' timestamps are in it
            target.metadata.clear()
            targets.append(target)
        if rotation and isinstance(targets[0], VideoStream):
            targets[0].set_display_rotation(rotation)
        for (container, source), target in zip(inputs, targets, strict=True):
            _copy_packets(container, source, muxer, target)
    return out


def _demuxer_of(path: Path) -> str:
    demuxer = sniff_path(path, Family.AV).demuxer
    assert demuxer is not None
    return demuxer


def _copy_packets(
    container: av.container.InputContainer,
    source: av.stream.Stream,
    muxer: av.container.OutputContainer,
    target: av.stream.Stream,
) -> None:
    for packet in demux_until_error(container, source):
        if packet.dts is None:  # the demuxer's end-of-stream marker
            continue
        packet.stream = target
        muxer.mux(packet)
