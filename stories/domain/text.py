"""What may be stored of a person's text: everything they wrote, minus invisible controls.

Stories are read on pages, in feeds, in exports and aloud. Control characters (a bell, an
escape sequence, C1 codes) are invalid in XML feeds and can rewrite a terminal or a log,
and the Unicode embedding, override and isolate controls (U+202A-U+202E, U+2066-U+2069)
reorder the text that follows them, so that ``Invoice\u202egpj.exe`` reads as
``Invoiceexe.jpg`` in a curator's console. None of them is typed on purpose, so they are
removed on the way in. Tabs and line breaks stay, and so do the right-to-left and
left-to-right marks (U+200E, U+200F) that Arabic and Hebrew writers do use.

NUL is not removed here: the serializers refuse it with a field error (PostgreSQL cannot
store it, so it never reaches the database either way).
"""

from __future__ import annotations

import re

_INVISIBLE = re.compile(
    "["
    "\x01-\x08\x0b\x0c\x0e-\x1f\x7f"  # C0 controls but tab, line feed and carriage return
    "\x80-\x9f"  # C1 controls
    "\u202a-\u202e"  # bidirectional embeddings and overrides
    "\u2066-\u2069"  # bidirectional isolates
    "]"
)


def clean(value: str) -> str:
    """``value`` without control characters and bidirectional formatting controls."""
    return _INVISIBLE.sub("", value)
