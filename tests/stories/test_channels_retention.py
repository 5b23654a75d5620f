"""A channel draft that never gets consent to store is erased after its retention."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from stories.domain import dispatch
from stories.domain.channels import deliveries
from stories.models import ChannelConversation, ChannelDelivery, Story, Upload
from stories.tasks import erase_expired_channel_drafts
from tests.stories.channel_helpers import email_bytes, jpeg_bytes


def send(sender: str) -> None:
    raw = email_bytes(
        "The ramp to the health centre is too steep.", sender=sender, photo=jpeg_bytes()
    )
    call_command("receive_email", stdin=io.BytesIO(raw))


@pytest.mark.django_db
def test_a_draft_without_consent_is_erased_after_the_retention_setting(drive, settings, mailoutbox):
    settings.TARINA_CHANNEL_DRAFT_RETENTION_DAYS = 0  # the shortest: gone at the next run
    send("hurried@example.org")
    settings.TARINA_CHANNEL_DRAFT_RETENTION_DAYS = 7
    send("patient@example.org")
    assert "deleted after 0 days" in mailoutbox[0].body
    expired = ChannelConversation.objects.order_by("created_at").first()
    assert expired is not None
    [expired_file] = Upload.objects.filter(pk__in=expired.upload_ids).values_list("path", flat=True)
    assert default_storage.exists(expired_file)

    beat = settings.CELERY_BEAT_SCHEDULE["erase-expired-channel-drafts"]
    assert beat["task"] == dispatch.ERASE_EXPIRED_CHANNEL_DRAFTS
    assert erase_expired_channel_drafts() == 1

    assert not ChannelConversation.objects.filter(pk=expired.pk).exists()
    assert not Upload.objects.filter(pk__in=expired.upload_ids).exists()
    assert not default_storage.exists(expired_file)
    waiting = ChannelConversation.objects.get()  # the one still within its 7 days
    assert Upload.objects.filter(pk__in=waiting.upload_ids).count() == 1
    assert not Story.objects.exists()


@pytest.mark.django_db
def test_the_ids_of_messages_taken_are_forgotten_after_two_days(drive, mailoutbox):
    old = email_bytes("The lift is broken again.", sender="early@example.org")
    call_command("receive_email", stdin=io.BytesIO(old))
    ChannelDelivery.objects.update(received_at=timezone.now() - timedelta(days=2, minutes=1))
    call_command("receive_email", stdin=io.BytesIO(email_bytes("0", sender="late@example.org")))
    assert ChannelDelivery.objects.count() == 2

    erase_expired_channel_drafts()

    [kept] = ChannelDelivery.objects.all()
    assert kept.received_at > timezone.now() - deliveries.MEMORY
