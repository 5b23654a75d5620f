from __future__ import annotations

from django.db import models

from stories.enums import ConsentChannel, StoryKind
from stories.models.drive import ConsentText, Drive


class ChannelConversation(models.Model):
    """A consent dialogue with one reporter in one channel (e-mail, Telegram): the draft
    they sent, waiting for their numbered consent reply.

    The row exists only while the dialogue waits: it goes when the story is submitted, when
    the reporter says STOP, or when ``expires_at`` passes (``stories.domain.channels.drafts``).
    The reporter's address is never stored: ``contact_hash`` (an HMAC under the secret key)
    only recognises their next message, and every reply answers the message in hand. The
    draft's files are ``Upload`` rows, which expire with it.
    """

    channel = models.CharField(max_length=20, choices=ConsentChannel.choices)
    contact_hash = models.CharField(max_length=64)
    drive = models.ForeignKey(Drive, on_delete=models.CASCADE, related_name="+")
    # The wording the question showed: consent is recorded under exactly this one.
    consent_text = models.ForeignKey(
        ConsentText, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    language = models.CharField(max_length=8)
    kind = models.CharField(max_length=16, choices=StoryKind.choices)
    title = models.CharField(max_length=200, blank=True)
    text = models.TextField(blank=True)
    upload_ids = models.JSONField(default=list, blank=True)
    # The album (Telegram's media_group_id) the draft's last message belonged to: its other
    # parts arrive as messages of their own and join the draft without another question.
    media_group = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "contact_hash"], name="channel_conversation_one_per_contact"
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} dialogue on {self.drive_id} until {self.expires_at:%Y-%m-%d}"


class ChannelDelivery(models.Model):
    """A message a channel has taken, by the id its provider gave it (Telegram's
    ``update_id``, an e-mail's ``Message-ID``): a provider delivers again when it saw no
    answer in time, and the second delivery of a message must not add its files twice.

    ``delivery_hash`` mixes the id with the sender's hashed contact, so it tells nothing
    of who sent what; rows are forgotten after ``stories.domain.channels.deliveries``'s
    memory (longer than any provider retries).
    """

    channel = models.CharField(max_length=20, choices=ConsentChannel.choices)
    delivery_hash = models.CharField(max_length=64)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "delivery_hash"], name="channel_delivery_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} delivery at {self.received_at:%Y-%m-%d %H:%M}"
