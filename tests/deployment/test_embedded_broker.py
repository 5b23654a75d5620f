"""The embedded broker (``filesystem://``) never hands a worker half a message: kombu's
own transport created the file before writing it, and a worker that read it in between
stopped with "Unrecoverable error: JSONDecodeError" (seen in CI)."""

from __future__ import annotations

from pathlib import Path
from queue import Empty

import pytest
from kombu import Connection

from config import broker
from config.celery import app


@pytest.fixture
def channel(tmp_path):
    options = {"data_folder_in": str(tmp_path), "data_folder_out": str(tmp_path)}
    transport = "config.broker:FilesystemTransport"
    with Connection("filesystem://", transport=transport, transport_options=options) as conn:
        yield conn.default_channel


def test_celery_uses_the_transport_that_writes_messages_whole(settings):
    if not settings.CELERY_BROKER_URL.startswith("filesystem"):
        pytest.skip("the embedded broker is configured only on the embedded defaults")
    with app.connection_for_write() as conn:
        assert isinstance(conn.transport, broker.FilesystemTransport)


def test_a_message_being_written_is_not_read_until_it_is_whole(channel, tmp_path: Path):
    writing = tmp_path / f"1_0000.media.msg{broker.PARTIAL}"
    writing.write_bytes(b"")  # what a reader found in kombu's own transport: an empty file
    with pytest.raises(Empty):
        channel._get("media")
    assert writing.exists()

    channel._put("media", {"task": "process_story", "story": 7})
    assert channel._get("media") == {"task": "process_story", "story": 7}
    assert [p.name for p in tmp_path.iterdir()] == [writing.name]  # nothing else left
