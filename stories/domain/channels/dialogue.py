"""The consent dialogue every channel shares: draft, question, consent, receipt, STOP.

A channel reads its message into an ``Inbound`` and sends back the ``Reply`` that
``handle`` returns. The states live in ``ChannelConversation``: no row means no dialogue;
a row means a draft waits for a numbered consent reply, and more files sent meanwhile join
it. The reporter's address never reaches the database: every reply answers the message in
hand.

Messages of one reporter may be handled at the same moment (Telegram delivers an album's
parts, and its retries, concurrently): the one-draft-per-contact constraint settles who
starts the draft, and every change to a waiting draft holds its row lock.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from stories.domain import consent, receipts, submission, uploads
from stories.domain import text as plain_text
from stories.domain.channels import deliveries, limits, wording
from stories.enums import ConsentChannel, ConsentScope, StoryKind
from stories.models import ChannelConversation, Drive, Upload

# The first word of a withdrawal, "STOP <receipt>", and the language it tells (STOP: none).
STOP_WORDS = {"STOP": "", "POISTA": "fi", "RADERA": "sv", "LÖSCHEN": "de", "LOESCHEN": "de"}
_NUMBERS = re.compile(r"^[\d\s,.;]+$")
_KIND_OF_TYPE = {"image": StoryKind.PHOTO, "audio": StoryKind.AUDIO, "video": StoryKind.VIDEO}
LANGUAGES = frozenset(code for code, _ in settings.LANGUAGES)


@dataclass(frozen=True)
class Attachment:
    """A file that came with a message: its name as sent, its declared type, its bytes."""

    name: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Inbound:
    """One message as a channel read it. ``contact`` is hashed at once and never stored."""

    channel: ConsentChannel
    contact: str
    text: str
    drive_slug: str = ""
    title: str = ""
    language: str = ""  # what the channel knows of the reporter's language; "" if nothing
    attachments: Sequence[Attachment] = ()
    # The album this message is one part of (Telegram's media_group_id); "" if none.
    media_group: str = ""
    # The provider's id of the message (update_id, Message-ID): a repeat is not handled.
    delivery_id: str = ""


@dataclass(frozen=True)
class Reply:
    """What to send back, already in the reporter's language."""

    text: str
    subject: str = ""


# The channel's way of answering the message in hand; raises when it could not.
Send = Callable[[Reply], None]


def contact_hash(channel: str, contact: str) -> str:
    """The stored form of a reporter's address: an HMAC under the secret key, so a leaked
    table cannot be matched against a list of addresses."""
    key = settings.SECRET_KEY.encode()
    message = f"{channel}:{contact.strip().lower()}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


# How often a message is tried again when the draft it was for vanished under it.
_TRIES = 3


def handle(message: Inbound, send: Send) -> None:
    """Take one message from a reporter and ``send`` the answer in their channel.

    A withdrawal (``STOP <receipt>``) works at any time. Otherwise a waiting draft takes
    the message's files, or the message as its consent reply; without one, the message
    starts a new draft. A message delivered again (same ``delivery_id``) is not handled
    twice.
    """
    contact = contact_hash(message.channel, message.contact)
    with deliveries.first_delivery(message.channel, contact, message.delivery_id) as first:
        if first:  # a repeated delivery was (or is being) answered by the first one
            _handle(message, contact, send)


def _handle(message: Inbound, contact: str, send: Send) -> None:
    words = first_line(message.text).split()
    if words and words[0].upper() in STOP_WORDS and not message.attachments:
        said = STOP_WORDS[words[0].upper()] or message.language
        send(_stop(message, contact, " ".join(words[1:]), said))
        return
    for _ in range(_TRIES):
        try:
            reply = _receive(message, contact, send)
        except _Gone:
            # The draft was submitted or erased meanwhile (its files were given back):
            # the message is read again against what is there now.
            continue
        if reply is not None:
            send(reply)
        return
    raise RuntimeError("the reporter's draft kept changing while a message was handled")


