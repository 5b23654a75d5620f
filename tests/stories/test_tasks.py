"""Background tasks keep their wire names, so work queued before an upgrade still runs."""

from __future__ import annotations

import pytest

from config.celery import app as celery_app
from stories.domain import dispatch
from stories.enums import StoryStatus
from stories.models import Story
from tests.factories import StoryFactory
from tests.worker import wait_for

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_story_queued_under_the_pre_upgrade_task_name_is_processed(worker, drive):
    story = StoryFactory(drive=drive, text="The bus never came on time.")

    # The message a web process of the release before the move would have published.
    celery_app.send_task("media_pipeline.tasks.process_story", args=[story.pk])

    done = wait_for(
        lambda: Story.objects.filter(pk=story.pk, status=StoryStatus.NEEDS_REVIEW).first(),
        timeout=120,
    )
    assert done.status == StoryStatus.NEEDS_REVIEW


def test_every_named_task_is_served_by_the_stories_app():
    names = [
        dispatch.PROCESS_STORY,
        dispatch.TRANSCRIBE_STORY,
        dispatch.FINISH_STORY,
        dispatch.PUBLISH_STORY,
        dispatch.RETRAIN_THEME_MODEL,
        dispatch.SWEEP_STUCK_STORIES,
    ]
    celery_app.loader.import_default_modules()
    assert {celery_app.tasks[name].__module__ for name in names} == {"stories.tasks"}
