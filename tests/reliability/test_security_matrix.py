"""The permission matrix: every story endpoint x role x story state, and reporter A's uploads.

``POLICY`` says what each role may do with reporter A's story in each state, in terms of
``stories.rules`` and the lifecycle table; the tests call every endpoint as every role in
every state and compare. The same policy renders the table in docs/reliability.md
(``TARINA_WRITE_DOCS=1`` rewrites it; otherwise the test fails when the docs disagree).

Reporter B must never see, change, resume, download or withdraw reporter A's story or
upload: every B cell is a 404 (or 403 where the whole feature is closed to reporters), and
the story is checked to be untouched after each of B's calls.
"""

from __future__ import annotations

import base64
import io
import os
import re
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from rest_framework.test import APIClient

from stories.domain.lifecycle import can_transition
from stories.enums import AssetRole, StoryKind
from stories.enums import StoryStatus as S
from stories.models import MediaAsset, Story, Upload
from stories.rules import REPORTER_EDITABLE
from tests.factories import PublishedStoryFactory, story_with_receipt

ROLES = ("anonymous", "reporter A", "reporter B", "curator", "service", "admin")
STATES = tuple(S)
DOCS = Path(__file__).resolve().parents[2] / "docs" / "reliability.md"
START, END = "<!-- permission-matrix:start -->", "<!-- permission-matrix:end -->"
TUS = {"HTTP_TUS_RESUMABLE": "1.0.0"}


def _wav() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(bytes(1600))
    return out.getvalue()


WAV = _wav()


@dataclass(frozen=True)
class Ctx:
    story: Story
    receipt: str
    original: int  # the id of the story's original file


@dataclass(frozen=True)
class Endpoint:
    label: str
    call: Callable[[APIClient, Ctx], Any]
    # Expected status code for (role, state); "+" appended when the story is listed.
    expect: Callable[[str, S], str]
    listed: Callable[[Any, Ctx], bool] | None = None


def staff(role: str) -> bool:
    return role in {"curator", "admin"}


def reader(ok: str) -> Callable[[str, S], str]:
    """Owner and staff read; B gets 404; service 403; anonymous 401."""

    def rule(role: str, state: S) -> str:
        return {
            "anonymous": "401",
            "reporter A": ok,
            "reporter B": "404",
            "service": "403",
        }.get(role, ok)

    return rule


def curators_only(ok: Callable[[S], str]) -> Callable[[str, S], str]:
    def rule(role: str, state: S) -> str:
        if role == "anonymous":
            return "401"
        return ok(state) if staff(role) else "403"

    return rule


def edit_rule(role: str, state: S) -> str:
    if role == "reporter A":
        return "200" if state in REPORTER_EDITABLE else "409"
    if staff(role):
        return "409" if state == S.WITHDRAWN else "200"
    return reader("200")(role, state)


def owner_action(ok: Callable[[S], str]) -> Callable[[str, S], str]:
    """Owner and staff act by story id; B and service are told it does not exist."""

    def rule(role: str, state: S) -> str:
        if role == "anonymous":
            return "401"
        if role in {"reporter B", "service"}:
            return "404"
        return ok(state)

    return rule


def console(ok: str) -> Callable[[str, S], str]:
    def rule(role: str, state: S) -> str:
        if role == "anonymous":
            return "302"
        return ok if staff(role) else "403"

    return rule


def public(role: str, state: S) -> str:
    # Withdrawn is a 404 like any story that is not public: no 410 to date a withdrawal.
    return "200" if state == S.PUBLISHED else "404"


def to(target: S, code: str = "200") -> Callable[[S], str]:
    return lambda state: code if can_transition(state, target) else "409"


def listed_in(results_key: str | None) -> Callable[[Any, Ctx], bool]:
    def check(response: Any, ctx: Ctx) -> bool:
        body = response.json()
        items = body[results_key] if results_key else body
        return any(item.get("id") == ctx.story.pk for item in items)

    return check


def list_rule(sees: Callable[[str, S], bool]) -> Callable[[str, S], str]:
    def rule(role: str, state: S) -> str:
        code = {"anonymous": "401", "service": "403"}.get(role, "200")
        return code + ("+" if code == "200" and sees(role, state) else "")

    return rule