def _receive(message: Inbound, contact: str, send: Send) -> Reply | None:
    waiting = _waiting(message.channel, contact)
    if waiting is None:
        return _start(message, contact)
    if message.attachments and chosen_scopes(waiting.kind, message.text) is None:
        return _add(waiting, message, contact)
    return _answer(waiting, message, send)


class _Gone(Exception):
    """The contact's draft changed under the message (submitted, erased, or started by
    another message): the message is read again."""


def _waiting(channel: str, contact: str) -> ChannelConversation | None:
    """The contact's draft still within its retention; one past it is erased now, not
    submitted: consent to a draft that should no longer exist is not asked for."""
    draft = ChannelConversation.objects.filter(channel=channel, contact_hash=contact).first()
    if draft is not None and draft.expires_at <= timezone.now():
        erase(draft)
        return None
    return draft


def first_line(text: str) -> str:
    """The first line with something on it: where a reply's choice or command is."""
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


# --- A new draft ---------------------------------------------------------------------------


def _start(message: Inbound, contact: str) -> Reply | None:
    drive = Drive.objects.filter(slug=message.drive_slug).first() if message.drive_slug else None
    language = _language(message.language, drive)
    with translation.override(language):
        if not message.attachments and _NUMBERS.match(first_line(message.text)):
            # An answer with no question waiting (the draft was answered, deleted or has
            # expired; or this is a retry of the answer that submitted it) is no story.
            return Reply(str(wording.NOTHING_WAITS))
        if drive is None:
            return Reply(str(wording.NO_SUCH_DRIVE))
        problem = submission.drive_refusal(drive, None)
        if problem:
            return Reply(f"{wording.NOT_KEPT} {problem}")
        if limits.submission_wait(drive.slug, contact) is not None:
            if _waiting(message.channel, contact) is not None:
                raise _Gone  # another part of the album started the draft: this one joins it
            return Reply(str(wording.TOO_MANY))
        try:
            draft = _keep_draft(message, contact, drive, language)
        except _Refused as refused:
            return Reply("\n".join([str(wording.NOT_KEPT), *refused.problems]))
        except _Raced as raced:
            # Another message (another part of the same album, most often) started the
            # draft a moment before this one: this one's files join it, and the story
            # counts once against the limits.
            return _join(message, contact, raced.stored)
        limits.count_submission(drive.slug, contact)
        return question(draft)


class _Refused(Exception):
    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__(*problems)
        self.problems = list(problems)


class _Raced(Exception):
    """The contact's draft was created by another message; ``stored`` are this one's files."""

    def __init__(self, stored: Sequence[Upload]) -> None:
        super().__init__()
        self.stored = list(stored)


def _keep_draft(message: Inbound, contact: str, drive: Drive, language: str) -> ChannelConversation:
    """Store the draft with its files (as uploads that expire with it), after the web's
    checks on size, count, kind and text."""
    text = _words(message.text)
    if len(text) > settings.TARINA_MAX_TEXT_CHARS:
        raise _Refused([str(submission.TOO_LONG).format(max_length=settings.TARINA_MAX_TEXT_CHARS)])
    if len(message.attachments) > settings.TARINA_MAX_FILES_PER_STORY:
        raise _Refused([str(submission.TOO_MANY_FILES)])
    kind = _kind(message.attachments)
    expires_at = timezone.now() + timedelta(days=settings.TARINA_CHANNEL_DRAFT_RETENTION_DAYS)
    stored: list[Upload] = []
    try:
        for attachment in message.attachments:
            stored.append(_store(attachment, expires_at))
        errors = submission.kind_refusal(kind, text, (), stored)
        if errors:
            raise _Refused([problem for problems in errors.values() for problem in problems])
        # A savepoint: on PostgreSQL a failed INSERT would otherwise spoil the transaction
        # the caller may be in.
        with transaction.atomic():
            return ChannelConversation.objects.create(
                channel=message.channel,
                contact_hash=contact,
                drive=drive,
                consent_text=submission.consent_text_for(drive, language),
                language=language,
                kind=kind,
                title=_words(message.title)[: submission.TITLE_MAX_CHARS],
                text=text,
                upload_ids=[str(upload.pk) for upload in stored],
                media_group=message.media_group,
                expires_at=expires_at,
            )
    except IntegrityError:
        # channel_conversation_one_per_contact: another message started the draft first.
        if not stored:
            raise _Gone from None  # words alone are read again, as a reply to that draft
        raise _Raced(stored) from None  # the files are handed on to it, not dropped
    except BaseException:
        _terminate(stored)
        raise


