"""Voice notes and photo albums by Telegram: signed webhook updates (as Telegram sends
them, one by one or at the same moment), the media fetched and the replies sent through a
local fake of the Bot API (the external boundary)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.db import connection
from rest_framework.test import APIClient

from stories.domain import uploads
from stories.domain.channels.dialogue import contact_hash
from stories.enums import AssetRole, ConsentChannel, StoryKind, StoryStatus
from stories.models import ChannelConversation, ConsentRecord, MediaAsset, Story, Upload
from tests.media_pipeline.media_factories import write_video, write_wav
from tests.stories.channel_helpers import RECEIPT, jpeg_bytes
from tests.stories.test_uploads import private_media  # noqa: F401 - autouse fixture

BOT_TOKEN = "123456:test-bot-token"
SECRET = "webhook-secret-0123456789"
WEBHOOK = "/api/v1/channels/telegram/"


def update(update_id: int, chat: int = 7001, **message: Any) -> dict[str, Any]:
    """An update in the Bot API's format, as recorded from a private chat."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1796600000,
            "from": {"id": chat, "is_bot": False, "first_name": "Aino", "language_code": "fi"},
            "chat": {"id": chat, "type": "private", "first_name": "Aino"},
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
    """getFile, the file download and sendMessage, answered as the Bot API documents them.

    ``files`` are served by their ``file_id``; any other file is the voice note. The next
    ``refused_sends`` messages are refused, as the Bot API refuses when it is overloaded."""

    def __init__(self, voice: bytes) -> None:
        self.voice = voice
        self.files: dict[str, bytes] = {}
        self.refused_sends = 0
        self.calls: list[str] = []
        self.sent: list[dict[str, Any]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.calls.append(self.path)
                if self.path == f"/bot{BOT_TOKEN}/getFile":
                    path = "voice/file_3.oga"
                    if body["file_id"] in fake.files:
                        path = f"documents/{body['file_id']}"
                    result: Any = {"file_id": body["file_id"], "file_path": path}
                elif self.path == f"/bot{BOT_TOKEN}/sendMessage" and fake.refused_sends:
                    fake.refused_sends -= 1
                    refusal = {"ok": False, "error_code": 429, "description": "Too Many Requests"}
                    self._answer(json.dumps(refusal).encode())
                    return
                elif self.path == f"/bot{BOT_TOKEN}/sendMessage":
                    fake.sent.append(body)
                    result = {"message_id": len(fake.sent), "chat": {"id": body["chat_id"]}}
                else:
                    self.send_error(404)
                    return
                self._answer(json.dumps({"ok": True, "result": result}).encode())

            def do_GET(self) -> None:
                fake.calls.append(self.path)
                prefix = f"/file/bot{BOT_TOKEN}/"
                path = self.path.removeprefix(prefix)
                if path.startswith("documents/") and path[10:] in fake.files:
                    self._answer(fake.files[path[10:]])
                elif self.path == f"{prefix}voice/file_3.oga":
                    self._answer(fake.voice)
                else:
                    self.send_error(404)

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


# --- Albums and files sent while the question waits ------------------------------------------


def photo(
    update_id: int, bot_api: FakeBotApi, shade: int, chat: int = 7001, **fields: Any
) -> dict[str, Any]:
    """One picture as Telegram sends it (its sizes, the largest last), with ``fields`` such
    as ``media_group_id`` (every part of an album names it) or a ``caption``."""
    file_id = f"AgACAgQAAxkBPhoto-{chat}-{shade}"
    bot_api.files[file_id] = jpeg_bytes(shade)
    sizes = [
        {"file_id": f"{file_id}-s", "file_unique_id": f"s{shade}", "file_size": 1342, "width": 90},
        {
            "file_id": file_id,
            "file_unique_id": f"AQADPhoto{shade}",
            "file_size": len(bot_api.files[file_id]),
            "width": 320,
            "height": 240,
        },
    ]
    return update(update_id, chat=chat, photo=sizes, **fields)


def album(first_update_id: int, bot_api: FakeBotApi, size: int, chat: int = 7001) -> list[dict]:
    """An album of ``size`` pictures: one update each, the caption on the first."""
    group = {"media_group_id": f"1390{chat}"}
    parts = [photo(first_update_id, bot_api, 0, chat, caption="Kirjaston portaat", **group)]
    parts += [photo(first_update_id + n, bot_api, n, chat, **group) for n in range(1, size)]
    return parts


def kept_files() -> list[str]:
    """The uploads' files on disk: every one must belong to an Upload row."""
    folder = Path(uploads.storage().path(uploads.UPLOAD_DIR))
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def assert_no_orphans() -> None:
    drafted = {pk for draft in ChannelConversation.objects.all() for pk in draft.upload_ids}
    rows = {str(pk) for pk in Upload.objects.values_list("pk", flat=True)}
    assert rows == drafted
    assert kept_files() == sorted(
        uploads.storage().path(upload.path).rsplit("/", 1)[1] for upload in Upload.objects.all()
    )


QUESTION = "2: Julkaista kuvani, kasvot ja henkilötiedot sumennettuina"
NOTHING_WAITS = (
    "Mikään tarinasi ei odota vastausta. Jos haluat kertoa tarinan, lähetä se tänne: sanoin, "
    "kuvin tai tallenteena."
)


@pytest.mark.django_db
def test_an_album_of_three_photos_is_one_story_asked_about_once(
    client_for, bot_api, drive, django_capture_on_commit_callbacks
):
    client = client_for()
    for part in album(910001, bot_api, 3):
        assert post(client, part).status_code == 200

    assert len(bot_api.sent) == 1  # one question for the album, not one per picture
    assert QUESTION in bot_api.sent[0]["text"]  # the photo scopes
    assert len(ChannelConversation.objects.get().upload_ids) == 3

    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, update(910004, text="1 2")).status_code == 200

    story = Story.objects.get()
    assert (story.kind, story.text) == (StoryKind.PHOTO, "Kirjaston portaat")
    originals = MediaAsset.objects.filter(story=story, role=AssetRole.ORIGINAL)
    assert sorted(asset.file.read() for asset in originals) == sorted(
        jpeg_bytes(shade) for shade in range(3)
    )
    assert sorted(ConsentRecord.objects.get(story=story).scopes) == [
        "publish_image",
        "publish_text",
        "store",
    ]
    assert len(bot_api.sent) == 2
    assert RECEIPT.search(bot_api.sent[1]["text"])
    assert not ChannelConversation.objects.exists()
    assert not Upload.objects.exists()

    # Telegram delivers the answer again (our 200 was lost): no second story, no new draft,
    # and no second answer.
    assert post(client, update(910004, text="1 2")).status_code == 200
    assert len(bot_api.sent) == 2
    assert Story.objects.count() == 1
    assert not ChannelConversation.objects.exists()

    # Another reply, now that nothing waits, is told so.
    assert post(client, update(910005, text="1 2")).status_code == 200
    assert bot_api.sent[2]["text"] == NOTHING_WAITS