ENDPOINTS = [
    Endpoint(
        "GET /api/v1/stories/ (A's story listed: +)",
        lambda c, x: c.get("/api/v1/stories/"),
        list_rule(lambda role, state: role == "reporter A" or staff(role)),
        listed_in("results"),
    ),
    Endpoint(
        "GET /api/v1/stories/{id}/",
        lambda c, x: c.get(f"/api/v1/stories/{x.story.pk}/"),
        reader("200"),
    ),
    Endpoint(
        "PATCH /api/v1/stories/{id}/ (title)",
        lambda c, x: c.patch(f"/api/v1/stories/{x.story.pk}/", {"title": "T"}, format="json"),
        edit_rule,
    ),
    Endpoint(
        "PATCH /api/v1/stories/{id}/ (status: the actions' job, for everyone)",
        lambda c, x: c.patch(
            f"/api/v1/stories/{x.story.pk}/", {"status": "approved"}, format="json"
        ),
        reader("400"),
    ),
    Endpoint(
        "GET /api/v1/stories/{id}/themes/",
        lambda c, x: c.get(f"/api/v1/stories/{x.story.pk}/themes/"),
        reader("200"),
    ),
    Endpoint(
        "POST /api/v1/stories/{id}/themes/",
        lambda c, x: c.post(
            f"/api/v1/stories/{x.story.pk}/themes/",
            {"theme": "no-such-theme", "action": "add"},
            format="json",
        ),
        lambda role, state: "400" if staff(role) else reader("403")(role, state),
    ),
    Endpoint(
        "POST /api/v1/stories/{id}/retry/",
        lambda c, x: c.post(f"/api/v1/stories/{x.story.pk}/retry/"),
        lambda role, state: (
            ("200" if state == S.FAILED else "409") if staff(role) else reader("403")(role, state)
        ),
    ),
    Endpoint(
        "GET /api/v1/review/ (A's story listed: +)",
        lambda c, x: c.get("/api/v1/review/"),
        lambda role, state: curators_only(lambda s: "200+" if s == S.NEEDS_REVIEW else "200")(
            role, state
        ),
        listed_in("results"),
    ),
    Endpoint(
        "GET /api/v1/stories/{id}/preview/",
        lambda c, x: c.get(f"/api/v1/stories/{x.story.pk}/preview/"),
        curators_only(lambda s: "200"),
    ),
    Endpoint(
        "GET /api/v1/stories/{id}/picture/",
        lambda c, x: c.get(f"/api/v1/stories/{x.story.pk}/picture/"),
        curators_only(lambda s: "200"),
    ),
    Endpoint(
        "PUT /api/v1/stories/{id}/picture/boxes/ (none)",
        lambda c, x: c.put(
            f"/api/v1/stories/{x.story.pk}/picture/boxes/", {"boxes": []}, format="json"
        ),
        curators_only(lambda s: "200"),
    ),
    Endpoint(
        "GET /api/v1/stories/{id}/redactions/",
        lambda c, x: c.get(f"/api/v1/stories/{x.story.pk}/redactions/"),
        curators_only(lambda s: "200"),
    ),
    Endpoint(
        "POST /api/v1/stories/{id}/approve/",
        lambda c, x: c.post(f"/api/v1/stories/{x.story.pk}/approve/", {}, format="json"),
        curators_only(to(S.APPROVED)),
    ),
    Endpoint(
        "POST /api/v1/stories/{id}/reject/",
        lambda c, x: c.post(
            f"/api/v1/stories/{x.story.pk}/reject/", {"reason": "Off topic."}, format="json"
        ),
        curators_only(to(S.REJECTED)),
    ),
    Endpoint(
        "POST /api/v1/stories/{id}/reopen/",
        lambda c, x: c.post(f"/api/v1/stories/{x.story.pk}/reopen/", {}, format="json"),
        curators_only(lambda s: "200" if s in {S.APPROVED, S.PUBLISHED, S.REJECTED} else "409"),
    ),
    Endpoint(
        "POST /api/v1/stories/{id}/unpublish/",
        lambda c, x: c.post(f"/api/v1/stories/{x.story.pk}/unpublish/", {}, format="json"),
        curators_only(lambda s: "200" if s == S.PUBLISHED else "409"),
    ),
    Endpoint(
        "POST /api/v1/stories/{id}/publish/",
        lambda c, x: c.post(f"/api/v1/stories/{x.story.pk}/publish/"),
        curators_only(lambda s: "202" if s in {S.APPROVED, S.PUBLISHED} else "409"),
    ),
    Endpoint(
        "POST /api/v1/consent/ (by story id)",
        lambda c, x: c.post(
            "/api/v1/consent/", {"story": x.story.pk, "keep": ["store"]}, format="json"
        ),
        # Narrowing a withdrawn story's consent changes nothing and is not an error.
        owner_action(lambda s: "200"),
    ),
    Endpoint(
        "POST /api/v1/withdrawals/ (by story id, no reason)",
        lambda c, x: c.post("/api/v1/withdrawals/", {"story": x.story.pk}, format="json"),
        # Curators acting on the reporter's behalf must say why.
        lambda role, state: "400" if staff(role) else owner_action(lambda s: "200")(role, state),
    ),
    Endpoint(
        "POST /api/v1/withdrawals/ (by story id, with a reason)",
        lambda c, x: c.post(
            "/api/v1/withdrawals/", {"story": x.story.pk, "reason": "By phone."}, format="json"
        ),
        owner_action(lambda s: "200"),
    ),
    Endpoint(
        "POST /api/v1/receipts/lookup/ (holder of A's receipt)",
        lambda c, x: c.post("/api/v1/receipts/lookup/", {"receipt": x.receipt}, format="json"),
        lambda role, state: "200",
    ),
    Endpoint(
        "GET /api/v1/receipts/{receipt}/ (holder of A's receipt; deprecated)",
        lambda c, x: c.get(f"/api/v1/receipts/{x.receipt}/"),
        lambda role, state: "200",
    ),
    Endpoint(
        "POST /api/v1/withdrawals/ (A's receipt)",
        lambda c, x: c.post("/api/v1/withdrawals/", {"receipt": x.receipt}, format="json"),
        lambda role, state: "200",
    ),
    Endpoint(
        "GET /console/stories/{id}/",
        lambda c, x: c.get(f"/console/stories/{x.story.pk}/"),
        console("200"),
    ),
    Endpoint(
        "GET /console/stories/{id}/media (the recording)",
        lambda c, x: c.get(f"/console/stories/{x.story.pk}/media"),
        console("200"),
    ),
    Endpoint(
        "GET /api/v1/stories/{id}/files/{original}/ (download the original)",
        lambda c, x: c.get(f"/api/v1/stories/{x.story.pk}/files/{x.original}/"),
        curators_only(lambda s: "200"),
    ),
    Endpoint(
        "GET /api/v1/public/stories/{id}/",
        lambda c, x: c.get(f"/api/v1/public/stories/{x.story.public_id}/"),
        public,
    ),
    Endpoint(
        "GET /stories/{id}/ (public page)",
        lambda c, x: c.get(f"/stories/{x.story.public_id}/"),
        public,
    ),
]