def _terminate(stored: Sequence[Upload]) -> None:
    for upload in stored:
        uploads.terminate(upload)


def _words(value: str) -> str:
    """Text as the web form keeps it; a NUL (which the form refuses, and no mail client
    means) is dropped, since the sender cannot fix it by editing a field."""
    return plain_text.clean(value.strip()).replace("\x00", "")


def _store(attachment: Attachment, expires_at: datetime) -> Upload:
    try:
        upload, _token = uploads.create(
            length=len(attachment.data),
            metadata={"filename": attachment.name, "filetype": attachment.content_type},
            creator=None,
        )
    except uploads.TooLarge as too_large:
        raise _Refused([f"{attachment.name}: {too_large}"]) from None
    try:
        if attachment.data:
            upload = uploads.append(
                upload, offset=0, stream=io.BytesIO(attachment.data), count=len(attachment.data)
            )
        # The token was never given out; the file lives exactly as long as the draft.
        Upload.objects.filter(pk=upload.pk).update(expires_at=expires_at)
    except BaseException:
        uploads.terminate(upload)
        raise
    return upload


def _kind(attachments: Sequence[Attachment]) -> StoryKind:
    if not attachments:
        return StoryKind.TEXT
    family = attachments[0].content_type.split("/")[0].lower()
    return _KIND_OF_TYPE.get(family, StoryKind.PHOTO)


def _language(claimed: str, drive: Drive | None) -> str:
    code = claimed[:2].lower()
    if code in LANGUAGES:
        return code
    fallback = drive.default_language if drive is not None else settings.LANGUAGE_CODE
    return fallback[:2] if fallback[:2] in LANGUAGES else "en"


# --- More files for a waiting draft ----------------------------------------------------------


def _add(draft: ChannelConversation, message: Inbound, contact: str) -> Reply | None:
    """Keep the message's files for the waiting ``draft`` (a later photo, an album's other
    parts), after the checks the first message had."""
    stored: list[Upload] = []
    with translation.override(draft.language):
        try:
            for attachment in message.attachments:
                stored.append(_store(attachment, draft.expires_at))
        except _Refused as refused:
            return _join(message, contact, stored, refused.problems)
        except BaseException:
            _terminate(stored)
            raise
    return _join(message, contact, stored)


def _join(
    message: Inbound, contact: str, stored: Sequence[Upload], problems: Sequence[str] = ()
) -> Reply | None:
    """Add ``stored`` (the message's files, already kept) to the contact's waiting draft, or
    refuse them for ``problems`` or any the checks find; None when nothing need be said.

    The draft's row is locked while its file list changes, so no other message's files
    (nor a consent reply submitting the draft) can come between the read and the write.
    Files the draft does not take are terminated: nothing is left without an owner.
    """
    taken = False
    try:
        with transaction.atomic():
            draft = (
                ChannelConversation.objects.select_for_update()
                .filter(
                    channel=message.channel, contact_hash=contact, expires_at__gt=timezone.now()
                )
                .first()
            )
            if draft is None:
                raise _Gone
            # Every part of an album arrives as a message of its own: one question for all.
            same_album = bool(message.media_group) and message.media_group == draft.media_group
            draft.media_group = message.media_group
            with translation.override(draft.language):
                text = _joined_text(draft.text, message.text)
                problems = list(problems) or _misfits(draft, text, stored)
                if problems:
                    draft.save(update_fields=["media_group"])
                    return _not_added(draft, problems, same_album)
                ids = [str(upload.pk) for upload in stored]
                Upload.objects.filter(pk__in=ids).update(expires_at=draft.expires_at)
                draft.upload_ids = [*draft.upload_ids, *ids]
                draft.text = text
                draft.save(update_fields=["upload_ids", "text", "media_group"])
                added = wording.ADDED % {"count": len(draft.upload_ids)}
                reply = None if same_album else _again(draft, added)
        taken = True  # committed
        return reply
    finally:
        if not taken:
            _terminate(stored)


