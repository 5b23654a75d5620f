"""Anonymised derivatives for publishing (no Django in here; originals are never published).

* :func:`anonymise_audio` — redacted words replaced by a tone or silence, optional voice
  disguise, written as AAC/M4A (or MP3) with no metadata;
* :func:`anonymise_image` / :func:`anonymise_picture` — a metadata-free JPEG, faces blurred;
* :func:`anonymise_video_poster` and :func:`anonymise_video_audio` — the same for a video's
  poster frame and sound track; :func:`remux_video` — its pictures with the anonymised sound,
  for consent that allows the reporter's image and voice.
"""

from .audio import AnonymisedAudio, anonymise_audio, redaction_windows
from .images import AnonymisedImage, Box, anonymise_image, anonymise_picture, detect_faces
from .video import (
    anonymise_video_audio,
    anonymise_video_poster,
    extract_audio_track,
    poster_image,
    remux_video,
)

__all__ = [
    "AnonymisedAudio",
    "AnonymisedImage",
    "Box",
    "anonymise_audio",
    "anonymise_image",
    "anonymise_picture",
    "anonymise_video_audio",
    "anonymise_video_poster",
    "detect_faces",
    "extract_audio_track",
    "poster_image",
    "redaction_windows",
    "remux_video",
]