@pytest.fixture
def people(reporter, other_reporter, curator, service, admin_user) -> dict[str, Any]:
    return {
        "anonymous": None,
        "reporter A": reporter,
        "reporter B": other_reporter,
        "curator": curator,
        "service": service,
        "admin": admin_user,
    }


@pytest.fixture
def private_store(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": tmp_path / "p"}},
    }


def client_as(user: Any) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)  # a session: the console pages need one, the API takes it
        client.force_authenticate(user)
    return client


def a_story_in(state: S, drive: Any, reporter: Any) -> Ctx:
    story, receipt = story_with_receipt(
        drive=drive,
        reporter=reporter,
        kind=StoryKind.AUDIO,
        status=state,
        consent={"store": True, "publish_text": True},
    )
    for role in (AssetRole.ORIGINAL, AssetRole.NORMALISED):
        asset = MediaAsset(story=story, role=role, mime_type="audio/wav")
        asset.file.save("n.wav", ContentFile(b"RIFF" + bytes(64)), save=True)
    if state == S.PUBLISHED:
        PublishedStoryFactory(story=story)
    original = story.assets.get(role=AssetRole.ORIGINAL).pk
    return Ctx(story=story, receipt=receipt, original=original)


def observed(endpoint: Endpoint, response: Any, ctx: Ctx) -> str:
    code = str(response.status_code)
    if endpoint.listed is not None and code == "200" and endpoint.listed(response, ctx):
        code += "+"
    return code


def fingerprint(story: Story) -> tuple[Any, ...]:
    story.refresh_from_db()
    return (story.status, story.title, story.text, story.updated_at)


@pytest.mark.parametrize("state", STATES, ids=[s.value for s in STATES])
def test_every_endpoint_as_every_role(people, drive, reporter, private_store, state, settings):
    # Every receipt endpoint as every role, from one address: more than the guessing budget.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"receipts": "1000/minute"},
    }
    ctx = a_story_in(state, drive, reporter)
    wrong: list[str] = []
    for endpoint in ENDPOINTS:
        for role in ROLES:
            expected = endpoint.expect(role, state)
            with transaction.atomic():
                before = fingerprint(ctx.story)
                response = endpoint.call(client_as(people[role]), ctx)
                got = observed(endpoint, response, ctx)
                if got == "200" and ("original" in endpoint.label or "media" in endpoint.label):
                    assert "no-store" in response["Cache-Control"], endpoint.label
                if role == "reporter B" and "receipt" not in endpoint.label:
                    assert fingerprint(ctx.story) == before, f"B changed A's story: {endpoint}"
                transaction.set_rollback(True)
            if got != expected:
                wrong.append(f"{endpoint.label} as {role}: expected {expected}, got {got}")
    assert not wrong, "\n".join(wrong)


# --- Reporter A's resumable upload ---------------------------------------------------------


