"""Shared pieces of the channel tests: messages as reporters send them, and a real SMTP sink."""

from __future__ import annotations

import io
import re
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy
from email.utils import make_msgid
from typing import Any

from aiosmtpd.controller import Controller
from PIL import Image, ImageDraw

RECEIPT = re.compile(r"\b([0-9A-Z]{4}(?:-[0-9A-Z]{4}){7})\b")


def jpeg_bytes(shade: int = 0) -> bytes:
    """A small photo-like JPEG (shapes on a gradient), as a phone would attach; each
    ``shade`` gives a picture of its own (the sky's colour differs)."""
    picture = Image.new("RGB", (320, 240), (90 + shade * 20 % 160, 140, 200))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((40, 120, 280, 220), fill=(60, 60, 60))
    draw.ellipse((200, 30, 260, 90), fill=(250, 220, 80))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=85)
    return out.getvalue()


def email_bytes(
    body: str,
    *,
    sender: str = "Anna Reporter <anna@example.org>",
    to: str = "stories+kirjasto@tarina.example",
    subject: str = "The bus stop",
    photo: bytes | None = None,
    message_id: str | None = None,
) -> bytes:
    """An RFC 5322 message as a mail client sends it, with an optional photo attached; each
    message has an id of its own unless ``message_id`` names one (a delivery repeated)."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message["Message-ID"] = message_id or make_msgid(domain="example.org")
    message.set_content(body)
    if photo is not None:
        message.add_attachment(photo, maintype="image", subtype="jpeg", filename="IMG_2041.jpg")
    return message.as_bytes()


class _Collect:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = BytesParser(policy=default_policy).parsebytes(envelope.content)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 OK"


class SmtpSink:
    """A real SMTP server on localhost (aiosmtpd) that keeps what it is sent."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._handler = _Collect()
        self._controller = Controller(self._handler, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def messages(self) -> list[EmailMessage]:
        return self._handler.messages

    def body(self, index: int) -> str:
        part = self.messages[index].get_body(preferencelist=("plain",))
        assert part is not None
        return str(part.get_content())

    def __enter__(self) -> SmtpSink:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()


def sink() -> Iterator[SmtpSink]:
    with SmtpSink() as running:
        yield running
