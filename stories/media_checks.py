"""Quick checks on an upload at submission time, so a reporter hears at once about a wrong file.

Only the first bytes are read here. The worker validates every file in full later.
"""

from __future__ import annotations

from typing import Any

from media_pipeline.media import MediaRejected
from media_pipeline.media.sniff import Family, sniff_file
from stories.enums import StoryKind

FAMILY_FOR_KIND = {
    StoryKind.AUDIO: Family.AV,
    StoryKind.VIDEO: Family.AV,
    StoryKind.PHOTO: Family.IMAGE,
}


def kind_mismatch(kind: str, upload: Any) -> str | None:
    """Why ``upload`` cannot belong to a story of ``kind``, or None when it can."""
    try:
        sniffed = sniff_file(upload.file)
    except MediaRejected as rejected:
        return f"{upload.name}: {rejected.reason}"
    finally:
        upload.file.seek(0)
    if sniffed.family != FAMILY_FOR_KIND[StoryKind(kind)]:
        found = "a picture" if sniffed.family == Family.IMAGE else "a recording"
        return f"{upload.name} is {found}, which does not fit a {kind} story."
    return None
