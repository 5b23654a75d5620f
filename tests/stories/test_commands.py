"""Operators' commands: accounts with roles and tokens, and the demo data."""

from __future__ import annotations

import io

from django.contrib.auth import get_user_model
from django.core.management import call_command

from stories.domain.roles import roles_of
from stories.enums import Role
from stories.models import ConsentText, Drive


def test_create_account_prints_a_token_that_works(client_for, db):
    out = io.StringIO()
    call_command(
        "create_account",
        "maija",
        "--role",
        "curator",
        "--print-token",
        stdout=out,
        stderr=io.StringIO(),
    )
    token = out.getvalue().strip()
    user = get_user_model().objects.get(username="maija")
    assert roles_of(user) == {Role.CURATOR}
    client = client_for()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/stories/").status_code == 200


def test_create_account_for_a_service_cannot_read_stories(client_for, db):
    out = io.StringIO()
    call_command(
        "create_account",
        "ministry",
        "--role",
        "service",
        "--print-token",
        stdout=out,
        stderr=io.StringIO(),
    )
    client = client_for()
    client.credentials(HTTP_AUTHORIZATION=f"Token {out.getvalue().strip()}")
    assert client.get("/api/v1/stories/").status_code == 403


def test_admin_role_can_use_the_admin_site(db):
    call_command(
        "create_account",
        "root",
        "--role",
        "admin",
        "--password",
        "pw-for-tests-123",
        stderr=io.StringIO(),
    )
    user = get_user_model().objects.get(username="root")
    assert user.is_staff
    assert user.is_superuser


def test_load_demo_creates_an_open_light_touch_drive_and_is_repeatable(client_for, db):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    call_command("load_demo", stdout=out)
    demo = Drive.objects.get(slug="demo")
    assert demo.is_open
    assert demo.allow_light_touch
    assert "password:" in out.getvalue()
    response = client_for().post(
        "/api/v1/stories/",
        {"drive": "demo", "kind": "text", "text": "Hei", "consent": {"store": True}},
        format="json",
    )
    assert response.status_code == 201
    # The demo's consent text promises only what holds beside every box, voice and face too.
    for text in ConsentText.objects.filter(drive=demo):
        assert "identify you" not in text.text
        assert "tunnistaa, ei julkaista" not in text.text
