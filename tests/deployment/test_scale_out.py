"""Scale-out with no shared disk: web, media worker and transcribe worker on their own disks.

Three process groups from the Procfile's lines (gunicorn with two processes, a ``media``
worker, a ``transcribe`` worker), each with a ``TARINA_VAR_DIR`` of its own, share only
PostgreSQL, Redis and S3 (moto's server). A recording goes in by tus, in chunks that
either web process may take; it is transcribed, approved and published by a curator,
its anonymised audio is served from the public bucket, and once withdrawn it is gone.

PostgreSQL run only: the processes need a database and a broker that are not files.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

import boto3
import pytest
from django.conf import settings
from moto.server import ThreadedMotoServer
from rest_framework.authtoken.models import Token

from config.celery import app as celery_app
from stories.enums import Role, StoryStatus
from stories.models import Story, Transcript
from tests.deployment.test_process_set import free_port
from tests.factories import UserFactory
from tests.worker import ROOT, database_url_for_workers, wait_for

pytestmark = [
    pytest.mark.integration,
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

BUCKETS = ("tarina-private", "tarina-public")
CONSENT = {"store": True, "publish_text": True, "publish_audio": True}
PUBLIC_READ = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{BUCKETS[1]}/public/*",
        }
    ],
}


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body or b"{}")


def call(method: str, url: str, body: bytes | None = None, **headers: str) -> Answer:
    """One HTTP request with the standard library; an HTTP error is an answer too."""
    request = urllib.request.Request(  # noqa: S310 - loopback URL built by the test
        url, data=body, method=method, headers={k.replace("_", "-"): v for k, v in headers.items()}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return Answer(response.status, _lower(response.headers), response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, _lower(error.headers), error.read())


def _lower(headers: Message) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def procfile_command(name: str) -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        process, _, command = line.partition(":")
        if process.strip() == name:
            return command.strip()
    raise AssertionError(f"the Procfile has no {name!r} line")


@pytest.fixture
def s3_server() -> Iterator[str]:
    """moto's S3 as a server all processes reach over HTTP, with the two buckets."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )  # fmt: skip
    for bucket in BUCKETS:
        client.create_bucket(Bucket=bucket)
    # As docs/deployment.md asks: anyone may read the public prefix, nothing else.
    client.put_bucket_policy(Bucket=BUCKETS[1], Policy=json.dumps(PUBLIC_READ))
    try:
        yield endpoint
    finally:
        server.stop()


@pytest.fixture
def processes(transactional_db, tmp_path, provisioned_models, s3_server):
    """web, media and transcribe, each on a disk of its own; the base URL of web."""
    if settings.CELERY_BROKER_URL.startswith("filesystem"):
        pytest.skip("needs a broker that is not a folder (CI's PostgreSQL run has Redis)")
    celery_app.control.purge()
    port = free_port()
    common = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "DATABASE_URL": database_url_for_workers(),
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "scale-out-test-key-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "TARINA_STORAGE": "s3",
        "TARINA_S3_PRIVATE_BUCKET": BUCKETS[0],
        "TARINA_S3_PUBLIC_BUCKET": BUCKETS[1],
        "AWS_S3_ENDPOINT_URL": s3_server,
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",  # two web processes: a PATCH may land on either
        "GUNICORN_THREADS": "2",
        "MEDIA_CONCURRENCY": "1",
        "PYTHONUNBUFFERED": "1",
    }
    started: list[tuple[subprocess.Popen[bytes], Path]] = []
    for name in ("web", "media", "transcribe"):
        var_dir = tmp_path / f"var-{name}"  # its own disk: nothing in it is seen by the others
        log_path = tmp_path / f"{name}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(  # noqa: S602 - a Procfile line is a shell command
                procfile_command(name), shell=True, cwd=ROOT,
                env={**common, "TARINA_VAR_DIR": str(var_dir)},
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        started.append((process, log_path))
    base = f"http://127.0.0.1:{port}"

    def logs() -> str:
        return "\n".join(path.read_text(errors="replace")[-3000:] for _, path in started)

    try:
        try:
            wait_for(lambda: _ready(base), timeout=180, interval=1)
        except AssertionError:
            pytest.fail(f"not ready:\n{logs()}")
        yield base, logs
    finally:
        for process, _ in started:
            os.killpg(process.pid, signal.SIGTERM)
        for process, _ in started:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def _ready(base: str) -> bool:
    try:
        return call("GET", f"{base}/readyz").status == 200
    except OSError:
        return False


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def tus_upload(base: str, data: bytes, drive: str) -> tuple[str, str]:
    """Send ``data`` by tus in three chunks, with a HEAD between; (upload id, token)."""
    tus = {"Tus_Resumable": "1.0.0"}
    metadata = f"drive {b64(drive)},filename {b64('speech.ogg')},filetype {b64('audio/ogg')}"
    created = call(
        "POST", f"{base}/api/v1/uploads/", Upload_Length=str(len(data)),
        Upload_Metadata=metadata, **tus,
    )  # fmt: skip
    assert created.status == 201, created.body
    url, token = created.headers["location"], created.headers["upload-token"]
    third = len(data) // 3 + 1
    for start in range(0, len(data), third):
        offset = call("HEAD", url, Upload_Token=token, **tus).headers["upload-offset"]
        assert int(offset) == start
        sent = call(
            "PATCH", url, data[start : start + third], Upload_Token=token,
            Upload_Offset=str(start), Content_Type="application/offset+octet-stream", **tus,
        )  # fmt: skip
        assert sent.status == 204, sent.body
    return url.rstrip("/").rsplit("/", 1)[1], token


