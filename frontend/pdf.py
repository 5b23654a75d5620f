"""HTML to PDF with WeasyPrint, run in a process of its own.

WeasyPrint switches Pillow's ``ImageFile.LOAD_TRUNCATED_IMAGES`` on for the whole process
when it is imported; in a web or worker process that would let truncated uploads through
the media checks. A separate process keeps that flag (and WeasyPrint's memory) out of
ours. It may fetch nothing but ``data:`` URLs, so nothing in a report can make the server
read a file or a URL.
"""

from __future__ import annotations

import subprocess
import sys

TIMEOUT_SECONDS = 120


class PdfFailed(Exception):
    """WeasyPrint could not render the document."""


def html_to_pdf(html: str) -> bytes:
    """``html`` (self-contained) rendered as a PDF."""
    command = [sys.executable, "-m", "weasyprint", "--allowed-protocols", "data", "-", "-"]
    try:
        done = subprocess.run(  # noqa: S603 (a fixed command; the HTML goes to its stdin)
            command, input=html.encode(), capture_output=True, timeout=TIMEOUT_SECONDS, check=True
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        raise PdfFailed(str(error)) from error
    return done.stdout
