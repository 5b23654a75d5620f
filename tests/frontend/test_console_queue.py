"""The console's queue: status filters, search, sorting by age and the theme filter, and
a guard on its number of queries (it must not grow with the stories listed)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from stories.domain import themes
from stories.enums import StoryStatus, ThemeAction, ThemeSource
from stories.models import Redaction, StoryTheme, Theme
from tests.factories import StoryFactory, transcript_for


@pytest.fixture
def theme(db):
    found, _ = Theme.objects.get_or_create(
        slug="being-heard",
        defaults={"constellation": "power", "labels": {"en": "Being heard"}},
    )
    return found


def waiting(title: str, days_ago: int, **kwargs: object):
    submitted = timezone.now() - datetime.timedelta(days=days_ago)
    return StoryFactory(
        title=title, status=StoryStatus.NEEDS_REVIEW, submitted_at=submitted, **kwargs
    )


def titles(response) -> list[str]:
    return [s.title for s in response.context["stories"]]


def test_queue_filters_by_status_searches_and_sorts_by_age(client, curator, theme):
    old = waiting("Old tramline", 3)
    new = waiting("New library", 1)
    transcript_for(new, "the librarian never answered")
    StoryFactory(title="Approved one", status=StoryStatus.APPROVED)
    StoryFactory(title="Broken upload", status=StoryStatus.FAILED)
    client.force_login(curator)

    assert titles(client.get("/console/")) == [old.title, new.title]  # oldest first
    assert titles(client.get("/console/?sort=newest")) == [new.title, old.title]
    assert titles(client.get("/console/?status=approved")) == ["Approved one"]
    assert titles(client.get("/console/?status=failed")) == ["Broken upload"]
    assert titles(client.get("/console/?q=librarian")) == [new.title]  # in the transcript
    assert titles(client.get("/console/?q=tramline")) == [old.title]
    # An unknown status or sort falls back to the default; nothing breaks.
    assert titles(client.get("/console/?status=withdrawn&sort=sideways")) == [old.title, new.title]


def test_theme_filter_leaves_out_stories_where_the_theme_was_rejected(client, curator, theme):
    kept = waiting("Kept", 2)
    turned_down = waiting("Turned down", 1)
    for story in (kept, turned_down):
        StoryTheme.objects.create(story=story, theme=theme, source=ThemeSource.REPORTER)
    themes.decide(turned_down, theme.slug, ThemeAction.REJECT, actor=curator)
    client.force_login(curator)
    assert titles(client.get(f"/console/?theme={theme.slug}")) == ["Kept"]
    api = client.get(f"/api/v1/review/?theme={theme.slug}").json()
    assert [s["id"] for s in api["results"]] == [kept.pk]


def test_review_api_refuses_an_unknown_status_with_a_400(client, curator):
    client.force_login(curator)
    response = client.get("/api/v1/review/?status=withdrawn")
    assert response.status_code == 400
    assert "status" in response.json()


def test_queue_queries_do_not_grow_with_its_stories(
    client, curator, theme, django_assert_max_num_queries
):
    def add(n: int) -> None:
        for i in range(n):
            story = waiting(f"Story {i}", i + 1)
            transcript_for(story, "Anna said the bus never came")
            StoryTheme.objects.create(story=story, theme=theme, source=ThemeSource.MACHINE)
            Redaction.objects.create(
                story=story, field="transcript", start=0, end=4, text="Anna", type="person"
            )

    client.force_login(curator)
    add(2)
    with django_assert_max_num_queries(14):
        assert client.get("/console/").status_code == 200
    add(10)
    with django_assert_max_num_queries(14):
        response = client.get("/console/")
    assert len(response.context["stories"]) == 12
