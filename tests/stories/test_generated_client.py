"""A Python client generated from the live OpenAPI schema works against a live server.

``openapi-python-client`` (a real third-party generator) builds a client from
``/api/schema/`` as served; every module it writes must import, and with it a reporter
tells a story without an account, looks the receipt up, and withdraws it; the tus
operations it generated create, inspect and delete an upload. The server is pytest-django's
``live_server`` (a real HTTP server thread) and the client speaks HTTP to it with httpx.

The calls below are the places to adapt when an operation changes (the receipt look-up
and withdrawal, public ids): ``call`` takes the generated module's name.
"""

from __future__ import annotations

import base64
import importlib
import json
import pkgutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from stories.enums import StoryStatus
from stories.models import Story
from tests.factories import DriveFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PACKAGE = "tarina_generated_client"
# Media types the generator does not know by name are handled like ones it does.
GENERATOR_CONFIG = """\
content_type_overrides:
  application/offset+octet-stream: application/octet-stream
  application/zip: application/octet-stream
"""


def generate(schema_url: str, into: Path) -> Path:
    """Fetch the schema as served and generate a client package from it under ``into``."""
    schema = httpx.get(schema_url, headers={"Accept": "application/json"}, timeout=30).json()
    (into / "openapi.json").write_text(json.dumps(schema))
    (into / "config.yaml").write_text(GENERATOR_CONFIG)
    tools = Path(sys.executable).parent
    # The generator formats its output with ruff, which it finds on PATH.
    result = subprocess.run(
        [
            str(tools / "openapi-python-client"),
            "generate",
            "--path",
            "openapi.json",
            "--config",
            "config.yaml",
            "--meta",
            "none",
            "--output-path",
            PACKAGE,
        ],
        cwd=into,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": f"{tools}:/usr/bin:/bin", "HOME": str(into)},
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Each operation the schema describes has a module: none may be left out.
    assert "will not be generated" not in result.stdout + result.stderr, result.stdout
    return into / PACKAGE


@pytest.fixture(scope="module")
def client_package(live_server, tmp_path_factory) -> Iterator[ModuleType]:
    """Generated once for this module: the schema reads no data."""
    folder = tmp_path_factory.mktemp("client")
    generate(f"{live_server.url}/api/schema/", folder)
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def all_modules(package: ModuleType) -> dict[str, ModuleType]:
    """Import every module of the generated package (an import error fails the test)."""
    modules = {}
    for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
        modules[info.name] = importlib.import_module(info.name)
    return modules


def call(package: ModuleType, operation: str, **kwargs: Any) -> Any:
    """Run one generated operation (``api/<tag>/<operation>.py``) and return its Response."""
    tag = "uploads" if operation.startswith("uploads_") else "v1"
    module = importlib.import_module(f"{package.__name__}.api.{tag}.{operation}")
    return module.sync_detailed(**kwargs)


def model(package: ModuleType, name: str) -> Any:
    return getattr(importlib.import_module(f"{package.__name__}.models"), name)


def test_every_generated_module_imports(client_package):
    modules = all_modules(client_package)
    operations = [name for name in modules if ".api." in name and not name.endswith("__init__")]
    assert len(operations) >= 40, sorted(modules)
    assert f"{PACKAGE}.api.uploads.uploads_append" in modules


def test_generated_client_submits_looks_up_and_withdraws(client_package, live_server):
    drive = DriveFactory(slug="kirjasto")
    client = client_package.Client(base_url=live_server.url, raise_on_unexpected_status=True)
    consent = model(client_package, "StoryJsonSubmitRequestConsent")(store=True, publish_text=True)
    body = model(client_package, "StoryJsonSubmitRequest")(
        drive=drive.slug,
        kind=model(client_package, "KindEnum").TEXT,
        consent=consent,
        text="The library bus no longer stops at our village.",
    )

    submitted = call(client_package, "v1_stories_create", client=client, body=body)
    assert submitted.status_code == 201, submitted.content
    receipt = submitted.parsed.receipt
    assert Story.objects.get(pk=submitted.parsed.id).drive == drive

    lookup = model(client_package, "ReceiptLookupRequest")(receipt=receipt)
    looked_up = call(client_package, "v1_receipts_lookup_create", client=client, body=lookup)
    assert looked_up.status_code == 200, looked_up.content
    assert looked_up.parsed.status in (StoryStatus.SUBMITTED, StoryStatus.PROCESSING)

    withdrawal = model(client_package, "WithdrawalRequest")(receipt=receipt)
    withdrawn = call(client_package, "v1_withdrawals_create", client=client, body=withdrawal)
    assert withdrawn.status_code == 200, withdrawn.content
    assert withdrawn.parsed.status == StoryStatus.WITHDRAWN

    after = call(client_package, "v1_receipts_lookup_create", client=client, body=lookup)
    assert after.parsed.status == StoryStatus.WITHDRAWN
    # The withdrawal's answer is what a look-up says from then on.
    assert after.parsed.to_dict() == withdrawn.parsed.to_dict()


def test_generated_client_drives_a_tus_upload(client_package, live_server):
    drive = DriveFactory(slug="kirjasto")
    client = client_package.Client(base_url=live_server.url, raise_on_unexpected_status=True)
    metadata = "drive " + base64.b64encode(drive.slug.encode()).decode()

    created = call(
        client_package,
        "uploads_create",
        client=client,
        tus_resumable="1.0.0",
        upload_length="4",
        upload_metadata=metadata,
    )
    assert created.status_code == 201, created.content
    location, token = created.headers["Location"], created.headers["Upload-Token"]
    upload_id = location.rstrip("/").rsplit("/", 1)[-1]

    chunk = importlib.import_module(f"{PACKAGE}.types").File(payload=b"abcd")
    appended = call(
        client_package,
        "uploads_append",
        client=client,
        upload_id=upload_id,
        tus_resumable="1.0.0",
        upload_token=token,
        upload_offset="0",
        body=chunk,
    )
    assert appended.status_code == 204, appended.content
    assert appended.headers["Upload-Offset"] == "4"

    status = call(
        client_package,
        "uploads_status",
        client=client,
        upload_id=upload_id,
        tus_resumable="1.0.0",
        upload_token=token,
    )
    assert status.status_code == 200
    assert status.headers["Upload-Length"] == "4"

    deleted = call(
        client_package,
        "uploads_terminate",
        client=client,
        upload_id=upload_id,
        tus_resumable="1.0.0",
        upload_token=token,
    )
    assert deleted.status_code == 204
