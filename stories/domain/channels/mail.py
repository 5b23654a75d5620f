"""The e-mail channel: RFC 5322 messages in (an MTA's pipe, an IMAP mailbox), replies out
through Django's e-mail backend (``EMAIL_URL``).

The drive is the recipient's local part: ``<drive>@…`` or ``stories+<drive>@…``. Only the
reporter's new words count: quoted replies and signatures are cut off, and so are the small
pictures a signature shows in the body. Automatic mail (bounces, vacation replies, lists)
gets no answer, so two robots never talk in a loop.
"""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Iterator
from email.message import EmailMessage as ParsedMessage
from email.utils import getaddresses, parseaddr
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage

from media_pipeline.media import declared_size
from media_pipeline.themes.language import detect_language
from stories.domain.channels import dialogue
from stories.enums import ConsentChannel

# "On Mon, 7 Dec 2026 at 10:02, Anna <a@example.org> wrote:" and its fi, sv and de forms;
# a date or time in it tells it from a story's own sentence ending in "wrote:".
_QUOTE_HEADER = re.compile(r"^(?=.*\d).*\b(wrote|kirjoitti|skrev|schrieb)\b.*:$", re.IGNORECASE)
_FORWARD_MARK = re.compile(
    r"^-{2,}\s*(original message|alkuperäinen viesti|ursprungligt meddelande|"
    r"ursprüngliche nachricht|forwarded message)\s*-{2,}$",
    re.IGNORECASE,
)
# A phone's signature line, in en, fi, sv and de.
_SENT_FROM = ("Sent from my ", "Lähetetty ", "Skickat från min ", "Von meinem ")
_RECIPIENT_HEADERS = ("Delivered-To", "X-Original-To", "To", "Cc")
_HTML_TAG = re.compile(r"<[^>]+>")
MIN_DETECTION_CONFIDENCE = 0.8
_MEDIA = ("image", "audio", "video", "application")
# A signed mail's signature is no file of the story.
_SIGNATURES = frozenset(
    {"application/pkcs7-signature", "application/x-pkcs7-signature", "application/pgp-signature"}
)
# A picture shown in the message's body this small on its longest side is the mail's own
# decoration (a signature's logo or portrait, a social icon, a tracking pixel), not a
# picture of the story: a phone's photo is many times larger.
DECORATION_MAX_PIXELS = 200


def new_words(body: str) -> str:
    """The part of ``body`` the sender wrote now: without quoted lines, the "… wrote:"
    line that introduces them, a forwarded original, or a signature."""
    kept: list[str] = []
    for line in body.replace("\r\n", "\n").split("\n"):
        stripped = line.strip()
        if line.startswith(">"):
            continue
        if _QUOTE_HEADER.match(stripped) or _FORWARD_MARK.match(stripped):
            break
        if line.rstrip() == "--" or stripped.startswith(_SENT_FROM):  # "-- " starts a signature
            break
        kept.append(line.rstrip())
    return "\n".join(kept).strip()


def drive_slug(address: str) -> str:
    """The drive an address names: ``kirjasto@…`` or ``stories+kirjasto@…``."""
    local = parseaddr(address)[1].partition("@")[0].lower()
    return local.partition("+")[2] if "+" in local else local


