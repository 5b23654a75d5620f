"""Clips in templates that other views render: the console's story page and collection
pages ask for them here, so those views need not know about clips."""

from __future__ import annotations

from django import template

from stories.domain import clips
from stories.models import Clip, Collection, PublishedStory

register = template.Library()


@register.simple_tag
def story_clips(story_id: int) -> list[Clip]:
    """The public clips of the story with this id, newest first."""
    return clips.of_story(story_id)


@register.simple_tag
def collection_clips(collection: Collection) -> list[Clip]:
    """Public clips of the collection's stories, newest first."""
    return clips.in_collection(collection)


@register.simple_tag
def related_clips(publication: PublishedStory) -> list[Clip]:
    """Other stories' public clips close in meaning to the story shown."""
    return clips.related_to(publication)


@register.filter
def clock(seconds: float | None) -> str:
    """Seconds as m:ss.s, as the console shows times."""
    value = float(seconds or 0)
    return f"{int(value // 60)}:{value % 60:04.1f}"
