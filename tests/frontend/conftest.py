"""Fixtures for the web UI's tests, and the ``browser`` marker for real-browser tests."""

from __future__ import annotations

import io
import os
import wave
from collections.abc import Iterator

import pytest

CHROMIUM = "/usr/bin/chromium"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives a real Chromium with playwright against live_server"
    )


def wav_bytes(seconds: float = 1.0, rate: int = 8000) -> bytes:
    """A short silent mono WAV file."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\x00\x00" * int(seconds * rate))
    return buffer.getvalue()


@pytest.fixture(scope="session", autouse=True)
def compiled_translations() -> None:
    """Build the .mo files (build output, not in git) and drop any cached catalogues."""
    from django.core.management import call_command
    from django.utils.translation import trans_real

    call_command("compile_translations", verbosity=0)
    trans_real._translations = {}
    trans_real._default = None


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    # live_server runs Django in a thread; playwright's sync API runs an event loop here.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
            ],
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no service worker, so the network is what the test says)."""
    context = browser.new_context(base_url=live_server.url, service_workers="block")
    context.set_default_timeout(10_000)
    opened = context.new_page()
    yield opened
    context.close()
