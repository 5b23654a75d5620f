"""schemathesis, as its own CLI runs it, against a live server with a curator's token.

Every check (schemathesis's default is all of them: no 5xx; status codes, content types,
headers and bodies as the schema says; schema-valid requests accepted, invalid ones
refused; ...) in the examples, fuzzing and stateful phases (the stateful phase chains
operations through the links it infers: a collection created, then read, changed and
deleted). ``schemathesis/schemathesis.toml`` bounds it to a few hundred requests and says,
operation by operation, where an answer outside a check's default is right. The coverage
phase (boundary values of every parameter, ~2,300 requests here) is left to a run by hand:
``st run --phases coverage``. A fixed seed makes a failure reproducible.

It runs in CI's PostgreSQL run only (``postgres`` marker): the database production uses,
where text the fuzzer makes up (NUL, lone surrogates, huge numbers) meets the strictest
column types; the SQLite run has ``test_api_fuzz`` (in-process, three roles) instead.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

from stories.enums import StoryStatus
from tests.factories import StoryFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

HERE = Path(__file__).parent / "schemathesis"
MAX_REQUESTS = 800
SEED = "20261206"


def run_schemathesis(
    base_url: str, token: str, story_id: int, report: Path
) -> subprocess.CompletedProcess[str]:
    """``st run`` against ``base_url`` with every check (schemathesis's default)."""
    tools = Path(sys.executable).parent
    return subprocess.run(
        [
            str(tools / "st"),
            "--config-file",
            str(HERE / "schemathesis.toml"),
            "run",
            f"{base_url}/api/schema/",
            "--phases",
            "examples,fuzzing,stateful",
            "--header",
            f"Authorization: Token {token}",
            "--seed",
            SEED,
            "--workers",
            "1",
            "--suppress-health-check",
            "all",
            "--request-timeout",
            "30",
            "--report",
            "junit",
            "--report-junit-path",
            str(report),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=report.parent,  # its cache folder goes there, not into the work tree
        env={
            **os.environ,
            "SCHEMATHESIS_HOOKS": "tests.reliability.schemathesis.hooks",
            "TARINA_FUZZ_STORY_ID": str(story_id),
            "PYTHONPATH": str(HERE.parents[2]),
            "NO_COLOR": "1",
        },
        check=False,
    )


@pytest.fixture
def generous_rates(settings) -> None:
    """Throttles that let the fuzzer through: at the real rates, the receipt and submission
    operations answer 429 after a few requests and their logic goes untested."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"receipts": "100000/minute"},
    }
    for name in ("ACCOUNT", "ADDRESS", "DRIVE"):
        setattr(settings, f"TARINA_SUBMISSION_THROTTLE_{name}", "100000/hour")
    settings.TARINA_UPLOAD_CREATE_THROTTLE = "100000/hour"


def test_schemathesis_finds_nothing_wrong_for_a_curator(
    live_server, generous_rates, curator, drive, tmp_path
):
    story = StoryFactory(drive=drive, status=StoryStatus.NEEDS_REVIEW)
    token = Token.objects.create(user=curator).key
    result = run_schemathesis(live_server.url, token, story.pk, tmp_path / "junit.xml")
    output = result.stdout + result.stderr
    summary = output[output.rfind("SUMMARY") :] if "SUMMARY" in output else output[-3000:]
    assert result.returncode == 0, output[-12000:]
    generated = re.search(r"(\d+) generated", summary)
    assert generated, summary
    assert 100 <= int(generated.group(1)) <= MAX_REQUESTS, summary
    assert "Stateful" in summary
