"""Migration 0026: existing themes get the shipped examples, and the taxonomy in force
gets a version that carries them, so suggestions use them without a curator's edit."""

from __future__ import annotations

import pytest

from media_pipeline.themes.taxonomy import load_default
from tests.stories.migrations import migrate, migrate_to_latest

BEFORE = [("stories", "0025_learning")]
AFTER = [("stories", "0026_theme_examples")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_fills_examples_and_records_a_version_with_them():
    old = migrate(BEFORE)
    try:
        versions = old.get_model("stories", "TaxonomyVersion").objects
        newest = versions.order_by("-version").first()
        number = (newest.version if newest is not None else 0) + 1
        # An installation whose taxonomy was edited before examples existed.
        data = load_default().to_dict()
        data["themes"] = [
            {key: value for key, value in theme.items() if key != "examples"}
            for theme in data["themes"]
        ]
        data["version"] = number
        versions.create(version=number, data=data, note="an edit before examples")
        # The shipped themes, as an installation of 0025 has them (a flushed test database
        # may have none at this point of a full run).
        themes = old.get_model("stories", "Theme").objects
        for position, theme in enumerate(data["themes"]):
            themes.update_or_create(
                slug=theme["slug"],
                defaults={
                    "constellation": theme["constellation"],
                    "position": position,
                    "labels": theme["labels"],
                    "descriptions": theme["descriptions"],
                    "signals": theme["signals"],
                },
            )

        new = migrate(AFTER)
        shipped = {t.slug: t.to_dict()["examples"] for t in load_default().themes}
        themes = dict(new.get_model("stories", "Theme").objects.values_list("slug", "examples"))
        assert themes == shipped
        latest = new.get_model("stories", "TaxonomyVersion").objects.order_by("-version")[0]
        assert latest.version == number + 1
        assert {t["slug"]: t["examples"] for t in latest.data["themes"]} == shipped
        assert latest.note == "theme examples added (migration 0026)"
    finally:
        # Whatever happened above, later tests need the schema of today.
        migrate_to_latest()
