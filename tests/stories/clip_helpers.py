"""A published spoken story to cut clips from, built as publishing builds it."""

from __future__ import annotations

from pathlib import Path

from django.core.files import File
from django.utils import timezone

from stories.domain import audio_redactions, clips, publication
from stories.domain.roles import AnyUser
from stories.enums import StoryKind, StoryStatus
from stories.models import Clip, Collection, CollectionStory, Story
from tests.factories import CollectionFactory, StoryFactory, transcript_for
from tests.media_pipeline.anonymise.helpers import voice_like
from tests.media_pipeline.media_factories import write_wav

# No personal data in it: the release check then needs no speech model. Word i is said
# from 0.5 * i to 0.5 * i + 0.4 seconds.
SAID = "We waited an hour for the bus and nobody told us that the stop had moved away"
# A stretch the curator muted by hand: the published audio holds a tone there.
MUTED = (5.0, 5.8)
# Said in Swedish: "we waited an hour for the bus in the cold and nobody told us that the
# bus stop had been moved" (17 words, 0.5 s each).
BUS_SV = (
    "vi väntade en timme på bussen i kylan och ingen sa till oss att busshållplatsen hade flyttats"
)
LIBRARY_EN = (
    "the library opened a new reading room for children and it is full of families every Saturday"
)


def published_spoken_story(folder: Path, said: str = SAID, **kwargs: object) -> Story:
    """An audio story saying ``said`` published by ``publication.publish`` (its release
    check passed), in a published collection. ``consent`` adds scopes
    (``{"research": True}``)."""
    scopes = {"store": True, "publish_text": True, "publish_audio": True}
    scopes.update(kwargs.pop("consent", None) or {})  # type: ignore[call-overload]
    story: Story = StoryFactory(
        kind=StoryKind.AUDIO, text="", status=StoryStatus.APPROVED, consent=scopes, **kwargs
    )
    transcript = transcript_for(story, said, seconds_per_word=0.5)
    recording = write_wav(folder / "speech.wav", voice_like(len(said.split()) * 0.5))
    with recording.open("rb") as handle:
        transcript.asset.file.save("speech.wav", File(handle))
    audio_redactions.mute(story, *MUTED, actor=None)
    publication.publish(story)
    story.refresh_from_db()
    collection: Collection = CollectionFactory(published_at=timezone.now())
    CollectionStory.objects.create(collection=collection, story=story)
    return story


def bus_and_library_clips(folder: Path, actor: AnyUser | None) -> dict[str, Clip]:
    """Two public clips of two published spoken stories: ``sv``, about waiting for a bus,
    and ``en``, about a library (each the first 8.4 s of its story)."""
    made = {}
    for language, said in (("sv", BUS_SV), ("en", LIBRARY_EN)):
        (folder / language).mkdir()
        story = published_spoken_story(folder / language, said=said, language=language)
        made[language] = clips.make(story, start=0.0, end=8.4, title="", actor=actor)
    return made
