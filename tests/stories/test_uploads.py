"""Resumable uploads over tus 1.0.0: the protocol, ownership and expiry, through real requests."""

from __future__ import annotations

import base64
import hashlib
import os
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from stories.domain import uploads
from stories.models import Upload
from tests.factories import DriveFactory

TUS = {"HTTP_TUS_RESUMABLE": "1.0.0"}
CHUNK = "application/offset+octet-stream"
BASE = "/api/v1/uploads/"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Each test gets its own private store, and a fresh creation throttle."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "stories.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private"},
        },
    }
    cache.clear()
    return tmp_path / "private"


def create(client, length: int, metadata: str | None = None, **extra):
    headers = {**TUS, "HTTP_UPLOAD_LENGTH": str(length), **extra}
    if metadata is not None:
        headers["HTTP_UPLOAD_METADATA"] = metadata
    return client.post(BASE, **headers)


def location(response) -> str:
    """The upload's path, from the absolute Location header."""
    return response["Location"].removeprefix("http://testserver")


def patch(client, url: str, data: bytes, offset: int, **extra):
    return client.generic(
        "PATCH", url, data, content_type=CHUNK, HTTP_UPLOAD_OFFSET=str(offset), **TUS, **extra
    )


def head(client, url: str, **extra):
    return client.head(url, **TUS, **extra)


def stored_path(url: str) -> str:
    upload = Upload.objects.get(pk=url.rstrip("/").rsplit("/", 1)[1])
    return uploads.storage().path(upload.path)


@pytest.fixture
def mine(client_for, reporter):
    """A signed-in reporter's client and a fresh 10-byte upload of theirs."""
    client = client_for(reporter)
    response = create(client, 10, f"filename {b64('tarina.wav')},filetype {b64('audio/wav')}")
    assert response.status_code == 201, response.content
    return client, location(response)


# --- Discovery and version ------------------------------------------------------------


def test_options_advertises_version_extensions_limits_and_checksums(client_for, db, settings):
    response = client_for().options(BASE)
    assert response.status_code == 204
    assert response["Tus-Version"] == "1.0.0"
    assert set(response["Tus-Extension"].split(",")) >= {
        "creation",
        "creation-with-upload",
        "termination",
        "checksum",
        "expiration",
    }
    assert response["Tus-Max-Size"] == str(settings.TARINA_MAX_UPLOAD_BYTES)
    assert set(response["Tus-Checksum-Algorithm"].split(",")) == {"sha1", "sha256"}


def test_requests_without_tus_resumable_are_refused_with_412(mine):
    client, url = mine
    assert client.post(BASE, HTTP_UPLOAD_LENGTH="5").status_code == 412
    assert client.post(BASE, HTTP_UPLOAD_LENGTH="5", HTTP_TUS_RESUMABLE="0.2.2").status_code == 412
    assert client.head(url).status_code == 412
    refused = client.generic("PATCH", url, b"abc", content_type=CHUNK, HTTP_UPLOAD_OFFSET="0")
    assert refused.status_code == 412
    assert refused["Tus-Version"] == "1.0.0"
    assert client.delete(url).status_code == 412
    assert Upload.objects.get().offset == 0


# --- Creation -------------------------------------------------------------------------


def test_creation_returns_201_location_and_expiry(mine, private_media):
    _, url = mine
    upload = Upload.objects.get()
    assert url == f"{BASE}{upload.pk}/"
    assert (upload.length, upload.offset, upload.completed_at) == (10, 0, None)
    assert upload.metadata == {"filename": "tarina.wav", "filetype": "audio/wav"}
    # The file sits in the private store under an unguessable name, not the reporter's.
    assert upload.path == f"uploads/{upload.pk.hex}"
    assert os.path.getsize(private_media / upload.path) == 0


def test_upload_length_is_required_and_must_not_exceed_the_limit(client_for, reporter, settings):
    client = client_for(reporter)
    assert create(client, 0).status_code == 201  # empty files are complete at once
    assert client.post(BASE, **TUS).status_code == 400
    assert client.post(BASE, HTTP_UPLOAD_LENGTH="-4", **TUS).status_code == 400
    settings.TARINA_MAX_UPLOAD_BYTES = 1000
    too_big = create(client, 1001)
    assert too_big.status_code == 413
    assert Upload.objects.count() == 1


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (f"filename {b64('ääni.m4a')}", {"filename": "ääni.m4a"}),
        (f"filename {b64('a b')},is_confidential", {"filename": "a b", "is_confidential": ""}),
        (f" filetype {b64('audio/mp4')} , x {b64('1')}", {"filetype": "audio/mp4", "x": "1"}),
        ("", {}),
    ],
)
def test_metadata_is_decoded(client_for, reporter, header, expected):
    response = create(client_for(reporter), 3, header)
    assert response.status_code == 201, response.content
    assert Upload.objects.get().metadata == expected


