"""The no-JavaScript form holds a signed-in reporter to the API's per-account limit."""

from __future__ import annotations

import pytest

from stories.enums import Role
from stories.models import Story
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def post_story(client, drive, text: str):
    return client.post(f"/d/{drive.slug}/", {"kind": "text", "text": text, "consent_store": "on"})


def test_a_signed_in_reporter_is_limited_per_account_not_per_address(client, drive, settings):
    settings.TARINA_SUBMISSION_THROTTLE_ACCOUNT = "2/hour"
    settings.TARINA_SUBMISSION_THROTTLE_ADDRESS = "1/hour"  # anonymous reporters only
    client.force_login(UserFactory(username="form-reporter", role=Role.REPORTER))

    answers = [post_story(client, drive, f"Story number {n}.").status_code for n in range(3)]

    # Counted per address, the second story would already be refused.
    assert answers == [303, 303, 429]  # 303: the receipt page (POST/redirect/GET)
    assert Story.objects.filter(drive=drive).count() == 2


def test_anonymous_reporters_are_still_limited_per_address(client, drive, settings):
    settings.TARINA_SUBMISSION_THROTTLE_ADDRESS = "1/hour"

    answers = [post_story(client, drive, f"Story number {n}.").status_code for n in range(2)]

    assert answers[1] == 429
    assert Story.objects.filter(drive=drive).count() == 1
