"""Stories by e-mail, end to end: a photo piped to ``receive_email`` (a real subprocess, as
an MTA runs it), the consent question and the receipt at a real SMTP sink, a real worker."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from email.message import EmailMessage

import pytest
from django.core.management import call_command
from PIL import Image

from stories.enums import ConsentChannel, StoryKind, StoryStatus
from stories.models import ChannelConversation, ConsentRecord, MediaAsset, Story, Upload
from tests.stories.channel_helpers import RECEIPT, SmtpSink, email_bytes, jpeg_bytes, sink
from tests.worker import ROOT, database_url_for_workers, wait_for

smtp_sink = pytest.fixture(sink)
DRIVE_ADDRESS = "stories+kirjasto@tarina.example"


def pipe(raw: bytes, smtp: SmtpSink) -> None:
    """``manage.py receive_email`` in its own process, as Postfix's pipe runs it."""
    env = {**os.environ, "DATABASE_URL": database_url_for_workers(), "EMAIL_URL": smtp.url}
    done = subprocess.run(
        [sys.executable, "manage.py", "receive_email", "--recipient", DRIVE_ADDRESS],
        input=raw, cwd=ROOT, env=env, capture_output=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr.decode()


@pytest.mark.integration
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_photo_by_email_is_asked_consent_submitted_reviewed_and_withdrawn(
    drive, worker, smtp_sink
):
    story_text = "The bus stop by the library has no shelter, and we wait in the rain."
    pipe(email_bytes(story_text, photo=jpeg_bytes(), message_id="<m1@example.org>"), smtp_sink)

    question = wait_for(lambda: smtp_sink.messages[:1])[0]
    assert question["To"] == "anna@example.org"
    assert question["From"] == "stories+kirjasto@tarina.example"
    assert question["In-Reply-To"] == "<m1@example.org>"
    asked = smtp_sink.body(0)
    assert "We keep your story safe." in asked  # the drive's consent text, version 1 in English
    assert "1: Publish my words" in asked
    assert "2: Publish my picture" in asked
    assert not Story.objects.exists()  # a draft only, until consent

    reply = (
        "1 2\n\nOn Mon, 7 Dec 2026 at 10:02, Tarina <stories+kirjasto@tarina.example> wrote:\n"
        "> Thank you for your story.\n-- \nAnna\n"
    )
    pipe(email_bytes(reply, subject="Re: Your story", message_id="<m2@example.org>"), smtp_sink)

    receipt_mail = wait_for(lambda: smtp_sink.messages[1:2])[0]
    assert receipt_mail["To"] == "anna@example.org"
    found = RECEIPT.search(smtp_sink.body(1))
    assert found, smtp_sink.body(1)
    receipt = found.group(1)
    story = Story.objects.get()
    assert (story.kind, story.text, story.title) == (StoryKind.PHOTO, story_text, "The bus stop")
    consent = ConsentRecord.objects.get(story=story)
    assert consent.channel == ConsentChannel.EMAIL
    assert (consent.consent_version, consent.consent_language) == (1, "en")
    assert sorted(consent.scopes) == ["publish_image", "publish_text", "store"]
    # The dialogue is over: no draft, no upload, and the address is nowhere in the database.
    assert not ChannelConversation.objects.exists()
    assert not Upload.objects.exists()
    dump = io.StringIO()
    call_command("dumpdata", "stories", stdout=dump)
    assert "anna@example.org" not in dump.getvalue()

    reviewed = wait_for(
        lambda: Story.objects.filter(pk=story.pk, status=StoryStatus.NEEDS_REVIEW).first(),
        timeout=180,
    )
    assert reviewed.status == StoryStatus.NEEDS_REVIEW, reviewed.status_reason

    pipe(email_bytes(f"STOP {receipt}", subject="Re: Your story"), smtp_sink)

    wait_for(lambda: smtp_sink.messages[2:3])
    assert "withdrawn" in smtp_sink.body(2)
    story.refresh_from_db()
    assert story.status == StoryStatus.WITHDRAWN
    assert story.text == ""
    assert not MediaAsset.objects.filter(story=story).exists()


@pytest.mark.single_run
def test_only_the_new_words_of_a_reply_count():
    from stories.domain.channels.mail import drive_slug, new_words

    body = (
        "Reply 1 2 please\n\nThe shelter was fixed.\n"
        "Am 7. Dez. 2026 um 10:02 schrieb Tarina <a@b.example>:\n> old words\n"
    )
    assert new_words(body) == "Reply 1 2 please\n\nThe shelter was fixed."
    assert new_words("Kiitos!\n\n-- \nAnna Virtanen\n040 123 4567") == "Kiitos!"
    assert new_words("> quoted\nMine\nSent from my phone") == "Mine"
    assert new_words("My neighbour wrote: they never came.") == (
        "My neighbour wrote: they never came."
    )
    assert drive_slug("Tarina <stories+kirjasto@tarina.example>") == "kirjasto"
    assert drive_slug("kirjasto@tarina.example") == "kirjasto"


def html_mail_with_a_signature_logo() -> bytes:
    """A mail as Apple Mail or Outlook sends it: HTML with the photo in the body and the
    sender's signature logo below it, both inline parts the HTML names by Content-ID."""
    logo = io.BytesIO()
    Image.new("RGB", (120, 40), (0, 70, 140)).save(logo, "PNG")
    message = EmailMessage()
    message["From"], message["To"] = "Anna Reporter <anna@example.org>", DRIVE_ADDRESS
    message["Subject"] = "The steps"
    message.set_content("The library steps freeze every winter.\n\n-- \nAnna, Example Oy")
    message.add_alternative(
        '<p>The library steps freeze every winter.</p><img src="cid:IMG_2041@x">'
        '<p>-- <br>Anna, Example Oy</p><img src="cid:logo@x">',
        subtype="html",
    )
    html = next(part for part in message.iter_parts() if part.get_content_subtype() == "html")
    for data, subtype, name in [
        (jpeg_bytes(), "jpeg", "IMG_2041"),
        (logo.getvalue(), "png", "logo"),
    ]:
        html.add_related(
            data,
            "image",
            subtype,
            cid=f"<{name}@x>",
            disposition="inline",
            filename=f"{name}.{subtype}",
        )
    return message.as_bytes()


@pytest.mark.django_db
def test_a_signature_logo_in_the_body_does_not_join_the_story(drive, mailoutbox):
    call_command("receive_email", stdin=io.BytesIO(html_mail_with_a_signature_logo()))

    draft = ChannelConversation.objects.get()
    [photo] = Upload.objects.filter(pk__in=draft.upload_ids)
    assert photo.metadata["filename"] == "IMG_2041.jpeg"
    assert draft.text == "The library steps freeze every winter."
    assert "Thank you for your story" in mailoutbox[0].body


@pytest.mark.django_db
def test_a_finnish_email_is_asked_in_finnish_and_answered_stop_without_keeping_anything(
    drive, mailoutbox
):
    def receive(raw: bytes) -> None:
        call_command("receive_email", stdin=io.BytesIO(raw))

    receive(
        email_bytes(
            "Kirjastobussi ei pysähdy enää kylässämme, ja vanhukset jäävät ilman kirjoja.",
            photo=jpeg_bytes(),
        )
    )
    assert "Säilytämme tarinasi." in mailoutbox[0].body  # the Finnish consent text
    assert "Vastaa kaikkien sallimiesi kohtien numeroilla" in mailoutbox[0].body
    assert Upload.objects.count() == 1

    receive(email_bytes("POISTA"))

    assert not ChannelConversation.objects.exists()
    assert not Upload.objects.exists()
    assert not Story.objects.exists()
    assert len(mailoutbox) == 2
    assert "Tarinasi on poistettu." in mailoutbox[1].body


@pytest.mark.django_db
def test_unclear_or_automatic_mail_keeps_the_draft_and_loops_nothing(drive, mailoutbox):
    call_command("receive_email", stdin=io.BytesIO(email_bytes("The bus never came.")))
    call_command("receive_email", stdin=io.BytesIO(email_bytes("yes please")))
    assert len(mailoutbox) == 2
    assert ChannelConversation.objects.count() == 1
    assert mailoutbox[1].body.count("1: ") == 1  # asked again

    bounce = email_bytes("Delivery failed", sender="MAILER-DAEMON@mx.example.org")
    call_command("receive_email", stdin=io.BytesIO(bounce))
    assert len(mailoutbox) == 2


@pytest.mark.single_run
def test_email_url_sets_djangos_backend():
    from config.settings import email_settings

    smtp = email_settings("smtp://user%40x:p%20w@mail.example.org:587?tls=1")
    assert smtp["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (smtp["EMAIL_HOST"], smtp["EMAIL_PORT"]) == ("mail.example.org", 587)
    assert (smtp["EMAIL_HOST_USER"], smtp["EMAIL_HOST_PASSWORD"]) == ("user@x", "p w")
    assert smtp["EMAIL_USE_TLS"] is True
    assert smtp["EMAIL_USE_SSL"] is False
    assert email_settings("smtps://mail.example.org")["EMAIL_PORT"] == 465
    assert email_settings("console://")["EMAIL_BACKEND"].endswith("console.EmailBackend")


@pytest.mark.django_db
def test_a_receipt_that_cannot_be_sent_keeps_nothing_and_the_mta_retry_succeeds(
    drive, settings, mailoutbox
):
    call_command("receive_email", stdin=io.BytesIO(email_bytes("The ramp is too steep.")))
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens: refused

    answer = email_bytes("1")  # the MTA delivers this very message again
    with pytest.raises(SystemExit) as exit_status:
        call_command("receive_email", stdin=io.BytesIO(answer))

    assert exit_status.value.code == 75  # EX_TEMPFAIL: the MTA delivers it again later
    assert not Story.objects.exists()
    assert ChannelConversation.objects.count() == 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("receive_email", stdin=io.BytesIO(answer))
    assert RECEIPT.search(mailoutbox[-1].body)
    assert Story.objects.get().text == "The ramp is too steep."

    # Delivered once more (the MTA never heard it went through): nothing more happens.
    call_command("receive_email", stdin=io.BytesIO(answer))
    assert Story.objects.count() == 1
    assert len(mailoutbox) == 2  # the question and the receipt


@pytest.mark.django_db
def test_a_nul_in_a_message_is_dropped_not_a_crash(drive, mailoutbox):
    raw = email_bytes("Bus\x00 stop without a shelter.", subject="Bus\x00")
    call_command("receive_email", stdin=io.BytesIO(raw))
    call_command("receive_email", stdin=io.BytesIO(email_bytes("0")))

    story = Story.objects.get()
    assert (story.title, story.text) == ("Bus", "Bus stop without a shelter.")
