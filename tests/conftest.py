"""Shared fixtures: API clients for each role, a real Celery worker process, provisioned
speech models and the FLEURS clips."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from media_pipeline.speech.weights import provision
from stories.domain.themes import install_default_taxonomy
from stories.enums import Role
from tests.factories import DriveFactory, UserFactory
from tests.worker import WorkerProcess, database_url_for_workers

# CI's PostgreSQL run sets this: a test that needs PostgreSQL must then run, not skip.
REQUIRE_POSTGRES = os.environ.get("TARINA_REQUIRE_POSTGRES") == "1"
REPO = Path(__file__).resolve().parents[1]
# Real speech lives next to the repository (CC BY 4.0) and is never copied into it.
FLEURS = REPO.parent / "shared" / "speech" / "fleurs"
# Ignored by git; shared across runs so the conversion is done once per machine.
MODELS_CACHE = REPO / "var" / "models"


LIBRARY_TESTS = REPO / "tests" / "media_pipeline"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from django.db import connection

    for item in items:
        refuse_transactions_without_restore(item)
        # The processing library has no database: one CI run of it is enough.
        if item.path.is_relative_to(LIBRARY_TESTS):
            item.add_marker(pytest.mark.single_run)
        # What a browser shows does not depend on the database behind the page; a browser
        # test that also drives a real worker (broker and database) runs on both.
        if item.get_closest_marker("browser") and "worker" not in item.fixturenames:
            item.add_marker(pytest.mark.single_run)
    if connection.vendor == "postgresql":
        return
    if REQUIRE_POSTGRES:
        raise pytest.UsageError("TARINA_REQUIRE_POSTGRES=1 but DATABASE_URL is not PostgreSQL.")
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL); CI runs it")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def refuse_transactions_without_restore(item: pytest.Item) -> None:
    """A transactional test must restore the migrated data (serialized rollback): its
    flush re-creates content types, and the next restore then collides."""
    marker = item.get_closest_marker("django_db")
    restores = bool(marker and marker.kwargs.get("serialized_rollback"))
    if marker and marker.kwargs.get("transaction") and not restores:
        raise pytest.UsageError(f"{item.nodeid}: transaction=True needs serialized_rollback=True")
    # The same through a fixture (a real worker needs a transactional database).
    if "transactional_db" in getattr(item, "fixturenames", ()) and not restores:
        raise pytest.UsageError(
            f"{item.nodeid}: a transactional database (the worker fixture, say) needs "
            "@pytest.mark.django_db(transaction=True, serialized_rollback=True)"
        )


@pytest.fixture(scope="session", autouse=True)
def compiled_translations() -> None:
    """Build the .mo files (build output, not in git) and drop any cached catalogues.

    Every test gets them: the API answers reporters in their language too.
    """
    from django.core.management import call_command
    from django.utils.translation import trans_real

    call_command("compile_translations", verbosity=0)
    trans_real._translations = {}
    trans_real._default = None


@pytest.fixture(autouse=True)
def fast_test_settings(settings):
    """Cheap password hashing and short health-check waits: tests create many accounts."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TARINA_HEALTH_TIMEOUT_SECONDS = 0.5


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Throttle and sign-in counters live in the cache: each test starts with none used."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def drive(db):
    """An open drive that takes light-touch submissions."""
    return DriveFactory(slug="kirjasto")


@pytest.fixture
def client_for(db):
    """``client_for(user)``: an API client signed in as ``user`` (None for anonymous)."""

    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def reporter(db):
    return UserFactory(username="reporter-a", role=Role.REPORTER)


@pytest.fixture
def other_reporter(db):
    return UserFactory(username="reporter-b", role=Role.REPORTER)


@pytest.fixture
def curator(db):
    return UserFactory(username="curator", role=Role.CURATOR)


@pytest.fixture
def service(db):
    return UserFactory(username="service", role=Role.SERVICE)


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", role=Role.ADMIN)


@pytest.fixture
def worker(transactional_db, tmp_path_factory):
    """A real ``celery worker`` process on the configured broker and the test database."""
    process = WorkerProcess(
        database_url=database_url_for_workers(),
        log_path=tmp_path_factory.mktemp("worker") / "worker.log",
    )
    process.start()
    yield process
    process.stop()


@pytest.fixture(scope="session")
def speech_models_dir() -> Path:
    """A models folder with base provisioned for both engines (idempotent, ~4 s the first time)."""
    provision(MODELS_CACHE)
    return MODELS_CACHE


@pytest.fixture(scope="session")
def fleurs_dir() -> Path:
    """The FLEURS clips folder, or skip when this checkout has none beside it."""
    if not any(FLEURS.glob("fleurs-*.ogg")):
        pytest.skip(f"FLEURS clips not found at {FLEURS} (shared/speech/fleurs next to the repo)")
    return FLEURS


@pytest.fixture
def shipped_themes(db) -> None:
    """The taxonomy shipped with Tarina, for tests that name its themes. Migrations install
    it; a transactional test run after one that flushed the tables finds it again here."""
    install_default_taxonomy()