UPLOAD_ACTIONS: dict[str, Callable[[APIClient, str], Any]] = {
    "HEAD /api/v1/uploads/{id}/ (where it stands)": lambda c, url: c.head(url, **TUS),
    "PATCH /api/v1/uploads/{id}/ (resume)": lambda c, url: c.generic(
        "PATCH",
        url,
        b"abc",
        content_type="application/offset+octet-stream",
        HTTP_UPLOAD_OFFSET="0",
        **TUS,
    ),
    "DELETE /api/v1/uploads/{id}/": lambda c, url: c.delete(url, **TUS),
}
UPLOAD_EXPECT = {"HEAD": "200", "PATCH": "204", "DELETE": "204"}


def upload_expect(label: str, role: str) -> str:
    # Private to its creator: everyone else, curators included, is told it does not exist.
    return UPLOAD_EXPECT[label.split()[0]] if role == "reporter A" else "404"


def attach_expect(role: str) -> str:
    return {"reporter A": "201", "service": "403"}.get(role, "400")


@pytest.mark.parametrize("role", ROLES)
def test_reporter_a_upload_is_private_to_a(people, reporter, drive, private_store, role):
    creator = client_as(reporter)
    made = creator.post(
        "/api/v1/uploads/",
        HTTP_UPLOAD_LENGTH="6",
        HTTP_UPLOAD_METADATA=f"filename {base64.b64encode(b'a.wav').decode()}",
        **TUS,
    )
    assert made.status_code == 201
    url = made["Location"].removeprefix("http://testserver")
    upload_id = url.rstrip("/").rsplit("/", 1)[1]
    wrong = []
    for label, action in UPLOAD_ACTIONS.items():
        with transaction.atomic():
            got = str(action(client_as(people[role]), url).status_code)
            if role != "reporter A":
                assert Upload.objects.filter(pk=upload_id, offset=0).exists()
            transaction.set_rollback(True)
        if got != upload_expect(label, role):
            wrong.append(f"{label}: expected {upload_expect(label, role)}, got {got}")
    # A fresh upload (the DELETE above removed the first one's file), finished, then used.
    made = creator.post("/api/v1/uploads/", HTTP_UPLOAD_LENGTH=str(len(WAV)), **TUS)
    url = made["Location"].removeprefix("http://testserver")
    upload_id = url.rstrip("/").rsplit("/", 1)[1]
    creator.generic(
        "PATCH",
        url,
        WAV,
        content_type="application/offset+octet-stream",
        HTTP_UPLOAD_OFFSET="0",
        **TUS,
    )
    story = client_as(people[role]).post(
        "/api/v1/stories/",
        {"drive": drive.slug, "kind": "audio", "consent": {"store": True}, "uploads": [upload_id]},
        format="json",
    )
    if str(story.status_code) != attach_expect(role):
        wrong.append(
            f"attach: expected {attach_expect(role)}, got {story.status_code} {story.content!r}"
        )
    if role != "reporter A":
        assert not Story.objects.filter(assets__isnull=False).exists()
    assert not wrong, "\n".join(wrong)


# --- The table in the docs ------------------------------------------------------------------


def cell(rule: Callable[[S], str]) -> str:
    """One role's outcomes over all states: ``200`` or ``200 in failed; else 409``."""
    by_code: dict[str, list[S]] = {}
    for state in STATES:
        by_code.setdefault(rule(state), []).append(state)
    if len(by_code) == 1:
        return next(iter(by_code))
    common = max(by_code, key=lambda code: len(by_code[code]))
    rest = "; ".join(
        f"{code} in {', '.join(s.value for s in states)}"
        for code, states in by_code.items()
        if code != common
    )
    return f"{rest}; else {common}"


def render_matrix() -> str:
    header = "| endpoint | " + " | ".join(ROLES) + " |"
    lines = [header, "|" + " --- |" * (len(ROLES) + 1)]
    for endpoint in ENDPOINTS:
        cells = [cell(lambda s, r=role, e=endpoint: e.expect(r, s)) for role in ROLES]
        lines.append(f"| `{endpoint.label}` | " + " | ".join(cells) + " |")
    for label in UPLOAD_ACTIONS:
        lines.append(f"| `{label}` | " + " | ".join(upload_expect(label, r) for r in ROLES) + " |")
    lines.append(
        "| `POST /api/v1/stories/` with A's finished upload | "
        + " | ".join(attach_expect(r) for r in ROLES)
        + " |"
    )
    return "\n".join(lines)


def test_the_docs_show_this_matrix():
    table = render_matrix()
    text = DOCS.read_text()
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.S)
    block = f"{START}\n{table}\n{END}"
    if os.environ.get("TARINA_WRITE_DOCS") == "1":
        DOCS.write_text(pattern.sub(lambda _: block, text))
        text = DOCS.read_text()
    assert block in text, "docs/reliability.md is out of date: run with TARINA_WRITE_DOCS=1"