@pytest.mark.parametrize(
    "header",
    [
        "filename not-base64!",
        "filename Zm9v=extra",
        f"filename {b64('a')},filename {b64('b')}",
        f"filename {b64('a')} {b64('b')}",
        "filename " + base64.b64encode(b"\xff\xfe").decode(),
        ",",
        "x " + "A" * 5000,
    ],
)
def test_bad_metadata_is_a_400_and_creates_nothing(client_for, reporter, header):
    response = create(client_for(reporter), 3, header)
    assert response.status_code == 400
    assert Upload.objects.count() == 0


def test_head_echoes_the_metadata(mine):
    client, url = mine
    response = head(client, url)
    assert uploads.parse_metadata(response["Upload-Metadata"]) == {
        "filename": "tarina.wav",
        "filetype": "audio/wav",
    }


def test_creation_with_upload_takes_the_first_chunk(client_for, reporter):
    client = client_for(reporter)
    response = client.generic(
        "POST", BASE, b"hello", content_type=CHUNK, HTTP_UPLOAD_LENGTH="11", **TUS
    )
    assert response.status_code == 201
    assert response["Upload-Offset"] == "5"
    url = location(response)
    assert patch(client, url, b" world", 5).status_code == 204
    assert Upload.objects.get().sha256 == hashlib.sha256(b"hello world").hexdigest()


# --- Appending ------------------------------------------------------------------------


def test_chunks_append_until_complete_and_the_sha256_matches(client_for, reporter):
    client = client_for(reporter)
    data = os.urandom(3 * 1024 * 1024 + 17)
    url = location(create(client, len(data)))
    offset = 0
    for size in (1024 * 1024 + 5, 1, 2 * 1024 * 1024):
        response = patch(client, url, data[offset : offset + size], offset)
        assert response.status_code == 204, response.content
        offset += size
        assert response["Upload-Offset"] == str(offset)
        assert "Upload-Expires" in response
        status = head(client, url)
        assert status.status_code == 200
        assert (status["Upload-Offset"], status["Upload-Length"]) == (str(offset), str(len(data)))
        assert status["Cache-Control"] == "no-store"
        assert Upload.objects.get().completed_at is None
    last = patch(client, url, data[offset:], offset)
    assert last.status_code == 204
    assert last["Upload-Offset"] == str(len(data))
    upload = Upload.objects.get()
    assert upload.completed_at is not None
    assert upload.sha256 == hashlib.sha256(data).hexdigest()
    assert head(client, url)["Upload-Sha256"] == upload.sha256
    with open(stored_path(url), "rb") as stored:
        assert stored.read() == data


def test_a_wrong_offset_is_a_409_and_changes_nothing(mine):
    client, url = mine
    assert patch(client, url, b"abcd", 0).status_code == 204
    behind = patch(client, url, b"xyz", 2)
    assert behind.status_code == 409
    assert behind["Upload-Offset"] == "4"
    assert patch(client, url, b"xyz", 7).status_code == 409
    assert Upload.objects.get().offset == 4
    with open(stored_path(url), "rb") as stored:
        assert stored.read() == b"abcd"


def test_a_stale_second_patch_at_the_same_offset_gets_409(client_for, reporter):
    """Two clients both read offset 0, then both send: the slower one must not overwrite."""
    client = client_for(reporter)
    url = location(create(client, 6))
    first, second = patch(client, url, b"first!", 0), patch(client, url, b"second", 0)
    assert (first.status_code, second.status_code) == (204, 409)
    with open(stored_path(url), "rb") as stored:
        assert stored.read() == b"first!"


def test_bytes_past_the_declared_length_are_refused_with_413(mine):
    client, url = mine
    assert patch(client, url, b"x" * 11, 0).status_code == 413
    assert patch(client, url, b"x" * 6, 0).status_code == 204
    assert patch(client, url, b"x" * 5, 6).status_code == 413
    assert Upload.objects.get().offset == 6


def test_chunks_need_the_tus_content_type_and_an_offset(mine):
    client, url = mine
    wrong_type = client.generic(
        "PATCH", url, b"abc", content_type="application/json", HTTP_UPLOAD_OFFSET="0", **TUS
    )
    assert wrong_type.status_code == 415
    no_offset = client.generic("PATCH", url, b"abc", content_type=CHUNK, **TUS)
    assert no_offset.status_code == 400
    assert Upload.objects.get().offset == 0


