"""Validation, probing and normalisation of untrusted uploads (no Django in here).

Typical use from a task::

    limits = MediaLimits(max_bytes=settings.TARINA_MAX_UPLOAD_BYTES, ...)
    info = probe(upload_path, limits)            # raises MediaRejected(reason, code)
    derived = normalise(upload_path, info, out_dir, limits)

Only derived files should ever be served, transcribed or shown: they are re-encoded from
decoded samples/pixels and carry no metadata (EXIF, GPS, XMP, QuickTime location…).
"""

from .api import normalise, probe
from .errors import MediaRejected, RejectCode
from .hashing import sha256_file
from .images import declared_size
from .info import Derived, MediaInfo, MediaKind, Role
from .limits import MediaLimits
from .sniff import Sniffed, sniff_file, sniff_head

__all__ = [
    "Derived",
    "MediaInfo",
    "MediaKind",
    "MediaLimits",
    "MediaRejected",
    "RejectCode",
    "Role",
    "Sniffed",
    "declared_size",
    "normalise",
    "probe",
    "sha256_file",
    "sniff_file",
    "sniff_head",
]