def _joined_text(draft_text: str, message_text: str) -> str:
    """The draft's words with the message's: they become its text when it has none and a
    paragraph of it otherwise (a caption sent again, by a retry say, is not repeated)."""
    words = _words(message_text)
    if not words or words in draft_text.split("\n\n"):
        return draft_text
    return f"{draft_text}\n\n{words}" if draft_text else words


def _misfits(draft: ChannelConversation, text: str, stored: Sequence[Upload]) -> list[str]:
    """Why the draft cannot take ``stored`` and ``text``: the first message's checks."""
    if draft.kind == StoryKind.TEXT:
        # The kind stays what the question was asked for: a numbered reply to it must
        # not come to mean other scopes (a text's "2" is research, a photo's publishing).
        return [str(wording.TEXT_TAKES_NO_FILES)]
    if len(draft.upload_ids) + len(stored) > settings.TARINA_MAX_FILES_PER_STORY:
        return [str(submission.TOO_MANY_FILES)]
    if len(text) > settings.TARINA_MAX_TEXT_CHARS:
        return [str(submission.TOO_LONG).format(max_length=settings.TARINA_MAX_TEXT_CHARS)]
    return [problem for upload in stored if (problem := uploads.kind_mismatch(draft.kind, upload))]


def _not_added(draft: ChannelConversation, problems: Sequence[str], same_album: bool) -> Reply:
    lines = [str(wording.NOT_ADDED), *problems]
    if draft.upload_ids:
        lines.append(wording.UNCHANGED % {"count": len(draft.upload_ids)})
    why = "\n".join(lines)
    # An album's first part carried the question; its other parts only say what failed.
    return Reply(why, subject=str(wording.SUBJECT)) if same_album else _again(draft, why)


def question(draft: ChannelConversation) -> Reply:
    """The consent question for ``draft``: the drive's consent text and numbered choices."""
    with translation.override(draft.language):
        lines = [str(wording.THANKS), ""]
        if draft.consent_text is not None:
            lines += [draft.consent_text.text, ""]
        lines.append(str(wording.REPLY_WITH_NUMBERS))
        for number, scope in enumerate(wording.SCOPES_FOR_KIND[draft.kind], start=1):
            lines.append(f"{number}: {wording.CHOICE_LABELS[scope]}")
        lines += ["", str(wording.REPLY_ZERO)]
        days = f"{settings.TARINA_CHANNEL_DRAFT_RETENTION_DAYS:g}"
        lines.append(str(wording.REPLY_STOP) % {"days": days})
        return Reply("\n".join(lines), subject=str(wording.SUBJECT))


# --- The consent reply -----------------------------------------------------------------------


def chosen_scopes(kind: str, reply: str) -> dict[str, bool] | None:
    """The scopes a numbered reply allows (store always: any numbered reply keeps the
    story); None when the reply is not a list of offered numbers."""
    line = first_line(reply)
    if not line or not _NUMBERS.match(line):
        return None
    offered = wording.SCOPES_FOR_KIND[kind]
    numbers = {int(token) for token in re.findall(r"\d+", line)}
    if any(number > len(offered) for number in numbers) or (0 in numbers and len(numbers) > 1):
        return None
    scopes = {scope.value: False for scope in ConsentScope}
    scopes[ConsentScope.STORE.value] = True
    for number in numbers - {0}:
        scopes[offered[number - 1].value] = True
    return scopes


