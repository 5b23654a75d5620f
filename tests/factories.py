"""Factories for the domain's objects. Tests say what matters and leave the rest here."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from stories.domain import consent_state, pictures, receipts
from stories.enums import AssetRole, ConsentChannel, Role, StoryKind, StoryStatus
from stories.models import (
    Collection,
    ConsentRecord,
    ConsentText,
    Drive,
    MediaAsset,
    PublishedStory,
    Story,
    Transcript,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    password = factory.django.Password("a-long-test-password")

    @factory.post_generation
    def role(self, create: bool, extracted: Role | None, **kwargs: object) -> None:
        if extracted is None:
            return
        self.groups.add(Group.objects.get_or_create(name=extracted.value)[0])
        if extracted == Role.ADMIN:
            self.is_staff = self.is_superuser = True
            self.save()


class DriveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Drive
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"drive-{n}")
    title = factory.Sequence(lambda n: f"Stories of services {n}")
    description = "Tell us how a service treated you."
    expected_languages = ["fi", "sv"]
    default_language = "en"
    allow_light_touch = True
    is_open = True

    @factory.post_generation
    def consent_texts(self, create: bool, extracted: dict[str, str] | None, **kw: object) -> None:
        texts = extracted or {"en": "We keep your story safe.", "fi": "Säilytämme tarinasi."}
        for language, text in texts.items():
            ConsentText.objects.create(drive=self, version=1, language=language, text=text)


class StoryFactory(factory.django.DjangoModelFactory):
    """A text story with consent to store and publish its text."""

    class Meta:
        model = Story
        skip_postgeneration_save = True

    drive = factory.SubFactory(DriveFactory)
    kind = StoryKind.TEXT
    title = "The library bus"
    text = "The library bus stops by our village, and the staff asked what we need."
    language = "en"
    status = StoryStatus.SUBMITTED
    receipt_hash = factory.LazyFunction(lambda: receipts.issue()[1])

    @factory.post_generation
    def consent(self, create: bool, extracted: dict[str, bool] | None, **kw: object) -> None:
        scopes = extracted or {"store": True, "publish_text": True}
        ConsentRecord.objects.create(story=self, channel=ConsentChannel.API, **scopes)


def story_with_receipt(**kwargs: object) -> tuple[Story, str]:
    """A story and the receipt its reporter was given."""
    receipt, digest = receipts.issue()
    story: Story = StoryFactory(receipt_hash=digest, **kwargs)
    return story, receipt


class PublishedStoryFactory(factory.django.DjangoModelFactory):
    """An anonymised publication of a published story (as ``publication.publish`` leaves it)."""

    class Meta:
        model = PublishedStory
        skip_postgeneration_save = True

    story = factory.SubFactory(
        StoryFactory,
        status=StoryStatus.PUBLISHED,
        consent={"store": True, "publish_text": True, "research": True},
    )
    public_id = factory.SelfAttribute("story.public_id")
    drive = factory.SelfAttribute("story.drive")
    kind = factory.SelfAttribute("story.kind")
    language = factory.SelfAttribute("story.language")
    title = factory.SelfAttribute("story.title")
    text = factory.SelfAttribute("story.text")
    research_allowed = True
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def themes(self, create: bool, extracted: list[object] | None, **kw: object) -> None:
        if extracted:
            self.themes.set(extracted)


class CollectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Collection
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"collection-{n}")
    title = factory.Sequence(lambda n: f"Being heard, part {n}")
    description = "Stories about being listened to."


def transcript_for(story: Story, text: str, *, seconds_per_word: float = 0.5) -> Transcript:
    """A machine transcript of ``text`` with evenly spaced word timings, on a stored
    normalised recording (the file itself is not needed by the code under test)."""
    asset = MediaAsset.objects.create(
        story=story, role=AssetRole.NORMALISED, variant="audio16k", file="stories/t.wav"
    )
    words = []
    for i, word in enumerate(text.split()):
        start = i * seconds_per_word
        words.append({"start": start, "end": start + seconds_per_word * 0.8, "word": f" {word}"})
    end = len(words) * seconds_per_word
    return Transcript.objects.create(
        story=story,
        asset=asset,
        engine="faster-whisper",
        model="base",
        language=story.language,
        duration=end,
        text=text,
        segments=[{"start": 0.0, "end": end, "text": text, "words": words}],
    )


def published_story(
    *, collections: tuple[Collection, ...] = (), **kwargs: object
) -> PublishedStory:
    """A published story's public copy, indexed for search as publishing leaves it, and
    placed in ``collections`` (last in each)."""
    from stories.domain import search
    from stories.models import CollectionStory

    publication: PublishedStory = PublishedStoryFactory(**kwargs)
    search.index(publication)
    for collection in collections:
        CollectionStory.objects.create(
            collection=collection,
            story=publication.story,
            position=CollectionStory.objects.filter(collection=collection).count(),
        )
    return publication


def picture_looked_at(story: Story) -> str:
    """A curator looks at the picture publishing would make (as the console shows it) and
    confirms it; returns its fingerprint."""
    record = consent_state.current(story)
    picture = pictures.plan(story, record)
    assert picture is not None, "no picture of this story would be published"
    pictures.derivative(story, picture)
    pictures.confirm_seen(story, record, picture.fingerprint)
    return picture.fingerprint
