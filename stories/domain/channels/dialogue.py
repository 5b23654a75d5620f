"""The consent dialogue every channel shares: draft, question, consent, receipt, STOP.

A channel reads its message into an ``Inbound`` and sends back the ``Reply`` that
``handle`` returns. The states live in ``ChannelConversation``: no row means no dialogue;
a row means a draft waits for a numbered consent reply. The reporter's address never
reaches the database: every reply answers the message in hand.
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
from django.db import transaction
from django.utils import timezone, translation

from stories.domain import consent, receipts, submission, uploads
from stories.domain import text as plain_text
from stories.domain.channels import limits, wording
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


def handle(message: Inbound, send: Send) -> None:
    """Take one message from a reporter and ``send`` the answer in their channel.

    A withdrawal (``STOP <receipt>``) works at any time. Otherwise a waiting draft takes
    the message as its consent reply; without one, the message starts a new draft.
    """
    contact = contact_hash(message.channel, message.contact)
    words = first_line(message.text).split()
    if words and words[0].upper() in STOP_WORDS and not message.attachments:
        said = STOP_WORDS[words[0].upper()] or message.language
        send(_stop(message, contact, " ".join(words[1:]), said))
        return
    waiting = _waiting(message.channel, contact)
    if waiting is None:
        send(_start(message, contact))
        return
    reply = _answer(waiting, message, send)
    if reply is not None:
        send(reply)


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


def _start(message: Inbound, contact: str) -> Reply:
    drive = Drive.objects.filter(slug=message.drive_slug).first() if message.drive_slug else None
    language = _language(message.language, drive)
    with translation.override(language):
        if drive is None:
            return Reply(str(wording.NO_SUCH_DRIVE))
        problem = submission.drive_refusal(drive, None)
        if problem:
            return Reply(f"{wording.NOT_KEPT} {problem}")
        if limits.submission_wait(drive.slug, contact) is not None:
            return Reply(str(wording.TOO_MANY))
        try:
            draft = _keep_draft(message, contact, drive, language)
        except _Refused as refused:
            return Reply("\n".join([str(wording.NOT_KEPT), *refused.problems]))
        return question(draft)


class _Refused(Exception):
    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__(*problems)
        self.problems = list(problems)


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
            expires_at=expires_at,
        )
    except BaseException:
        for upload in stored:
            uploads.terminate(upload)
        raise


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


def _answer(draft: ChannelConversation, message: Inbound, send: Send) -> Reply | None:
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