def _answer(waiting: ChannelConversation, message: Inbound, send: Send) -> Reply | None:
    """Read the message as the answer to the question; submit on consent.

    The draft's row is locked until the answer is dealt with: of two replies handled at
    the same moment (a retry racing the original) the second finds the draft submitted
    and says nothing, so one story is kept and one receipt sent.
    """
    with transaction.atomic():
        draft = ChannelConversation.objects.select_for_update().filter(pk=waiting.pk).first()
        if draft is None:
            return None
        with translation.override(draft.language):
            scopes = chosen_scopes(draft.kind, message.text)
            if scopes is None:
                return _again(draft, str(wording.NOT_UNDERSTOOD))
            newest = submission.consent_text_for(draft.drive, draft.language)
            if newest != draft.consent_text:
                # Consent is recorded under the wording the reporter read, never another.
                draft.consent_text = newest
                draft.save(update_fields=["consent_text"])
                return _again(draft, str(wording.NEW_CONSENT_TEXT))
            problem = (
                submission.drive_refusal(draft.drive, None)
                or submission.consent_refusal(scopes)
                or submission.face_refusal(scopes)
            )
            if problem:
                return _again(draft, problem)
            _submit(draft, scopes, send)
            return None


def _again(draft: ChannelConversation, why: str) -> Reply:
    asked = question(draft)
    return Reply(f"{why}\n\n{asked.text}", subject=asked.subject)


def _submit(draft: ChannelConversation, scopes: dict[str, bool], send: Send) -> None:
    """Submit the draft through the web's submission path, send the receipt, and forget
    the dialogue: all or nothing. A receipt that cannot be sent rolls the submission back
    and the draft waits, so the channel's retry (an MTA's, Telegram's) finds it again."""
    files = list(Upload.objects.filter(pk__in=draft.upload_ids))
    request = submission.SubmissionRequest(
        drive=draft.drive,
        kind=StoryKind(draft.kind),
        consent_scopes=scopes,
        title=draft.title,
        text=draft.text,
        # Speech is left to the pipeline to recognise: the reporter's app or mail client
        # may be set to another language than the one they speak.
        language="" if draft.kind in (StoryKind.AUDIO, StoryKind.VIDEO) else draft.language,
        uploads=files,
        channel=ConsentChannel(draft.channel),
        consent_language=draft.language,
    )
    problems = submission.kind_refusal(draft.kind, draft.text, (), files)
    if len(files) != len(draft.upload_ids) or problems:
        erase(draft)  # a file went missing: nothing half of it is kept
        send(Reply(str(wording.NOT_KEPT)))
        return
    with transaction.atomic():
        result = submission.submit(request)
        draft.delete()
        send(Reply(str(wording.RECEIPT) % {"receipt": result.receipt}))


# --- STOP ----------------------------------------------------------------------------------


def _stop(message: Inbound, contact: str, receipt: str, said: str) -> Reply:
    """STOP alone (or with anything but a receipt) deletes the waiting draft; with a
    receipt it withdraws that story everywhere."""
    waiting = _waiting(message.channel, contact)
    language = waiting.language if waiting else _language(said, None)
    with translation.override(language):
        if not receipts.looks_valid(receipt):
            if waiting is None:
                return Reply(str(wording.NO_SUCH_RECEIPT))
            erase(waiting)
            return Reply(str(wording.DRAFT_DELETED))
        if limits.receipt_wait(contact) is not None:
            return Reply(str(wording.TOO_MANY))
        story = receipts.find_story(receipt)
        if story is None:
            return Reply(str(wording.NO_SUCH_RECEIPT))
        consent.withdraw(story, actor_label=f"reporter by {message.channel}")
        return Reply(str(wording.WITHDRAWN))


def erase(draft: ChannelConversation) -> None:
    """Erase a draft that never got consent: its files, its words and the dialogue."""
    for upload in Upload.objects.filter(pk__in=draft.upload_ids):
        uploads.terminate(upload)
    ChannelConversation.objects.filter(pk=draft.pk).delete()
