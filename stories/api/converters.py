"""Ids in API URLs and bodies: numbers that fit the database's 64-bit keys.

A longer number (``/stories/99999999999999999999/``) would overflow the query parameter
and fail as a 500; bounded here, it is a 404 (in a URL) or a field error (in a body).
"""

from __future__ import annotations

# The largest value of a signed 64-bit key (BigAutoField), on PostgreSQL and SQLite alike.
MAX_ROW_ID = 2**63 - 1
# At most 18 digits always fits; the rare 19-digit id is not worth a cleverer pattern.
ROW_ID_PATTERN = "[0-9]{1,18}"


# A story's public id (stories.models.story.new_public_id): it starts with a letter, so it
# never matches ROW_ID_PATTERN, and an old numeric public URL is told apart from it.
PUBLIC_ID_PATTERN = "[a-z][0-9a-z]{15}"


class PublicIdConverter:
    """``<publicid:name>``: a story's public id."""

    regex = PUBLIC_ID_PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class RowIdConverter:
    """``<rowid:name>``: a primary key that fits 64 bits."""

    regex = ROW_ID_PATTERN

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
