"""Security: receipts, rate limits that survive a shared NAT, sign-in limits, CSRF and the
production settings (``manage.py check --deploy``)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from stories.domain import receipts
from stories.enums import Role, StoryStatus
from stories.models import Story
from tests.factories import DriveFactory, UserFactory, story_with_receipt

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a-long-test-password"  # tests/factories.py


def client_from(address: str, user=None, **extra: str) -> APIClient:
    client = APIClient(REMOTE_ADDR=address, **extra)
    if user is not None:
        client.force_authenticate(user)
    return client


def submit(client: APIClient, drive_slug: str):
    return client.post(
        "/api/v1/stories/",
        {
            "drive": drive_slug,
            "kind": "text",
            "text": "The bus never came.",
            "consent": {"store": True},
        },
        format="json",
    )


# --- Receipts -------------------------------------------------------------------------


def test_receipts_are_long_random_and_stored_only_as_a_hash(client_for, drive):
    issued = {receipts.issue()[0] for _ in range(200)}
    assert len(issued) == 200
    for receipt in issued:
        assert len(receipts.normalise(receipt)) == 32  # 32 base-32 characters: 160 bits
    response = submit(client_for(), drive.slug)
    receipt = response.json()["receipt"]
    story = Story.objects.get(pk=response.json()["id"])
    expected = hashlib.sha256(receipts.normalise(receipt).encode()).hexdigest()
    assert story.receipt_hash == expected
    # The receipt itself is nowhere in the story's row.
    row = Story.objects.filter(pk=story.pk).values().get()
    assert not any(receipt.replace("-", "") in str(value) for value in row.values())


def test_a_receipt_one_character_off_finds_nothing(client_for, drive):
    _story, receipt = story_with_receipt(drive=drive)
    last = receipt[-1]
    wrong = receipt[:-1] + ("0" if last != "0" else "1")
    assert client_for().get(f"/api/v1/receipts/{wrong}/").status_code == 404
    assert client_for().get(f"/api/v1/receipts/{receipt}/").status_code == 200


def test_guessing_receipts_is_throttled_per_client(drive):
    _story, receipt = story_with_receipt(drive=drive)
    guesser = client_from("198.51.100.7")
    answers = [
        guesser.get(f"/api/v1/receipts/{receipts.issue()[0]}/").status_code for _ in range(30)
    ]
    assert answers == [404] * 30
    # The 31st try in the minute is refused, even with the right receipt, and says when to
    # come back; withdrawals by receipt share the same budget.
    refused = guesser.get(f"/api/v1/receipts/{receipt}/")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    withdrawal = guesser.post("/api/v1/withdrawals/", {"receipt": receipt}, format="json")
    assert withdrawal.status_code == 429
    # A forged X-Forwarded-For does not buy a fresh budget...
    forged = client_from("198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.99")
    assert forged.get(f"/api/v1/receipts/{receipt}/").status_code == 429
    # ...while another client is not affected.
    assert client_from("192.0.2.10").get(f"/api/v1/receipts/{receipt}/").status_code == 200
    assert Story.objects.get().status != StoryStatus.WITHDRAWN


# --- Submissions: per account, per drive, per address ----------------------------------


def test_submissions_are_limited_per_account_not_per_address(settings, drive):
    settings.TARINA_SUBMISSION_THROTTLE_ACCOUNT = "3/hour"
    nat = "100.64.0.1"  # one carrier NAT address for everyone
    a = UserFactory(username="nat-a", role=Role.REPORTER)
    b = UserFactory(username="nat-b", role=Role.REPORTER)
    assert [submit(client_from(nat, a), drive.slug).status_code for _ in range(3)] == [201] * 3
    refused = submit(client_from(nat, a), drive.slug)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    # The same account from another network is still refused: the limit follows the account.
    assert submit(client_from("192.0.2.50", a), drive.slug).status_code == 429
    # Reporter B behind the same NAT is not.
    assert submit(client_from(nat, b), drive.slug).status_code == 201
    assert Story.objects.filter(reporter=a).count() == 3


def test_submissions_are_limited_per_drive(settings, drive):
    settings.TARINA_SUBMISSION_THROTTLE_DRIVE = "4/hour"
    other = DriveFactory()
    codes = [submit(client_from(f"192.0.2.{n}"), drive.slug).status_code for n in range(1, 6)]
    assert codes == [201, 201, 201, 201, 429]
    # Case does not make it another drive; another drive has its own budget.
    assert submit(client_from("192.0.2.99"), drive.slug.upper()).status_code == 429
    assert submit(client_from("192.0.2.99"), other.slug).status_code == 201


def test_anonymous_submissions_are_limited_per_address_but_members_are_not(settings, drive):
    settings.TARINA_SUBMISSION_THROTTLE_ADDRESS = "2/hour"
    nat = "100.64.0.2"
    assert [submit(client_from(nat), drive.slug).status_code for _ in range(3)] == [201, 201, 429]
    member = UserFactory(username="member", role=Role.REPORTER)
    assert submit(client_from(nat, member), drive.slug).status_code == 201
    assert submit(client_from("192.0.2.7"), drive.slug).status_code == 201


def test_reading_stories_is_not_throttled_by_submissions(settings, drive, reporter):
    settings.TARINA_SUBMISSION_THROTTLE_ACCOUNT = "1/hour"
    client = client_from("192.0.2.8", reporter)
    assert submit(client, drive.slug).status_code == 201
    assert submit(client, drive.slug).status_code == 429
    assert client.get("/api/v1/stories/").status_code == 200


# --- Sign-in ----------------------------------------------------------------------------


def login(address: str, username: str, password: str):
    client = Client(REMOTE_ADDR=address)
    return client.post("/login/", {"username": username, "password": password})


def test_failed_sign_ins_lock_the_account_name_from_every_address(settings, db):
    settings.TARINA_LOGIN_FAILURES_PER_ACCOUNT = 3
    UserFactory(username="curator-x", role=Role.CURATOR)
    UserFactory(username="curator-y", role=Role.CURATOR)
    codes = [login(f"192.0.2.{n}", "curator-x", "wrong").status_code for n in range(3)]
    # The third failure uses up the account's tries, and the answer says so.
    assert codes == [200, 200, 429]
    # The right password no longer helps, from any address, and the page says why.
    blocked = login("192.0.2.200", "curator-x", PASSWORD)
    assert blocked.status_code == 429
    assert "Too many failed sign-ins" in blocked.content.decode()
    assert "_auth_user_id" not in blocked.wsgi_request.session
    # The admin's sign-in is held to the same count.
    admin = Client(REMOTE_ADDR="192.0.2.201").post(
        "/admin/login/", {"username": "curator-x", "password": PASSWORD}
    )
    assert "_auth_user_id" not in admin.wsgi_request.session
    # Someone else behind the same addresses signs in as usual.
    assert login("192.0.2.0", "curator-y", PASSWORD).status_code == 302


def test_failed_sign_ins_lock_an_address_trying_many_names(settings, db):
    settings.TARINA_LOGIN_FAILURES_PER_ADDRESS = 5
    UserFactory(username="curator-z", role=Role.CURATOR)
    for n in range(5):
        login("203.0.113.5", f"guess-{n}", "wrong")
    assert login("203.0.113.5", "curator-z", PASSWORD).status_code == 429
    assert login("203.0.113.6", "curator-z", PASSWORD).status_code == 302


def test_a_successful_sign_in_clears_the_account_count(settings, db):
    settings.TARINA_LOGIN_FAILURES_PER_ACCOUNT = 3
    UserFactory(username="curator-w", role=Role.CURATOR)
    for _ in range(2):
        login("192.0.2.30", "curator-w", "typo")
    assert login("192.0.2.30", "curator-w", PASSWORD).status_code == 302
    for _ in range(2):
        login("192.0.2.30", "curator-w", "typo")
    assert login("192.0.2.30", "curator-w", PASSWORD).status_code == 302


# --- CSRF for session sign-in -------------------------------------------------------------


def test_session_authenticated_api_writes_need_the_csrf_token(drive, reporter):
    story, _ = story_with_receipt(drive=drive, reporter=reporter)
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(reporter)
    without = browser.patch(f"/api/v1/stories/{story.pk}/", {"title": "Forged"}, format="json")
    assert without.status_code == 403
    assert "CSRF" in without.json()["detail"]
    browser.get(f"/d/{drive.slug}/")  # a page with a form sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    with_token = browser.patch(
        f"/api/v1/stories/{story.pk}/", {"title": "Mine"}, format="json", HTTP_X_CSRFTOKEN=token
    )
    assert with_token.status_code == 200
    story.refresh_from_db()
    assert story.title == "Mine"


# --- Production settings ------------------------------------------------------------------


def production_env(tmp_path: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "TARINA_")) or key == "TARINA_VAR_DIR"
    }
    env.update(
        DJANGO_SECRET_KEY="x" * 20 + hashlib.sha256(b"not-a-real-key").hexdigest(),
        DJANGO_ALLOWED_HOSTS="tarina.example.org",
        TARINA_HTTPS="1",
        TARINA_REQUIRE_SECRET_KEY="1",
        TARINA_VAR_DIR=str(tmp_path),
    )
    return env


def test_check_deploy_is_clean_with_the_production_settings(tmp_path):
    env = production_env(tmp_path)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    probe = (
        "from django.conf import settings as s;"
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_SSL_REDIRECT,"
        " s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.DEBUG,"
        " s.SECURE_CONTENT_TYPE_NOSNIFF, s.X_FRAME_OPTIONS)"
    )
    shown = subprocess.run(
        [sys.executable, "manage.py", "shell", "--verbosity", "0", "-c", probe],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shown.stdout.split() == [
        "31536000", "True", "True", "True", "True", "True", "False", "True", "DENY"
    ]  # fmt: skip


def manage_check(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = production_env(tmp_path)
    del env["DJANGO_SECRET_KEY"]
    result = manage_check(env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_without_debug_no_key_means_no_start_whatever_else_is_set(tmp_path):
    """The development key in the repository signs nothing outside a debug run."""
    env = production_env(tmp_path)
    for name in ("DJANGO_SECRET_KEY", "TARINA_REQUIRE_SECRET_KEY", "TARINA_HTTPS"):
        del env[name]
    refused = manage_check(env, "--deploy")
    assert refused.returncode != 0
    assert "ImproperlyConfigured" in refused.stderr
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off" in refused.stderr
    # A developer's debug run still starts on the fixed key, and --deploy says so.
    debug = manage_check({**env, "DJANGO_DEBUG": "1"}, "--deploy")
    assert debug.returncode == 0, debug.stderr
    assert "security.W018" in debug.stderr + debug.stdout  # DEBUG on: not for deployment


def test_the_api_accepts_session_auth_only_with_csrf():
    classes = django_settings.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]
    # DRF's SessionAuthentication enforces CSRF; nothing here replaces it with one that does not.
    assert "rest_framework.authentication.SessionAuthentication" in classes
    assert all("Csrf" not in name and "Exempt" not in name for name in classes)


def test_behind_one_proxy_each_client_has_its_own_budget(settings, drive):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    settings.TARINA_SUBMISSION_THROTTLE_ADDRESS = "1/hour"
    proxy = "10.0.0.2"  # nginx: every request arrives from it
    # nginx appends the real peer; anything before it was sent by the client and is ignored.
    first = client_from(proxy, HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.1")
    second = client_from(proxy, HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert submit(first, drive.slug).status_code == 201
    assert submit(first, drive.slug).status_code == 429
    assert submit(second, drive.slug).status_code == 201
    # Forging the first entry does not help the first client.
    forged = client_from(proxy, HTTP_X_FORWARDED_FOR="198.51.100.9, 198.51.100.1")
    assert submit(forged, drive.slug).status_code == 429


def test_the_web_form_is_held_to_the_same_limits(settings, drive):
    settings.TARINA_SUBMISSION_THROTTLE_ADDRESS = "2/hour"
    form = {"kind": "text", "text": "The bus never came.", "consent_store": "on"}
    nat = Client(REMOTE_ADDR="100.64.0.3")
    codes = [nat.post(f"/d/{drive.slug}/", form).status_code for _ in range(3)]
    assert codes == [303, 303, 429]  # 303: to the receipt page (POST/redirect/GET)
    refused = nat.post(f"/d/{drive.slug}/", form)
    assert "Too many stories were sent from here" in refused.content.decode()
    assert Story.objects.count() == 2
    # The API and the form share one budget per address.
    assert submit(client_from("100.64.0.3"), drive.slug).status_code == 429
    # The drive's ceiling, from many addresses (fresh counters).
    cache.clear()
    settings.TARINA_SUBMISSION_THROTTLE_DRIVE = "1/hour"
    assert Client(REMOTE_ADDR="192.0.2.77").post(f"/d/{drive.slug}/", form).status_code == 303
    assert Client(REMOTE_ADDR="192.0.2.78").post(f"/d/{drive.slug}/", form).status_code == 429
