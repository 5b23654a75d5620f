"""The pages keep to their Content-Security-Policy (no inline script, style or handler), and
ask for the microphone and camera only where a reporter records: in a real Chromium."""

from __future__ import annotations

import pytest

from stories.enums import Role, StoryStatus
from tests.factories import DriveFactory, StoryFactory, UserFactory, published_story
from tests.frontend.conftest import sign_in, uncaught_errors

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def watched(browser, live_server):
    """A page and the list of its errors and CSP violations, for the test to read."""
    context = browser.new_context(base_url=live_server.url, service_workers="block")
    context.set_default_timeout(10_000)
    opened = context.new_page()
    yield opened, uncaught_errors(opened)
    context.close()


def test_the_watch_sees_a_violation(watched):
    """The listener works: an inline script put into a page is refused, and reported."""
    page, errors = watched
    page.goto("/")
    page.evaluate(
        """() => { const s = document.createElement("script");
                   s.textContent = "window.injected = 1"; document.body.appendChild(s); }"""
    )
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.injected") == "undefined"
    assert any("script-src" in error for error in errors), errors


def policy_of(response) -> tuple[str, str]:
    headers = response.headers
    return headers["content-security-policy"], headers["permissions-policy"]


def test_every_page_keeps_to_its_policy(watched, live_server):
    page, errors = watched
    drive = DriveFactory(slug="kirjasto")
    publication = published_story(title="The bus", text="It came on time.")
    StoryFactory(status=StoryStatus.NEEDS_REVIEW, title="Pending", text="Waiting.")
    for url in ("/", "/stories/", "/themes/", "/collections/", "/r/", "/login/", "/offline/"):
        csp, permissions = policy_of(page.goto(url))
        page.wait_for_load_state("load")
        assert "frame-ancestors 'none'" in csp
        assert "'unsafe-inline'" not in csp
        assert "script-src 'self'" in csp
        assert "object-src 'none'" in csp
        assert "microphone=()" in permissions
        assert "camera=()" in permissions
    page.goto(f"/stories/{publication.public_id}/")
    page.wait_for_load_state("load")

    # The drive page may record: microphone and camera for this origin, and the recorder runs.
    _, permissions = policy_of(page.goto(f"/d/{drive.slug}/"))
    assert "microphone=(self)" in permissions
    assert "camera=(self)" in permissions
    page.check("input[name=kind][value=audio]")
    page.locator("[data-rec-start]").wait_for(state="visible")

    curator = UserFactory(username="csp-curator", role=Role.CURATOR)
    sign_in(page, curator, live_server)
    for url in ("/console/", "/console/collections/", "/console/dashboard/", "/api/docs/"):
        csp, _ = policy_of(page.goto(url))
        page.wait_for_load_state("load")
        assert "frame-ancestors 'none'" in csp
    page.locator("#swagger-ui .information-container").wait_for()  # the docs still start
    page.goto("/console/dashboard/")
    assert page.locator("svg.bar rect").count() > 0
    assert errors == []
