"""Voice notes by Telegram: signed webhook updates (as Telegram sends them), the media
fetched and the replies sent through a local fake of the Bot API (the external boundary)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from stories.enums import AssetRole, ConsentChannel, StoryKind, StoryStatus
from stories.models import ChannelConversation, ConsentRecord, MediaAsset, Story, Upload
from tests.media_pipeline.media_factories import write_wav
from tests.stories.channel_helpers import RECEIPT

BOT_TOKEN = "123456:test-bot-token"
SECRET = "webhook-secret-0123456789"
WEBHOOK = "/api/v1/channels/telegram/"


def update(update_id: int, **message: Any) -> dict[str, Any]:
    """An update in the Bot API's format, as recorded from a private chat."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1796600000,
            "from": {"id": 7001, "is_bot": False, "first_name": "Aino", "language_code": "fi"},
            "chat": {"id": 7001, "type": "private", "first_name": "Aino"},
            **message,
        },
    }


VOICE_NOTE = update(
    900001,
    voice={
        "file_id": "AwACAgQAAxkBAAIBVoice",
        "file_unique_id": "AgADVoice",
        "duration": 2,
        "mime_type": "audio/ogg",
        "file_size": 64044,
    },
)


class FakeBotApi:
    """getFile, the file download and sendMessage, answered as the Bot API documents them."""

    def __init__(self, voice: bytes) -> None:
        self.voice = voice
        self.calls: list[str] = []
        self.sent: list[dict[str, Any]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.calls.append(self.path)
                if self.path == f"/bot{BOT_TOKEN}/getFile":
                    result: Any = {"file_id": body["file_id"], "file_path": "voice/file_3.oga"}
                elif self.path == f"/bot{BOT_TOKEN}/sendMessage":
                    fake.sent.append(body)
                    result = {"message_id": len(fake.sent), "chat": {"id": body["chat_id"]}}
                else:
                    self.send_error(404)
                    return
                self._answer(json.dumps({"ok": True, "result": result}).encode())

            def do_GET(self) -> None:
                fake.calls.append(self.path)
                if self.path != f"/file/bot{BOT_TOKEN}/voice/file_3.oga":
                    self.send_error(404)
                    return
                self._answer(fake.voice)

            def _answer(self, data: bytes) -> None:
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FakeBotApi:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def bot_api(settings, drive, tmp_path: Path) -> Iterator[FakeBotApi]:
    tone = 0.3 * np.sin(2 * np.pi * 220 * np.arange(32000) / 16000)
    voice = write_wav(tmp_path / "voice.wav", tone.astype(np.float32)).read_bytes()
    with FakeBotApi(voice) as fake:
        settings.TARINA_TELEGRAM_BOT_TOKEN = BOT_TOKEN
        settings.TARINA_TELEGRAM_SECRET_TOKEN = SECRET
        settings.TARINA_TELEGRAM_API_URL = fake.url
        settings.TARINA_TELEGRAM_DRIVE = drive.slug
        yield fake


def post(client, payload: dict[str, Any], secret: str | None = SECRET):
    headers = {"HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN": secret} if secret else {}
    return client.post(WEBHOOK, payload, format="json", **headers)


@pytest.mark.django_db
def test_a_voice_note_becomes_an_audio_story_after_the_consent_dialogue(
    client_for, bot_api, drive, django_capture_on_commit_callbacks
):
    client = client_for()
    assert post(client, VOICE_NOTE).status_code == 200

    assert bot_api.calls[:2] == [
        f"/bot{BOT_TOKEN}/getFile",
        f"/file/bot{BOT_TOKEN}/voice/file_3.oga",
    ]
    question = bot_api.sent[0]
    assert question["chat_id"] == 7001
    assert "Säilytämme tarinasi." in question["text"]  # the drive's Finnish consent text
    assert "2: Julkaista äänitteeni" in question["text"]  # asked in the reporter's language
    assert not Story.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        answer = post(client, update(900002, text="1 2"))
    assert answer.status_code == 200

    story = Story.objects.get()
    assert (story.kind, story.status) == (StoryKind.AUDIO, StoryStatus.SUBMITTED)
    assert story.language == ""  # the speech's language is the pipeline's to recognise
    original = MediaAsset.objects.get(story=story, role=AssetRole.ORIGINAL)
    assert original.file.read() == bot_api.voice
    consent = ConsentRecord.objects.get(story=story)
    assert consent.channel == ConsentChannel.TELEGRAM
    assert (consent.consent_version, consent.consent_language) == (1, "fi")
    assert sorted(consent.scopes) == ["publish_audio", "publish_text", "store"]
    receipt = RECEIPT.search(bot_api.sent[1]["text"])
    assert receipt, bot_api.sent[1]["text"]
    assert not ChannelConversation.objects.exists()
    assert not Upload.objects.exists()

    post(client, update(900003, text=f"POISTA {receipt.group(1)}"))

    story.refresh_from_db()
    assert story.status == StoryStatus.WITHDRAWN
    assert len(bot_api.sent) == 3


@pytest.mark.django_db
@pytest.mark.parametrize("secret", [None, "not-the-secret"])
def test_an_update_without_the_right_secret_gets_403_and_nothing_is_stored(
    client_for, bot_api, secret
):
    response = post(client_for(), VOICE_NOTE, secret=secret)

    assert response.status_code == 403
    assert bot_api.calls == []
    assert not ChannelConversation.objects.exists()
    assert not Upload.objects.exists()
    assert not Story.objects.exists()


@pytest.mark.django_db
def test_a_webhook_without_a_configured_secret_takes_nothing(client_for, bot_api, settings):
    settings.TARINA_TELEGRAM_SECRET_TOKEN = ""
    assert post(client_for(), VOICE_NOTE, secret="").status_code == 403
    assert post(client_for(), VOICE_NOTE, secret="anything").status_code == 403
    assert bot_api.calls == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "payload",
    [
        [],
        {"update_id": 1},
        {"update_id": 1, "message": "hello"},
        {"update_id": 1, "message": {"chat": {"id": "7001"}, "text": "hi"}},
        {"update_id": 1, "message": {"chat": {"id": 7001}, "from": "Aino", "text": "hi"}},
        {"update_id": 1, "message": {"chat": {"id": 7001}, "from": {}, "photo": [1, {}]}},
        {"update_id": 1, "message": {"chat": {"id": 7001}, "from": {}, "text": "/start"}},
    ],
)
def test_an_update_that_is_no_message_is_answered_without_error(client_for, bot_api, payload):
    response = post(client_for(), payload)

    assert response.status_code in (200, 400)
    assert bot_api.sent == []
    assert not ChannelConversation.objects.exists()
