"""API fuzzing with schemathesis against the OpenAPI schema the service publishes.

Every operation in ``/api/schema/`` gets generated requests, valid and invalid, as an
anonymous caller, a reporter and a curator. Half of them address objects that exist (a
story, a drive, a published collection), so the handlers run past their 404s. Each answer
must not be a 5xx (the health check's documented 503 aside), must use a status code the
schema documents, and its body must match the schema for that code.

Bounded for CI: ``TARINA_FUZZ_EXAMPLES`` (default 10) generated cases per operation, mode
and role, derandomised so that a failure reproduces. A separate, deterministic test checks
that operations the schema marks as needing an account refuse anonymous callers.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from stories.enums import StoryStatus
from tests.factories import CollectionFactory, published_story, story_with_receipt
from tests.reliability.schemathesis import hooks as schemathesis_hooks

assert schemathesis_hooks  # registers how tus chunks (raw bytes) are sent
EXAMPLES = int(os.environ.get("TARINA_FUZZ_EXAMPLES", "10"))
CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def wsgi_app() -> Iterator[Any]:
    """Django's WSGI app on the test database: requests must not close its connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def known(drive, reporter) -> dict[str, dict[str, Any]]:
    """Path parameters of objects that exist, by the path's prefix."""
    story, receipt = story_with_receipt(drive=drive, reporter=reporter, status=StoryStatus.FAILED)
    collection = CollectionFactory(published_at=timezone.now())
    public = published_story(collections=(collection,), drive=drive)
    return {
        "/api/v1/collections/": {"id": collection.pk, "story_id": public.story_id},
        "/api/v1/public/collections/": {"slug": collection.slug},
        "/api/v1/public/stories/": {"public_id": public.public_id, "story_id": public.story_id},
        "/api/v1/receipts/": {"receipt": receipt},
        "/api/v1/drives/": {"slug": drive.slug},
        "/api/v1/themes/": {"slug": "accessibility"},
        "/api/v1/stories/": {"id": story.pk, "redaction_id": 1},
        # A well-formed clip id that names no clip: the answer is a documented 404 or 401.
        "/api/v1/clips/": {"public_id": "a" + "0" * 15},
        "/api/v1/public/clips/": {"public_id": "a" + "0" * 15},
    }


def real_parameters(path: str, known: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    for prefix, values in known.items():
        if path.startswith(prefix):
            names = {part[1:-1] for part in path.split("/") if part.startswith("{")}
            # Names with no object here (a new sub-resource) get a plausible id.
            return {name: values.get(name, 1) for name in names} if names else None
    return None


def failures_of(case: Any, response: Any, headers: dict[str, str]) -> list[str]:
    """What is wrong with one answer, as readable lines (empty when all is well)."""
    found = []
    documented = case.operation.definition.raw.get("responses", {})
    # No 5xx, except one the schema documents (the health check's 503, body checked below).
    if response.status_code >= 500 and str(response.status_code) not in documented:
        found.append(f"{response.status_code} server error")
    for check in CHECKS:
        try:
            case.validate_response(response, checks=[check], headers=headers)
        except BaseException as error:  # schemathesis raises a group of failures
            found.append(f"{check.__name__}: " + " | ".join(str(error).splitlines()[2:16]))
    return [f"{case.method} {case.formatted_path} -> {response.status_code}: {f}" for f in found]


@pytest.mark.parametrize("role", ["anonymous", "reporter", "curator"])
def test_every_operation_answers_within_its_schema(
    wsgi_app, known, reporter, curator, role
) -> None:
    user = {"anonymous": None, "reporter": reporter, "curator": curator}[role]
    # The in-process WSGI transport does not undo a Content-Encoding; gzip on the public
    # answers is tested over HTTP with real clients (test_feed_interop).
    headers = {"Accept-Encoding": "identity"}
    if user:
        headers["Authorization"] = f"Token {Token.objects.create(user=user).key}"
    schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app)
    problems: list[str] = []
    calls = 0

    for result in schema.get_all_operations():
        operation = result.ok()
        strategies = [
            operation.as_strategy(generation_mode=mode)
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        ]
        real = real_parameters(operation.path, known)
        if real is not None:
            strategies.append(operation.as_strategy(path_parameters=real))

        @given(case=st.one_of(strategies))
        @hypothesis_settings(
            max_examples=EXAMPLES * len(strategies) if operation.path != "/api/v1/health/" else 2,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            nonlocal calls
            calls += 1
            response = case.call(headers=headers)
            problems.extend(failures_of(case, response, headers))

        run()

    assert calls > 100, "the fuzzer hardly ran"
    unique = sorted(set(problems))
    assert not unique, "\n".join(unique[:40])


def test_operations_that_need_an_account_refuse_anonymous_callers(wsgi_app, known) -> None:
    """Taken from the schema: no ``{}`` in an operation's security means sign-in is required."""
    schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app)
    protected = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        security = operation.definition.raw.get("security", [])
        if not security or {} in security:
            continue
        protected += 1
        parameters = real_parameters(operation.path, known) or {}
        case = operation.Case(path_parameters=parameters, media_type="application/json", body={})
        response = case.call()
        assert response.status_code == 401, f"{operation.label}: {response.status_code}"
        assert response.json()["detail"]
    assert protected >= 20
