"""Which consent is in force for a story.

Its own module because both sides need it: ``consent`` (giving, narrowing and withdrawing
consent) unpublishes through ``publication``, and ``publication`` reads the consent in force.
"""

from __future__ import annotations

from stories.models import ConsentRecord, Story


def current(story: Story) -> ConsentRecord | None:
    """The consent in force for ``story``: the newest record not withdrawn."""
    return story.consent_records.filter(withdrawn_at__isnull=True).order_by("-given_at").first()