class CutBody:
    """A request body whose connection breaks after ``data``: EOF, or an error like a reset."""

    def __init__(self, data: bytes, *, reset: bool = False) -> None:
        self.data, self.reset = data, reset

    def read(self, size: int = -1) -> bytes:
        if not self.data:
            if self.reset:
                raise ConnectionResetError("client went away")
            return b""
        piece, self.data = self.data[:size], self.data[size:]
        return piece

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)


@pytest.mark.parametrize("reset", [False, True], ids=["eof", "connection-reset"])
def test_an_interrupted_patch_keeps_what_arrived_and_the_upload_resumes(
    client_for, reporter, settings, reset
):
    settings.TARINA_UPLOAD_READ_BYTES = 64 * 1024
    client = client_for(reporter)
    data = os.urandom(1024 * 1024)
    url = location(create(client, len(data)))
    arrived = 300_000
    cut = client.generic(
        "PATCH",
        url,
        b"ignored",
        content_type=CHUNK,
        HTTP_UPLOAD_OFFSET="0",
        CONTENT_LENGTH=str(len(data)),
        **{"wsgi.input": CutBody(data[:arrived], reset=reset)},
        **TUS,
    )
    assert cut.status_code == 400
    # The client asks where to go on from; exactly what reached the disk is counted.
    offset = int(head(client, url)["Upload-Offset"])
    assert offset == arrived
    assert os.path.getsize(stored_path(url)) == arrived
    assert patch(client, url, data[offset:], offset).status_code == 204
    assert Upload.objects.get().sha256 == hashlib.sha256(data).hexdigest()


def test_bytes_beyond_the_recorded_offset_are_dropped_on_resume(mine):
    """A writer that died after writing but before recording: its tail is not the upload's."""
    client, url = mine
    assert patch(client, url, b"abc", 0).status_code == 204
    with open(stored_path(url), "ab") as stored:
        stored.write(b"GARBAGE")
    assert patch(client, url, b"defghij", 3).status_code == 204
    with open(stored_path(url), "rb") as stored:
        assert stored.read() == b"abcdefghij"


# --- Checksums ------------------------------------------------------------------------


def checksum(algorithm: str, data: bytes) -> str:
    return f"{algorithm} {base64.b64encode(hashlib.new(algorithm, data).digest()).decode()}"


@pytest.mark.parametrize("algorithm", ["sha1", "sha256"])
def test_a_chunk_with_a_matching_checksum_is_stored(mine, algorithm):
    client, url = mine
    response = patch(client, url, b"abcde", 0, HTTP_UPLOAD_CHECKSUM=checksum(algorithm, b"abcde"))
    assert response.status_code == 204
    assert response["Upload-Offset"] == "5"


@pytest.mark.parametrize("algorithm", ["sha1", "sha256"])
def test_a_checksum_mismatch_is_460_and_the_chunk_is_discarded(mine, algorithm):
    client, url = mine
    assert patch(client, url, b"abc", 0).status_code == 204
    response = patch(client, url, b"defg", 3, HTTP_UPLOAD_CHECKSUM=checksum(algorithm, b"DEFG"))
    assert response.status_code == 460
    assert response["Upload-Offset"] == "3"
    assert head(client, url)["Upload-Offset"] == "3"
    assert os.path.getsize(stored_path(url)) == 3
    retried = patch(client, url, b"defg", 3, HTTP_UPLOAD_CHECKSUM=checksum(algorithm, b"defg"))
    assert retried.status_code == 204


@pytest.mark.parametrize(
    "header", ["md5 " + base64.b64encode(b"x" * 16).decode(), "sha1", "sha1 !!!", "sha256 YWJj"]
)
def test_unsupported_or_malformed_checksums_are_a_400(mine, header):
    client, url = mine
    assert patch(client, url, b"abc", 0, HTTP_UPLOAD_CHECKSUM=header).status_code == 400
    assert Upload.objects.get().offset == 0


# --- Termination and expiry -----------------------------------------------------------


def test_delete_terminates_the_upload_and_removes_its_file(mine):
    client, url = mine
    assert patch(client, url, b"abc", 0).status_code == 204
    path = stored_path(url)
    assert client.delete(url, **TUS).status_code == 204
    assert not os.path.exists(path)
    assert not Upload.objects.exists()
    assert head(client, url).status_code == 404
    assert patch(client, url, b"def", 3).status_code == 404


