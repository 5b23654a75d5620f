"""Which codecs each container may carry, and the MIME types we report.

Kept to what phones and browsers record: every extra decoder is extra attack surface.
Names are FFmpeg's canonical codec names (``codec.canonical_name``), not decoder names.
"""

from __future__ import annotations

from .info import MediaKind

_PCM = frozenset(
    {
        "pcm_s16le",
        "pcm_s16be",
        "pcm_s24le",
        "pcm_s24be",
        "pcm_s32le",
        "pcm_f32le",
        "pcm_u8",
        "pcm_mulaw",
        "pcm_alaw",
    }
)
_MOV_AUDIO = frozenset({"aac", "alac", "mp3", "amr_nb", "amr_wb", "opus"}) | _PCM
_MOV_VIDEO = frozenset({"h264", "hevc", "mpeg4", "h263", "av1"})

AUDIO_CODECS: dict[str, frozenset[str]] = {
    "wav": _PCM,
    "flac": frozenset({"flac"}),
    "mp3": frozenset({"mp3"}),
    "aac": frozenset({"aac"}),
    "ogg": frozenset({"opus", "vorbis"}),
    "amr": frozenset({"amr_nb", "amr_wb"}),
    "webm": frozenset({"opus", "vorbis"}),
    "mp4": _MOV_AUDIO,
    "mov": _MOV_AUDIO,
    "m4a": _MOV_AUDIO,
    "3gp": _MOV_AUDIO,
}

VIDEO_CODECS: dict[str, frozenset[str]] = {
    "webm": frozenset({"vp8", "vp9", "av1"}),
    "mp4": _MOV_VIDEO,
    "mov": _MOV_VIDEO,
    "m4a": _MOV_VIDEO,
    "3gp": _MOV_VIDEO,
}

_AUDIO_MIME = {
    "wav": "audio/wav",
    "flac": "audio/flac",
    "mp3": "audio/mpeg",
    "aac": "audio/aac",
    "ogg": "audio/ogg",
    "amr": "audio/amr",
    "webm": "audio/webm",
    "mp4": "audio/mp4",
    "mov": "audio/mp4",
    "m4a": "audio/mp4",
    "3gp": "audio/3gpp",
}
_VIDEO_MIME = {
    "webm": "video/webm",
    "mp4": "video/mp4",
    "m4a": "video/mp4",
    "mov": "video/quicktime",
    "3gp": "video/3gpp",
}
_IMAGE_MIME = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp", "heif": "image/heic"}


def mime_type(container: str, kind: MediaKind) -> str:
    """MIME type for an accepted upload of ``kind`` in ``container`` (our container label)."""
    table = {MediaKind.AUDIO: _AUDIO_MIME, MediaKind.VIDEO: _VIDEO_MIME}.get(kind, _IMAGE_MIME)
    return table[container]
