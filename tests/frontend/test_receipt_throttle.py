"""Receipt look-ups are limited per client, behind a proxy too, on the page and in the API alike."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import story_with_receipt

PROXY = "10.0.0.2"  # nginx: every request reaches the app from it


@pytest.fixture
def behind_nginx(settings):
    """One trusted proxy and a small receipt budget (TARINA_RECEIPT_THROTTLE)."""
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "receipts": "2/minute"}
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "NUM_PROXIES": 1,
        "DEFAULT_THROTTLE_RATES": rates,
    }


def reporter(address: str) -> Client:
    """A reporter's browser, as the app sees it through nginx."""
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address)


def form_lookup(client: Client, receipt: str) -> int:
    return client.post("/r/", {"receipt": receipt}).status_code


def api_lookup(client: Client, receipt: str) -> int:
    return client.post(
        "/api/v1/receipts/lookup/", {"receipt": receipt}, content_type="application/json"
    ).status_code


@pytest.mark.parametrize("lookup", [form_lookup, api_lookup], ids=["form", "api"])
def test_two_reporters_behind_one_proxy_have_their_own_budgets(behind_nginx, drive, lookup):
    _story, receipt = story_with_receipt(drive=drive)
    first, second = reporter("198.51.100.1"), reporter("198.51.100.2")
    assert [lookup(first, receipt) for _ in range(3)] == [200, 200, 429]
    assert lookup(second, receipt) == 200


def test_one_reporter_is_held_to_one_budget_on_the_page_and_in_the_api(behind_nginx, drive):
    _story, receipt = story_with_receipt(drive=drive)
    client = reporter("198.51.100.1")
    assert form_lookup(client, receipt) == 200
    assert api_lookup(client, receipt) == 200
    # The budget is used up whichever way the receipt is tried next.
    assert form_lookup(client, receipt) == 429
    assert api_lookup(client, receipt) == 429
    assert api_lookup(reporter("198.51.100.2"), receipt) == 200


def test_the_page_reads_the_receipt_rate_from_the_setting(behind_nginx, settings, drive):
    _story, receipt = story_with_receipt(drive=drive)
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "receipts": "5/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    client = reporter("198.51.100.1")
    assert [form_lookup(client, receipt) for _ in range(6)] == [200] * 5 + [429]
