"""Quick checks on an upload at submission time, so a reporter hears at once about a wrong file.

Only the first bytes are read here. The worker validates every file in full later.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from media_pipeline.media import MediaRejected, RejectCode
from media_pipeline.media.sniff import Family, sniff_file
from stories.enums import StoryKind

FAMILY_FOR_KIND = {
    StoryKind.AUDIO: Family.AV,
    StoryKind.VIDEO: Family.AV,
    StoryKind.PHOTO: Family.IMAGE,
}

# The sniffer's reasons are English (the worker stores them); a reporter reads these instead.
SUPPORTED = gettext_lazy(
    "Supported formats are audio (M4A, MP3, OGG/Opus, WebM, WAV, FLAC, AMR, 3GP), "
    "video (MP4, MOV, WebM, 3GP) and images (JPEG, PNG, WebP, HEIC)."
)
REASONS: dict[str, Promise] = {
    RejectCode.EMPTY: gettext_lazy("The file is empty."),
    RejectCode.UNRECOGNISED: gettext_lazy(
        "We couldn't recognise this file as audio, video or an image."
    ),
    RejectCode.NOT_ALLOWED: gettext_lazy("This kind of file is one we can't accept."),
    RejectCode.CORRUPT: gettext_lazy("The file starts with a damaged audio tag (ID3)."),
    RejectCode.NO_MEDIA: gettext_lazy("The file holds an audio tag but no audio."),
}
# (what the file is, the story's kind) -> why it does not fit.
MISFITS: dict[tuple[Family, StoryKind], Promise] = {
    (Family.IMAGE, StoryKind.AUDIO): gettext_lazy(
        "%(name)s is a picture, which does not fit an audio story."
    ),
    (Family.IMAGE, StoryKind.VIDEO): gettext_lazy(
        "%(name)s is a picture, which does not fit a video story."
    ),
    (Family.AV, StoryKind.PHOTO): gettext_lazy(
        "%(name)s is a recording, which does not fit a photo story."
    ),
}


def rejection(name: str, rejected: MediaRejected) -> str:
    """The sniffer's refusal of file ``name``, in the reporter's language."""
    reason = REASONS.get(rejected.code)
    if reason is None:
        return f"{name}: {rejected.reason}"
    if rejected.code in (RejectCode.UNRECOGNISED, RejectCode.NOT_ALLOWED):
        return f"{name}: {reason} {SUPPORTED}"
    return f"{name}: {reason}"


def kind_mismatch(kind: str, upload: Any) -> str | None:
    """Why ``upload`` cannot belong to a story of ``kind``, or None when it can."""
    try:
        sniffed = sniff_file(upload.file)
    except MediaRejected as rejected:
        return rejection(upload.name, rejected)
    finally:
        upload.file.seek(0)
    story_kind = StoryKind(kind)
    if sniffed.family != FAMILY_FOR_KIND[story_kind]:
        return str(MISFITS[(sniffed.family, story_kind)]) % {"name": upload.name}
    return None
