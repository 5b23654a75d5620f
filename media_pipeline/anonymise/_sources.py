"""Open the files handed to the anonymisers with the media package's hardened openers.

The anonymisers normally receive the pipeline's own derivatives, but they are sniffed and opened
with a forced parser all the same: a caller passing an original upload by mistake must not
widen the attack surface.
"""

from __future__ import annotations

from pathlib import Path

from media_pipeline.media.errors import MediaRejected, RejectCode
from media_pipeline.media.sniff import Family, Sniffed, sniff_file


def sniff_path(path: Path, family: Family) -> Sniffed:
    """Sniff ``path`` and insist it is of ``family``; raise :class:`MediaRejected` otherwise."""
    with path.open("rb") as fp:
        sniffed = sniff_file(fp)
    if sniffed.family is not family:
        what = "an image" if family is Family.IMAGE else "audio or video"
        raise MediaRejected(f"The file is not {what}.", RejectCode.NOT_ALLOWED)
    return sniffed
