"""Anonymised derivatives for publishing (no Django in here; originals are never published).

* :func:`anonymise_audio` — redacted words replaced by a tone or silence, optional voice
  disguise, written as AAC/M4A (or MP3) with no metadata;
* :func:`anonymise_image` / :func:`anonymise_picture` — a metadata-free JPEG, faces blurred,
  and text read by Tesseract blurred when personal (or all of it), as a
  :class:`PictureRedaction` says, with regions a curator marked;
* :func:`anonymise_video_poster` and :func:`anonymise_video_audio` — the same for a video's
  poster frame and sound track; :func:`remux_video` — its pictures with the anonymised sound,
  for consent that allows the reporter's face and voice, once :func:`text_in_key_frames`
  found no text to hide in it.
"""

from .audio import AnonymisedAudio, anonymise_audio, redaction_windows
from .boxes import Box, RelativeBox
from .images import (
    AnonymisedImage,
    PictureRedaction,
    TextPolicy,
    anonymise_image,
    anonymise_picture,
    detect_faces,
)
from .text_regions import TextReadingFailed, Word, read_words
from .video import (
    anonymise_video_audio,
    anonymise_video_poster,
    extract_audio_track,
    poster_image,
    remux_video,
    text_in_key_frames,
)

__all__ = [
    "AnonymisedAudio",
    "AnonymisedImage",
    "Box",
    "PictureRedaction",
    "RelativeBox",
    "TextPolicy",
    "TextReadingFailed",
    "Word",
    "anonymise_audio",
    "anonymise_image",
    "anonymise_picture",
    "anonymise_video_audio",
    "anonymise_video_poster",
    "detect_faces",
    "extract_audio_track",
    "poster_image",
    "read_words",
    "redaction_windows",
    "remux_video",
    "text_in_key_frames",
]
