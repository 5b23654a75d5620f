"""Races: a reporter changes their mind while a worker builds the story's public copy.

The interleaving is forced by running the reporter's action right after the real build
of the public media and before the public copy is written, as a second process would.
"""

from __future__ import annotations

import pytest

from stories.domain import consent, publication
from stories.domain import publication_media as public_media
from stories.enums import StoryStatus
from stories.models import PublishedStory, Story
from tests.factories import StoryFactory


def narrow_to_nothing_public(story: Story) -> None:
    consent.narrow(story, {"store": True}, actor_label="receipt holder")


def withdraw(story: Story) -> None:
    consent.withdraw(story, actor_label="receipt holder")


@pytest.mark.parametrize(
    ("meanwhile", "status"),
    [(narrow_to_nothing_public, StoryStatus.APPROVED), (withdraw, StoryStatus.WITHDRAWN)],
)
def test_consent_taken_back_during_the_build_wins(drive, monkeypatch, meanwhile, status):
    story = StoryFactory(drive=drive, status=StoryStatus.APPROVED)
    real_build = public_media.build

    def build_while_the_reporter_acts(*args, **kwargs):
        built = real_build(*args, **kwargs)
        meanwhile(Story.objects.get(pk=story.pk))
        return built

    monkeypatch.setattr(public_media, "build", build_while_the_reporter_acts)

    with pytest.raises(publication.NotPublishable):
        publication.publish(story)

    assert not PublishedStory.objects.filter(story=story).exists()
    assert Story.objects.get(pk=story.pk).status == status
