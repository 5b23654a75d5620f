"""Open untrusted media with PyAV so that FFmpeg can only ever read the one file.

FFmpeg demuxers such as HLS, DASH, concat and image2, or an MP4 data reference, can open other
URLs: local files or the network. We therefore (1) hand FFmpeg a Python file object, so it has
no filename to resolve relative paths against, (2) force the demuxer chosen by the sniffer,
from a fixed allow-list, and check FFmpeg agrees, (3) install an ``io_open`` callback that refuses
every nested open, and (4) restrict protocols to ``file`` and keep MP4 data references off, in
case a nested open ever bypassed the callback.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import av
import av.container

from .errors import MediaRejected, RejectCode
from .sniff import DEMUXERS

log = logging.getLogger(__name__)

_BUFFER_SIZE = 256 * 1024
_OPTIONS = {
    "protocol_whitelist": "file",
    # MP4/MOV: never follow data references ("dref") to other files.
    "enable_drefs": "0",
    "use_absolute_path": "0",
}


class NestedOpenRefused(MediaRejected):
    """Raised from FFmpeg's I/O callback when a demuxer tries to open another file or URL."""

    def __init__(self, url: str) -> None:
        super().__init__(
            "The file tries to load other files or web addresses, which is not allowed.",
            RejectCode.NOT_ALLOWED,
        )
        self.url = url


def _refuse_nested_open(url: str, flags: int, options: dict[str, Any]) -> Any:
    log.warning("refused nested open of %r by an FFmpeg demuxer", url)
    raise NestedOpenRefused(url)


@contextmanager
def open_input(path: str | Path, demuxer: str) -> Iterator[av.container.InputContainer]:
    """Open ``path`` for reading with the forced FFmpeg ``demuxer`` (a key of ``DEMUXERS``).

    Raises :class:`MediaRejected` if the demuxer is not allowed or FFmpeg cannot open the file.
    """
    if demuxer not in DEMUXERS:
        raise MediaRejected(f"The media format {demuxer!r} is not allowed.", RejectCode.NOT_ALLOWED)
    with Path(path).open("rb") as fp:
        try:
            container = av.open(
                fp,
                mode="r",
                format=demuxer,
                options=dict(_OPTIONS),
                buffer_size=_BUFFER_SIZE,
                io_open=_refuse_nested_open,
                # Tags are never used, and old phones write Latin-1 titles: don't fail on them.
                metadata_errors="replace",
            )
        except av.FFmpegError as exc:
            raise MediaRejected(
                "The file is damaged or not really the format it appears to be.",
                RejectCode.CORRUPT,
            ) from exc
        try:
            # Forced formats report their short name, probed ones the full "mov,mp4,…" list.
            if demuxer not in container.format.name.split(","):
                raise MediaRejected(
                    "The file's format could not be confirmed.", RejectCode.NOT_ALLOWED
                )
            yield container
        finally:
            container.close()
