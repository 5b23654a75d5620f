"""The OpenAPI schema and the browsable docs work without internet access."""

from __future__ import annotations

import re


def test_schema_lists_the_story_routes(client_for, db):
    response = client_for().get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for route in [
        "/api/v1/stories/",
        "/api/v1/stories/{id}/",
        "/api/v1/receipts/{receipt}/",
        "/api/v1/withdrawals/",
        "/api/v1/drives/{slug}/",
        "/api/v1/health/",
    ]:
        assert route in paths


def test_docs_page_loads_its_assets_from_this_server(client_for, db):
    html = client_for().get("/api/docs/").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources
    assert all(not s.startswith(("http://", "https://", "//")) for s in sources), sources