@pytest.mark.django_db
def test_a_photo_sent_later_joins_the_draft_and_the_question_comes_again(
    client_for, bot_api, drive
):
    client = client_for()
    post(client, photo(920001, bot_api, 0))
    post(client, photo(920002, bot_api, 1, caption="Portaat jäätyvät joka talvi"))

    assert len(bot_api.sent) == 2
    added = bot_api.sent[1]["text"]
    assert added.startswith("Lisäsimme tämän tarinaasi, jossa on nyt 2 tiedostoa.")
    assert QUESTION in added
    draft = ChannelConversation.objects.get()
    assert len(draft.upload_ids) == 2
    assert draft.text == "Portaat jäätyvät joka talvi"  # the draft had no words: these are
    assert_no_orphans()


@pytest.mark.django_db
def test_a_photo_delivered_again_joins_the_draft_once(client_for, bot_api, drive):
    client = client_for()
    post(client, photo(921001, bot_api, 0))
    later = photo(921002, bot_api, 1)
    post(client, later)

    # Telegram saw no answer in time (a slow network) and delivers the update again.
    assert post(client, later).status_code == 200

    assert len(ChannelConversation.objects.get().upload_ids) == 2
    assert Upload.objects.count() == 2
    assert len(bot_api.sent) == 2  # the question, and the question again with the photo
    assert_no_orphans()


@pytest.mark.django_db
def test_a_consent_reply_whose_receipt_failed_is_handled_when_delivered_again(
    client_for, bot_api, drive
):
    client = client_for()
    post(client, photo(922001, bot_api, 0))
    consent = update(922002, text="1 2")
    bot_api.refused_sends = 1

    assert post(client, consent).status_code == 503  # Telegram delivers it again later
    assert not Story.objects.exists()  # no story without its receipt
    assert ChannelConversation.objects.count() == 1

    assert post(client, consent).status_code == 200
    assert Story.objects.count() == 1
    assert RECEIPT.search(bot_api.sent[-1]["text"])
    assert not ChannelConversation.objects.exists()


