"""Factories for the domain's objects. Tests say what matters and leave the rest here."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from stories.domain import receipts
from stories.enums import ConsentChannel, Role, StoryKind, StoryStatus
from stories.models import ConsentRecord, ConsentText, Drive, Story


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
