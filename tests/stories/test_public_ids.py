"""Public ids: the migration gives every existing story one, and its public copy the same."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from stories.api.converters import PUBLIC_ID_PATTERN
from tests.stories.migrations import migrate, migrate_to_latest

BEFORE = [("stories", "0014_upload_parts")]
AFTER = [("stories", "0016_public_ids_required")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_fills_public_ids_for_stories_and_their_copies():
    old = migrate(BEFORE)
    drive = old.get_model("stories", "Drive").objects.create(slug="old", title="Old drive")
    stories = [
        old.get_model("stories", "Story").objects.create(
            drive=drive, kind="text", status="published", receipt_hash=f"{n:064x}"
        )
        for n in range(3)
    ]
    old.get_model("stories", "PublishedStory").objects.create(
        story=stories[0], drive=drive, kind="text", published_at=timezone.now()
    )
    try:
        # The models as they were then: later migrations add columns today's models read.
        new = migrate(AFTER)
        stories_then = new.get_model("stories", "Story").objects
        ids = dict(stories_then.filter(drive__slug="old").values_list("pk", "public_id"))
        assert len(set(ids.values())) == 3
        assert all(re.fullmatch(PUBLIC_ID_PATTERN, value) for value in ids.values())
        copy = new.get_model("stories", "PublishedStory").objects.get(story_id=stories[0].pk)
        assert copy.public_id == ids[stories[0].pk]
    finally:
        migrate_to_latest()
