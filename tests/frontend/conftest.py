"""Fixtures for the web UI's tests, and the ``browser`` marker for real-browser tests."""

from __future__ import annotations

import io
import os
import warnings
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
# axe-core comes from npm (package-lock.json; `npm ci`), never from the repository.
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


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


class Chromium:
    """The session's Chromium, launched again when it has crashed: a crash fails the test
    it happened in, not every browser test after it."""

    ARGS = [
        "--no-sandbox",
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        # The machine's network is closed: no background calls to the outside.
        "--disable-background-networking",
        "--disable-component-update",
    ]

    def __init__(self, playwright: Any) -> None:
        self._playwright = playwright
        self._browser: Any = None

    def browser(self) -> Any:
        if self._browser is None or not self._browser.is_connected():
            self._browser = self._playwright.chromium.launch(
                executable_path=CHROMIUM, args=self.ARGS
            )
        return self._browser

    def close(self) -> None:
        if self._browser is not None and self._browser.is_connected():
            self._browser.close()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Chromium]:
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    # live_server runs Django in a thread; playwright's sync API runs an event loop here.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        launcher = Chromium(playwright)
        yield launcher
        launcher.close()


@pytest.fixture
def browser(chromium: Chromium) -> Any:
    """A running Chromium (the session's, unless it crashed in an earlier test)."""
    return chromium.browser()


def close_context(context: Any) -> None:
    """Close a test's browser context. When Chromium itself died after the test's last
    step (it has crashed closing a page that recorded sound), that is said as a warning:
    the test's own steps passed, and the next test gets a new Chromium."""
    from playwright.sync_api import Error as PlaywrightError

    try:
        context.close()
    except PlaywrightError:
        if context.browser is not None and context.browser.is_connected():
            raise
        warnings.warn("Chromium crashed after the test's last step", stacklevel=2)


# Run before any page script (and outside the page's CSP): every violation of the
# Content-Security-Policy is logged as a console error the tests collect.
CSP_WATCH = """
document.addEventListener("securitypolicyviolation", function (event) {
  console.error("CSP violation: " + event.violatedDirective + " blocked " +
    (event.blockedURI || "inline") + " at " + event.sourceFile + ":" + event.lineNumber);
}, true);
"""


def is_csp_violation(text: str) -> bool:
    """Chromium's own report ("... violates the following Content Security Policy ...")
    or the one ``CSP_WATCH`` writes."""
    return text.startswith("CSP violation:") or "Content Security Policy" in text


def uncaught_errors(page) -> list[str]:
    """A list that collects every error the page's scripts throw and nobody catches, and
    every Content-Security-Policy violation on its pages."""
    errors: list[str] = []
    page.context.add_init_script(CSP_WATCH)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: errors.append(message.text) if is_csp_violation(message.text) else None,
    )
    return errors


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no service worker, so the network is what the test says)."""
    context = browser.new_context(base_url=live_server.url, service_workers="block")
    context.set_default_timeout(10_000)
    opened = context.new_page()
    errors = uncaught_errors(opened)
    yield opened
    close_context(context)
    assert errors == [], "the page's scripts threw, or it broke its Content-Security-Policy"


@pytest.fixture
def phone(browser, live_server):
    """A page the size of a small phone, in a context of its own (no service worker)."""
    context = browser.new_context(
        base_url=live_server.url,
        service_workers="block",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(10_000)
    opened = context.new_page()
    errors = uncaught_errors(opened)
    yield opened
    close_context(context)
    assert errors == [], "the page's scripts threw, or it broke its Content-Security-Policy"


def fits_the_screen(phone) -> bool:
    """Whether the page needs no sideways scrolling on the phone's screen (a mobile
    browser widens its layout to the content, so the content is measured, not the
    window)."""
    width = phone.evaluate("document.documentElement.scrollWidth")
    return bool(width <= phone.viewport_size["width"])


def sign_in(page, user, live_server) -> None:
    """Give ``page``'s browser context a session of ``user`` (no login form involved)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def screenshot_dir() -> Path:
    """Where the tests leave screenshots: ``TARINA_SCREENSHOTS``, else var/<test>/screenshots."""
    from django.conf import settings

    folder = Path(os.environ.get("TARINA_SCREENSHOTS") or settings.VAR_DIR / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def screenshot(page, name: str, *, full_page: bool = True) -> Path:
    """Save ``page`` as ``<name>.png``, reduced to a small palette so that it stays light."""
    from PIL import Image

    path = screenshot_dir() / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    with Image.open(path) as shot:
        small = shot.convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)
    return path
