"""``manage.py rebuild_public_copies``: a story published before the synchronised
transcript gets its timed transcript and captions through the publishing path, once."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client

from stories.domain import publication
from stories.enums import StoryStatus
from stories.models import PublishedStory, Story
from tests.factories import PublishedStoryFactory
from tests.stories.clip_helpers import published_spoken_story


def rebuild(*options: str) -> str:
    out = io.StringIO()
    call_command("rebuild_public_copies", *options, stdout=out)
    return out.getvalue()


@pytest.fixture
def old_style(db, tmp_path) -> Story:
    """A published recording whose public copy was made before segments existed."""
    story = published_spoken_story(tmp_path, language="en")
    PublishedStory.objects.filter(story=story).update(segments=[], translation={})
    return story


def test_an_old_publication_gets_its_segments_once(old_style):
    captions = f"/stories/{old_style.publication.public_id}/captions.vtt"
    assert Client().get(captions).status_code == 404
    PublishedStoryFactory()  # a text story: nothing to time, left alone

    assert rebuild("--dry-run").startswith("dry run: 1 published stories without")
    assert PublishedStory.objects.get(story=old_style).segments == []

    audio = old_style.publication.audio.name
    said = rebuild("--now")
    assert "1 published stories without a timed transcript: 1 rebuilt" in said
    copy = PublishedStory.objects.get(story=old_style)
    words = [w["word"] for segment in copy.segments for w in segment["words"]]
    assert words[:3] == ["We", "waited", "an"]
    assert copy.public_id == old_style.public_id  # the same story, still public
    assert copy.audio.name == audio  # the same build: its clips stay
    assert Client().get(captions).status_code == 200

    assert rebuild("--now").startswith("0 published stories without")  # idempotent


def test_queued_by_default_and_translations_asked_for(
    old_style, django_capture_on_commit_callbacks
):
    Story.objects.filter(pk=old_style.pk).update(language="fi")
    with django_capture_on_commit_callbacks() as sent:
        said = rebuild()
    assert said == (
        "1 published stories without a timed transcript: 0 rebuilt, 1 queued, 0 refused; "
        "1 translations queued\n"
    )
    # The worker's build (the publish task) and the translation task were queued.
    assert len(sent) == 2
    old_style.refresh_from_db()
    assert old_style.processing_step == publication.PUBLISH_QUEUED
    assert old_style.status == StoryStatus.PUBLISHED
