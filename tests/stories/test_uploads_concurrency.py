"""Racing and broken connections, over real sockets to a live server (transactional database)."""

from __future__ import annotations

import hashlib
import http.client
import os
import threading
import time
from urllib.parse import urlsplit

import pytest

from stories.domain import uploads
from stories.models import Upload
from tests.factories import DriveFactory
from tests.stories.test_uploads import b64, private_media  # noqa: F401 - autouse fixture

# Every transactional test restores the migrated data (themes, groups) for the next: a flush
# without it re-creates content types, which the next restore then collides with.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

MIB = 1024 * 1024


class Tus:
    """A bare tus client on http.client: one connection per request."""

    def __init__(self, base_url: str, token: str = "") -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "localhost", parts.port or 80
        self.token = token

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.host, self.port, timeout=30)

    def headers(self, **more: str) -> dict[str, str]:
        base = {"Tus-Resumable": "1.0.0"}
        if self.token:
            base["Upload-Token"] = self.token
        return {**base, **more}

    def create(self, length: int, drive: str) -> str:
        conn = self.connect()
        metadata = f"drive {b64(drive)}"
        conn.request(
            "POST",
            "/api/v1/uploads/",
            headers=self.headers(**{"Upload-Length": str(length), "Upload-Metadata": metadata}),
        )
        response = conn.getresponse()
        response.read()
        assert response.status == 201
        self.token = response.getheader("Upload-Token") or ""
        conn.close()
        return urlsplit(response.getheader("Location")).path

    def start_patch(self, path: str, offset: int, length: int) -> http.client.HTTPConnection:
        conn = self.connect()
        conn.putrequest("PATCH", path)
        headers = self.headers(
            **{
                "Upload-Offset": str(offset),
                "Content-Type": "application/offset+octet-stream",
                "Content-Length": str(length),
            }
        )
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.endheaders()
        return conn

    def patch(self, path: str, offset: int, data: bytes) -> int:
        conn = self.start_patch(path, offset, len(data))
        conn.send(data)
        response = conn.getresponse()
        response.read()
        conn.close()
        return response.status

    def offset(self, path: str) -> int:
        conn = self.connect()
        conn.request("HEAD", path, headers=self.headers())
        response = conn.getresponse()
        response.read()
        conn.close()
        return int(response.getheader("Upload-Offset"))


def file_of(path: str) -> str:
    upload = Upload.objects.get(pk=path.rstrip("/").rsplit("/", 1)[1])
    return uploads.storage().path(upload.path)


def wait_for_size(path: str, size: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while os.path.getsize(path) < size:
        assert time.monotonic() < deadline, "the server never wrote the first bytes"
        time.sleep(0.01)


@pytest.fixture
def tus(live_server, transactional_db):
    drive = DriveFactory(slug="race")
    client = Tus(live_server.url)
    return client, drive.slug


def test_a_patch_while_another_is_streaming_gets_409(tus):
    client, drive = tus
    data = os.urandom(3 * MIB)
    path = client.create(len(data), drive)
    slow = client.start_patch(path, 0, len(data))
    slow.send(data[: MIB + MIB // 2])
    wait_for_size(file_of(path), MIB)
    # The first writer holds the upload: a second one at the same offset is refused.
    assert client.patch(path, 0, b"x" * 100) == 409
    slow.send(data[MIB + MIB // 2 :])
    response = slow.getresponse()
    assert response.status == 204
    assert response.getheader("Upload-Offset") == str(len(data))
    slow.close()
    assert Upload.objects.get().sha256 == hashlib.sha256(data).hexdigest()


def test_of_two_racing_patches_exactly_one_wins(tus):
    client, drive = tus
    for _ in range(5):
        bodies = [os.urandom(2 * MIB), os.urandom(2 * MIB)]
        path = client.create(2 * MIB, drive)
        gate = threading.Barrier(2)
        statuses: list[int | None] = [None, None]

        def send(i: int, path: str, bodies: list[bytes], gate, statuses: list) -> None:
            gate.wait()
            statuses[i] = client.patch(path, 0, bodies[i])

        threads = [
            threading.Thread(target=send, args=(i, path, bodies, gate, statuses)) for i in range(2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert sorted(statuses) == [204, 409]  # type: ignore[type-var]
        winner = bodies[statuses.index(204)]
        with open(file_of(path), "rb") as stored:
            assert stored.read() == winner


def test_a_client_that_disconnects_mid_body_can_resume(tus):
    client, drive = tus
    data = os.urandom(4 * MIB)
    path = client.create(len(data), drive)
    broken = client.start_patch(path, 0, len(data))
    broken.send(data[: 2 * MIB + 12345])
    wait_for_size(file_of(path), 2 * MIB)
    broken.close()  # the connection drops mid-body
    deadline = time.monotonic() + 10
    while (offset := client.offset(path)) < 2 * MIB + 12345:
        assert time.monotonic() < deadline, f"offset stuck at {offset}"
        time.sleep(0.02)
    # Exactly the bytes that arrived are counted, and they are the right bytes.
    assert offset == 2 * MIB + 12345
    assert os.path.getsize(file_of(path)) == offset
    assert client.patch(path, offset, data[offset:]) == 204
    assert Upload.objects.get().sha256 == hashlib.sha256(data).hexdigest()