def status_of(story_id: int) -> str:
    return str(Story.objects.values_list("status", flat=True).get(pk=story_id))


def test_a_recording_goes_in_by_tus_is_transcribed_published_and_withdrawn_with_no_shared_disk(
    processes, s3_server, drive, fleurs_dir
):
    base, logs = processes
    upload_id, token = tus_upload(base, (fleurs_dir / "fleurs-en-001.ogg").read_bytes(), drive.slug)
    body = {"drive": drive.slug, "kind": "audio", "consent": CONSENT, "uploads": [upload_id]}
    sent = call(
        "POST", f"{base}/api/v1/stories/", json.dumps(body).encode(),
        Content_Type="application/json", Upload_Token=token,
    )  # fmt: skip
    assert sent.status == 201, sent.body
    story_id, receipt = sent.json()["id"], sent.json()["receipt"]
    bucket = boto3.client(
        "s3", endpoint_url=s3_server, region_name="us-east-1",
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )  # fmt: skip
    # The pieces were joined and the upload moved into the story: nothing left behind.
    assert "Contents" not in bucket.list_objects_v2(Bucket=BUCKETS[0], Prefix="private/uploads/")

    wait_for(lambda: status_of(story_id) in {StoryStatus.NEEDS_REVIEW, StoryStatus.FAILED}, 240)
    assert status_of(story_id) == StoryStatus.NEEDS_REVIEW, logs()
    assert Transcript.objects.get(story_id=story_id).text.strip()

    curator = UserFactory(username="scale-curator", role=Role.CURATOR)
    auth = {"Authorization": f"Token {Token.objects.create(user=curator).key}"}
    story_url = f"{base}/api/v1/stories/{story_id}"
    assert call("POST", f"{story_url}/approve/", **auth).status == 200, logs()
    assert call("POST", f"{story_url}/publish/", **auth).status == 202, logs()
    wait_for(lambda: status_of(story_id) in {StoryStatus.PUBLISHED, StoryStatus.FAILED}, 240)
    assert status_of(story_id) == StoryStatus.PUBLISHED, logs()

    public = call("GET", f"{base}/api/v1/public/stories/{story_id}/")
    assert public.status == 200, public.body
    audio_url = public.json()["audio_url"]
    assert audio_url.startswith(f"{s3_server}/{BUCKETS[1]}/public/"), audio_url
    heard = call("GET", audio_url)  # anonymously, as a listener's browser
    assert heard.status == 200, audio_url
    assert len(heard.body) > 1000

    withdrawn = call(
        "POST", f"{base}/api/v1/withdrawals/", json.dumps({"receipt": receipt}).encode(),
        Content_Type="application/json",
    )  # fmt: skip
    assert withdrawn.status in {200, 202}, withdrawn.body
    wait_for(lambda: status_of(story_id) == StoryStatus.WITHDRAWN, 60)
    assert call("GET", f"{base}/api/v1/public/stories/{story_id}/").status == 410
    wait_for(lambda: call("GET", audio_url).status == 404, 60)
