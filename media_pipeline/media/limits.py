"""Limits applied to uploads, passed in by the caller (the Celery tasks read Django settings)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class MediaLimits:
    """Upper bounds for one upload.

    The defaults mirror ``config/settings.py`` so tests and scripts can run without Django.
    """

    max_bytes: int = 500 * 1024 * 1024
    max_seconds: float = 3 * 60 * 60
    max_image_pixels: int = 50_000_000

    def __post_init__(self) -> None:
        if self.max_bytes <= 0 or self.max_seconds <= 0 or self.max_image_pixels <= 0:
            raise ValueError("media limits must be positive")
