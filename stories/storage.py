"""Storage for private media: originals and working files, with no URL at all."""

from __future__ import annotations

from django.core.files.storage import FileSystemStorage


class PrivateFileSystemStorage(FileSystemStorage):
    """Local files that can never be linked to: ``url()`` refuses.

    Originals reach curators only through views that check permissions, so a
    misconfigured web server or a template cannot leak them by URL.
    """

    def url(self, name: str | None) -> str:
        raise ValueError("Private media is not accessible via a URL.")