def test_expired_uploads_are_gone_and_removed_by_the_sweep(mine, client_for, reporter):
    client, url = mine
    assert patch(client, url, b"abc", 0).status_code == 204
    path = stored_path(url)
    fresh_url = location(create(client, 4))
    Upload.objects.filter(pk=url.rstrip("/").rsplit("/", 1)[1]).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert head(client, url).status_code == 410
    assert patch(client, url, b"def", 3).status_code == 410
    assert uploads.remove_expired() == 1
    assert not os.path.exists(path)
    assert head(client, url).status_code == 404
    assert head(client, fresh_url).status_code == 200


def test_each_patch_pushes_the_expiry_back(mine):
    client, url = mine
    before = Upload.objects.get().expires_at
    assert patch(client, url, b"abc", 0).status_code == 204
    assert Upload.objects.get().expires_at > before


def test_the_sweep_also_removes_old_files_without_a_row(db, private_media, settings):
    folder = private_media / "uploads"
    folder.mkdir(parents=True)
    orphan, recent = folder / "deadbeef", folder / "recent"
    orphan.write_bytes(b"left behind")
    recent.write_bytes(b"just created")
    age = timedelta(seconds=settings.TARINA_UPLOAD_EXPIRY_SECONDS + 60)
    old = (timezone.now() - age).timestamp()
    os.utime(orphan, (old, old))
    call_command("remove_expired_uploads", verbosity=0)
    assert not orphan.exists()
    assert recent.exists()


# --- Who may see an upload ------------------------------------------------------------


def test_another_reporter_cannot_see_touch_or_delete_an_upload(mine, client_for, other_reporter):
    _, url = mine
    stranger = client_for(other_reporter)
    assert head(stranger, url).status_code == 404
    assert patch(stranger, url, b"abc", 0).status_code == 404
    assert stranger.delete(url, **TUS).status_code == 404
    assert head(client_for(), url).status_code == 404
    assert Upload.objects.get().offset == 0


def test_anonymous_uploads_belong_to_the_holder_of_their_token(client_for, drive):
    anonymous = client_for()
    response = create(anonymous, 6, f"drive {b64(drive.slug)}")
    assert response.status_code == 201, response.content
    token = response["Upload-Token"]
    url = location(response)
    # Only the token's hash is kept.
    upload = Upload.objects.get()
    assert upload.owner is None
    assert token not in upload.token_hash
    assert upload.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert head(anonymous, url).status_code == 404
    assert head(anonymous, url, HTTP_UPLOAD_TOKEN="guess").status_code == 404
    assert patch(anonymous, url, b"abc", 0).status_code == 404
    assert patch(anonymous, url, b"abc", 0, HTTP_UPLOAD_TOKEN=token).status_code == 204
    assert head(anonymous, url, HTTP_UPLOAD_TOKEN=token)["Upload-Offset"] == "3"
    # A second anonymous upload has its own token, which opens only that one.
    other = create(client_for(), 1, f"drive {b64(drive.slug)}")
    assert head(anonymous, url, HTTP_UPLOAD_TOKEN=other["Upload-Token"]).status_code == 404
    assert anonymous.delete(url, HTTP_UPLOAD_TOKEN=token, **TUS).status_code == 204


def test_signed_in_creators_get_no_token(mine, client_for, reporter):
    response = create(client_for(reporter), 3)
    assert "Upload-Token" not in response
    assert Upload.objects.filter(owner=reporter, token_hash="").count() == 2


def test_who_may_create_uploads(client_for, db, reporter, service):
    closed_door = DriveFactory(slug="members-only", allow_light_touch=False)
    shut = DriveFactory(slug="shut", is_open=False)
    anonymous = client_for()
    assert create(anonymous, 3).status_code == 403  # no drive named
    assert create(anonymous, 3, f"drive {b64(closed_door.slug)}").status_code == 403
    assert create(anonymous, 3, f"drive {b64(shut.slug)}").status_code == 403
    assert create(anonymous, 3, f"drive {b64('nowhere')}").status_code == 400
    assert create(client_for(service), 3).status_code == 403
    assert create(client_for(reporter), 3, f"drive {b64(closed_door.slug)}").status_code == 201
    assert Upload.objects.count() == 1


def test_creation_is_throttled(client_for, drive, settings):
    settings.TARINA_UPLOAD_CREATE_THROTTLE = "2/minute"
    anonymous = client_for()
    codes = [create(anonymous, 1, f"drive {b64(drive.slug)}").status_code for _ in range(3)]
    assert codes == [201, 201, 429]
