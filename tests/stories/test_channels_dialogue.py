"""The shared dialogue when a reporter's messages cross: the message that finds no draft
but loses the race to start one (the unique constraint decides) joins the winner's draft.
And files sent to a story begun as text only, which takes none.

The race is set up by hand: the winner's draft exists, and the loser goes on from where it
had looked and found none. Concurrent updates over HTTP are in test_channels_telegram.py.
"""

from __future__ import annotations

import pytest

from stories.domain.channels import dialogue
from stories.enums import ConsentChannel, StoryKind
from stories.models import ChannelConversation, Upload
from tests.stories.channel_helpers import jpeg_bytes
from tests.stories.test_uploads import private_media  # noqa: F401 - autouse fixture


def part(drive, shade: int, media_group: str = "album-1", text: str = "") -> dialogue.Inbound:
    """One picture of an album, as the Telegram channel reads it."""
    return dialogue.Inbound(
        channel=ConsentChannel.TELEGRAM,
        contact="7001",
        text=text,
        drive_slug=drive.slug,
        language="en",
        attachments=[dialogue.Attachment("photo.jpg", "image/jpeg", jpeg_bytes(shade))],
        media_group=media_group,
    )


@pytest.mark.django_db
def test_a_part_that_lost_the_race_to_start_the_draft_joins_it_silently(drive):
    sent: list[dialogue.Reply] = []
    dialogue.handle(part(drive, 0), sent.append)
    contact = dialogue.contact_hash(ConsentChannel.TELEGRAM, "7001")

    # The second part had looked a moment before the first part's draft was there.
    reply = dialogue._start(part(drive, 1, text="The library steps"), contact)

    assert reply is None  # the same album: one question for all of it
    assert len(sent) == 1
    # On PostgreSQL the failed INSERT is rolled back to its savepoint: the transaction
    # this test runs in goes on.
    draft = ChannelConversation.objects.get()
    assert (draft.kind, draft.text, len(draft.upload_ids)) == (
        StoryKind.PHOTO,
        "The library steps",
        2,
    )
    assert set(draft.upload_ids) == {str(pk) for pk in Upload.objects.values_list("pk", flat=True)}


@pytest.mark.django_db
def test_a_message_that_lost_the_race_outside_the_album_says_it_was_added(drive):
    dialogue.handle(part(drive, 0), lambda reply: None)
    contact = dialogue.contact_hash(ConsentChannel.TELEGRAM, "7001")

    reply = dialogue._start(part(drive, 1, media_group=""), contact)

    assert reply is not None
    assert reply.text.startswith("We added this to your story, which now has 2 files.\n\n")
    assert "2: Publish my picture, faces and personal text blurred" in reply.text
    assert Upload.objects.count() == 2


@pytest.mark.django_db
def test_a_text_draft_takes_no_files_and_keeps_none_of_them(drive):
    sent: list[dialogue.Reply] = []
    text = dialogue.Inbound(ConsentChannel.TELEGRAM, "7001", "The bus never came.", drive.slug)
    dialogue.handle(text, sent.append)

    dialogue.handle(part(drive, 0), sent.append)

    assert sent[1].text.startswith(
        "We could not add this to your story:\n"
        "Your story began as words only, so it cannot take files."
    )
    assert "2: Use my story in research" in sent[1].text  # still the text's question
    draft = ChannelConversation.objects.get()
    assert (draft.kind, draft.upload_ids) == (StoryKind.TEXT, [])
    assert not Upload.objects.exists()


@pytest.mark.django_db
def test_an_albums_parts_that_raced_count_once_against_the_senders_limit(drive, settings):
    settings.TARINA_SUBMISSION_THROTTLE_ADDRESS = "2/hour"
    sent: list[dialogue.Reply] = []
    dialogue.handle(part(drive, 0), sent.append)
    contact = dialogue.contact_hash(ConsentChannel.TELEGRAM, "7001")
    for shade in (1, 2):  # both had looked before the first part's draft was there
        dialogue._start(part(drive, shade), contact)
    assert len(ChannelConversation.objects.get().upload_ids) == 3

    answer = dialogue.Inbound(ConsentChannel.TELEGRAM, "7001", "1 2", drive.slug)
    dialogue.handle(answer, sent.append)
    dialogue.handle(part(drive, 3, media_group=""), sent.append)

    assert "Reply with the numbers" in sent[-1].text  # one story counted: a second is asked for
    dialogue.handle(dialogue.Inbound(ConsentChannel.TELEGRAM, "7001", "0", drive.slug), sent.append)
    dialogue.handle(part(drive, 4, media_group=""), sent.append)
    assert sent[-1].text.startswith("Too many stories came from you")  # the third is over