@pytest.mark.django_db
def test_a_file_over_the_limit_is_refused_and_the_draft_keeps_its_files(
    client_for, bot_api, drive, settings
):
    settings.TARINA_MAX_FILES_PER_STORY = 3
    client = client_for()
    for part in album(930001, bot_api, 3):
        post(client, part)
    before = ChannelConversation.objects.get().upload_ids

    assert post(client, photo(930004, bot_api, 4)).status_code == 200

    refusal = bot_api.sent[-1]["text"]
    assert refusal.startswith(
        "Emme voineet lisätä tätä tarinaasi:\n"
        "Liian monta tiedostoa yhteen tarinaan.\n"
        "Tarinasi on ennallaan, ja siinä on 3 tiedostoa."
    )
    assert QUESTION in refusal  # the draft still waits for its answer
    assert ChannelConversation.objects.get().upload_ids == before
    assert_no_orphans()  # the refused picture is not left behind


@pytest.mark.django_db
def test_a_video_sent_into_a_photo_draft_is_refused_and_the_draft_is_unchanged(
    client_for, bot_api, drive, tmp_path
):
    client = client_for()
    post(client, photo(940001, bot_api, 0, caption="Portaat"))
    draft = ChannelConversation.objects.get()
    clip = write_video(tmp_path / "clip.mp4", "mp4", "libx264").read_bytes()
    bot_api.files["BAACAgQVideo"] = clip
    video = {
        "file_id": "BAACAgQVideo",
        "file_unique_id": "AgADVideo",
        "duration": 1,
        "width": 64,
        "height": 48,
        "mime_type": "video/mp4",
        "file_size": len(clip),
    }

    assert post(client, update(940002, video=video, caption="Ja video")).status_code == 200

    refusal = bot_api.sent[-1]["text"]
    assert refusal.startswith(
        "Emme voineet lisätä tätä tarinaasi:\n"
        "video.mp4 on tallenne, joka ei sovi kuvatarinaan.\n"
        "Tarinasi on ennallaan, ja siinä on 1 tiedosto."
    )
    after = ChannelConversation.objects.get()
    assert (after.kind, after.text, after.upload_ids) == (draft.kind, "Portaat", draft.upload_ids)
    assert_no_orphans()


# --- The same at the same moment (Telegram delivers concurrently) ----------------------------


def at_once(payloads: list[dict[str, Any]]) -> list[int]:
    """POST every update from a thread of its own, all released together; their statuses."""
    gate = threading.Barrier(len(payloads))
    statuses: list[int] = [0] * len(payloads)

    def deliver(index: int) -> None:
        try:
            gate.wait()
            statuses[index] = post(APIClient(), payloads[index]).status_code
        finally:
            connection.close()  # each thread had a connection of its own

    threads = [threading.Thread(target=deliver, args=(i,)) for i in range(len(payloads))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return statuses


# SQLite takes one writer at a time and has no row locks: the races need PostgreSQL. Each
# test runs a few rounds, each in a chat of its own, so that the updates do meet.
ROUNDS = range(4)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_albums_parts_delivered_at_once_make_one_draft_and_lose_nothing(
    bot_api, drive, settings
):
    # One story a sender: the parts that lose the race to start the draft join it, neither
    # counted as stories of their own nor refused as over the limit.
    settings.TARINA_SUBMISSION_THROTTLE_ADDRESS = "1/hour"
    for round_ in ROUNDS:
        chat = 7100 + round_
        statuses = at_once(album(950001 + 10 * round_, bot_api, 3, chat=chat))

        assert statuses == [200, 200, 200]
        draft = ChannelConversation.objects.get(contact_hash=contact_hash("telegram", str(chat)))
        assert len(draft.upload_ids) == 3
        asked = [message for message in bot_api.sent if message["chat_id"] == chat]
        assert len(asked) == 1  # one question for the album
        assert QUESTION in asked[0]["text"]
        assert draft.text == "Kirjaston portaat"
    assert ChannelConversation.objects.count() == len(ROUNDS)
    assert_no_orphans()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_consent_replies_at_once_keep_one_story(client_for, bot_api, drive):
    for round_ in ROUNDS:
        chat = 7200 + round_
        post(client_for(), photo(960001, bot_api, 0, chat=chat))

        # A retry racing the original: the very same update twice.
        statuses = at_once([update(960002, chat=chat, text="1 2")] * 2)

        assert statuses == [200, 200]
        assert Story.objects.count() == round_ + 1
        answers = [message["text"] for message in bot_api.sent if message["chat_id"] == chat]
        assert RECEIPT.search(answers[1])
        # The loser says nothing when it met the draft, and that nothing waits when it
        # came after: never a second receipt, never a new draft.
        assert answers[2:] in ([], [NOTHING_WAITS])
    assert not ChannelConversation.objects.exists()
    assert not Upload.objects.exists()
