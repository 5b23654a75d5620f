"""Fixtures for the deployment tests."""

from __future__ import annotations

import io

import pytest


@pytest.fixture(scope="session")
def provisioned_models(django_db_blocker) -> None:
    """Readiness needs the Whisper weights and the name list in TARINA_MODELS_DIR."""
    from django.core.management import call_command

    with django_db_blocker.unblock():
        call_command("provision_models", stdout=io.StringIO())
