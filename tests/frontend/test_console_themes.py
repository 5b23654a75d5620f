"""The console's theme decisions through the API: a passage as evidence, and bad input
answered 400 with nothing changed."""

from __future__ import annotations

from stories.enums import StoryStatus, ThemeSource, ThemeTagState
from stories.models import StoryTheme, Theme
from tests.factories import StoryFactory


def test_a_passage_tags_a_theme_and_bad_evidence_is_a_400(client, curator):
    theme, _ = Theme.objects.get_or_create(
        slug="being-heard", defaults={"constellation": "power", "labels": {"en": "Being heard"}}
    )
    story = StoryFactory(status=StoryStatus.NEEDS_REVIEW)
    StoryTheme.objects.create(story=story, theme=theme, source=ThemeSource.REPORTER)
    client.force_login(curator)
    url = f"/api/v1/stories/{story.pk}/themes/"
    passage = {"text": "never came", "start": 14, "end": 24, "segment_start": 1.5}

    backwards = {**passage, "start": 24, "end": 14}
    refused = client.post(
        url, {"theme": theme.slug, "action": "add", "evidence": backwards}, "application/json"
    )
    assert refused.status_code == 400
    assert "end" in refused.json()["evidence"]
    assert StoryTheme.objects.filter(story=story).count() == 1  # nothing changed

    added = client.post(
        url, {"theme": theme.slug, "action": "add", "evidence": passage}, "application/json"
    )
    assert added.status_code == 200
    rows = {row.source: row for row in StoryTheme.objects.filter(story=story)}
    assert rows[ThemeSource.CURATOR].evidence == [passage]
    # The reporter's tag of the theme takes the same decision: one chip, one answer.
    assert {row.state for row in rows.values()} == {ThemeTagState.CONFIRMED}