def read(raw: bytes, recipient: str = "") -> tuple[dialogue.Inbound, ParsedMessage] | None:
    """The message as the dialogue's ``Inbound`` (and the parsed message, to answer it);
    None for automatic mail, which gets no answer."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, ParsedMessage)  # the default policy's class
    sender = parseaddr(str(message.get("Reply-To") or message.get("From") or ""))[1]
    if not sender or _is_automatic(message, sender):
        return None
    to = recipient or _our_address(message)
    body = message.get_body(preferencelist=("plain", "html"))
    text = ""
    if body is not None:
        text = body.get_content()
        if body.get_content_subtype() == "html":
            text = _HTML_TAG.sub(" ", text)
    text = new_words(text)
    attachments = [
        dialogue.Attachment(
            name=part.get_filename() or "attachment",
            content_type=part.get_content_type(),
            data=data,
        )
        for part in _media_parts(message)
        if not _is_decoration(part, data := _payload(part))
    ]
    inbound = dialogue.Inbound(
        channel=ConsentChannel.EMAIL,
        contact=sender,
        text=text,
        drive_slug=drive_slug(to),
        title=str(message.get("Subject") or ""),
        language=_language(message, text),
        attachments=attachments,
        delivery_id=str(message.get("Message-ID") or ""),
    )
    return inbound, message


def receive(raw: bytes, recipient: str = "") -> bool:
    """Handle one message and send the answer; False when it was automatic mail."""
    found = read(raw, recipient)
    if found is None:
        return False
    inbound, message = found
    dialogue.handle(inbound, partial(send, message, recipient=recipient))
    return True


def send(message: ParsedMessage, reply: dialogue.Reply, *, recipient: str = "") -> None:
    """Answer ``message`` from the address it was sent to, in its thread."""
    sender = parseaddr(str(message.get("Reply-To") or message.get("From") or ""))[1]
    ours = parseaddr(recipient or _our_address(message))[1] or settings.DEFAULT_FROM_EMAIL
    subject = reply.subject or f"Re: {message.get('Subject') or ''}".strip()
    headers = {"Auto-Submitted": "auto-replied"}
    if message_id := message.get("Message-ID"):
        headers["In-Reply-To"] = str(message_id)
        headers["References"] = f"{message.get('References') or ''} {message_id}".strip()
    EmailMessage(
        subject=subject, body=reply.text, from_email=ours, to=[sender], headers=headers
    ).send()


def _payload(part: ParsedMessage) -> bytes:
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def _media_parts(part: ParsedMessage) -> Iterator[ParsedMessage]:
    """Every picture, sound, video or document of the message however its client nested
    it (Apple Mail and Outlook put a photo shown in the body inside the HTML alternative's
    multipart/related or mixed part), but none of a forwarded message's own."""
    if part.get_content_maintype() == "multipart":
        for inner in part.iter_parts():
            yield from _media_parts(inner)  # type: ignore[arg-type]
    elif part.get_content_maintype() in _MEDIA and part.get_content_type() not in _SIGNATURES:
        yield part


def _is_decoration(part: ParsedMessage, data: bytes) -> bool:
    """Whether ``part`` (its decoded bytes ``data``) is a small picture shown in the body
    (inline, or named by a Content-ID the HTML refers to): a signature's, not the story's."""
    in_body = part.get_content_disposition() != "attachment" or bool(part["Content-ID"])
    if part.get_content_maintype() != "image" or not in_body:
        return False
    size = declared_size(data)
    return size is not None and max(size) < DECORATION_MAX_PIXELS


def _our_address(message: ParsedMessage) -> str:
    for header in _RECIPIENT_HEADERS:
        for _name, address in getaddresses([str(value) for value in message.get_all(header, [])]):
            if address:
                return address
    return ""


def _is_automatic(message: ParsedMessage, sender: str) -> bool:
    auto = str(message.get("Auto-Submitted") or "no").strip().lower()
    precedence = str(message.get("Precedence") or "").strip().lower()
    robot = sender.lower().split("@")[0] in ("mailer-daemon", "postmaster", "noreply", "no-reply")
    return auto != "no" or precedence in ("bulk", "junk", "list") or robot


def _language(message: ParsedMessage, text: str) -> str:
    """The reporter's language: their mail's Content-Language, else what their words are
    written in (when that is clear), else "" (the drive's default)."""
    declared = str(message.get("Content-Language") or "").strip()[:2].lower()
    if declared in dialogue.LANGUAGES:
        return declared
    code, confidence = detect_language(text, candidates=tuple(sorted(dialogue.LANGUAGES)))
    return code if confidence >= MIN_DETECTION_CONFIDENCE else ""
