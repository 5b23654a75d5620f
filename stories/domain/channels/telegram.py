"""The Telegram channel: Bot API webhook updates in, voice notes fetched, replies sent.

Telegram signs nothing with a key; it sends the secret given when the webhook was set
(``setWebhook secret_token``) in ``X-Telegram-Bot-Api-Secret-Token`` on every update.
``verified`` compares it in constant time. Every call to Telegram goes through
``TelegramClient``: a second provider is one more such class and one more ``read``.
"""

from __future__ import annotations

import hmac
import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any

from django.conf import settings

from stories.domain.channels import dialogue
from stories.enums import ConsentChannel

TIMEOUT_SECONDS = 30
# Message fields that hold a file, with the type to assume when Telegram names none.
_MEDIA_FIELDS = {
    "voice": "audio/ogg",
    "audio": "audio/mpeg",
    "video_note": "video/mp4",
    "video": "video/mp4",
}


class ProviderError(Exception):
    """Telegram did not answer as documented (down, or refusing the bot's token)."""


class TelegramClient:
    """The Bot API calls Tarina makes: getFile, the file download, and sendMessage."""

    def __init__(self, token: str, base_url: str) -> None:
        self.token = token
        self.base_url = base_url.rstrip("/")

    @classmethod
    def from_settings(cls) -> TelegramClient:
        return cls(settings.TARINA_TELEGRAM_BOT_TOKEN, settings.TARINA_TELEGRAM_API_URL)

    def _call(self, method: str, **params: object) -> Any:
        request = urllib.request.Request(  # noqa: S310 (_fetch allows http(s) only)
            f"{self.base_url}/bot{self.token}/{method}",
            data=json.dumps(params).encode(),
            headers={"Content-Type": "application/json"},
        )
        try:
            answer = json.loads(self._fetch(request))
        except ValueError as error:
            raise ProviderError(f"Telegram {method} failed: {type(error).__name__}") from None
        if not answer.get("ok"):
            raise ProviderError(f"Telegram {method} refused: {answer.get('description', '')}")
        return answer["result"]

    def download(self, file_id: str) -> bytes:
        """A file's bytes: ``getFile`` names its path, then the file URL serves it."""
        path = self._call("getFile", file_id=file_id)["file_path"]
        url = f"{self.base_url}/file/bot{self.token}/{path}"
        return self._fetch(urllib.request.Request(url))  # noqa: S310 (http(s) only)

    def _fetch(self, request: urllib.request.Request) -> bytes:
        # The URL holds the bot's token: errors name the kind of failure, never the URL.
        if not request.full_url.startswith(("https://", "http://")):
            raise ProviderError("TARINA_TELEGRAM_API_URL must be an http(s) URL")
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
                return bytes(response.read())
        except (urllib.error.URLError, OSError) as error:
            raise ProviderError(f"Telegram call failed: {type(error).__name__}") from None

    def send_message(self, chat_id: int | str, text: str) -> None:
        self._call("sendMessage", chat_id=chat_id, text=text)


def verified(secret_header: str | None) -> bool:
    """True when the update carries the webhook's secret; never when none is configured."""
    expected = settings.TARINA_TELEGRAM_SECRET_TOKEN
    if not expected or not secret_header:
        return False
    return hmac.compare_digest(secret_header.encode(), expected.encode())


def read(update: Mapping[str, Any], client: TelegramClient) -> tuple[dialogue.Inbound, int] | None:
    """The update as the dialogue's ``Inbound`` and the chat to answer; None for updates
    that are no reporter's message (edits, bots, service messages)."""
    message = update.get("message")
    if not isinstance(message, Mapping):
        return None
    chat, sender = message.get("chat"), message.get("from")
    if not isinstance(chat, Mapping) or not isinstance(chat.get("id"), int):
        return None
    if not isinstance(sender, Mapping) or sender.get("is_bot"):
        return None
    text = str(message.get("text") or message.get("caption") or "")
    if text.startswith("/"):  # /start and other bot commands carry no story
        text = ""
    attachments = []
    for field, default_type in _MEDIA_FIELDS.items():
        media = message.get(field)
        if isinstance(media, Mapping) and media.get("file_id"):
            attachments.append(
                dialogue.Attachment(
                    name=f"{field}.{default_type.split('/')[1]}",
                    content_type=str(media.get("mime_type") or default_type),
                    data=client.download(str(media["file_id"])),
                )
            )
    photos = message.get("photo")
    sizes = [p for p in photos if isinstance(p, Mapping)] if isinstance(photos, list) else []
    sizes = [size for size in sizes if size.get("file_id")]
    if sizes:  # sizes of one picture: the largest
        largest = max(sizes, key=lambda size: int(size.get("file_size") or 0))
        attachments.append(
            dialogue.Attachment("photo.jpg", "image/jpeg", client.download(str(largest["file_id"])))
        )
    if not text and not attachments:
        return None
    inbound = dialogue.Inbound(
        channel=ConsentChannel.TELEGRAM,
        contact=str(chat["id"]),
        text=text,
        drive_slug=settings.TARINA_TELEGRAM_DRIVE,
        language=str(sender.get("language_code") or ""),
        attachments=attachments,
        # An album comes as one update per file, all naming the same group.
        media_group=str(message.get("media_group_id") or "")[:64],
        delivery_id=str(update.get("update_id") or ""),
    )
    return inbound, chat["id"]


def receive(update: Mapping[str, Any], client: TelegramClient | None = None) -> bool:
    """Handle one webhook update and send the answer; False when it needed none."""
    client = client or TelegramClient.from_settings()
    found = read(update, client)
    if found is None:
        return False
    inbound, chat_id = found
    dialogue.handle(inbound, lambda reply: client.send_message(chat_id, reply.text))
    return True
