"""The research export as standard tools read it: a Frictionless data package, and a CSV
that spreadsheet programs open as UTF-8 (``?bom=1``).

``frictionless`` (the reference implementation of the Data Package specs) validates the
package and reads its table: once from the ZIP as a researcher unpacks it, once over HTTP
from a live server, with no code written for Tarina.
"""

from __future__ import annotations

import datetime
import decimal
import io
import zipfile

import frictionless
import pytest
from django.utils import timezone

from stories.domain.themes import install_default_taxonomy
from stories.models import Theme
from tests.factories import CollectionFactory, published_story

BASE = "/api/v1/public/collections/being-heard"


def publish_two(collection) -> None:
    install_default_taxonomy()  # the themes it names; idempotent
    published_story(
        title="=SUM(A1)",
        text="Kirjasto on kylän sydän.",
        place="Oulu",
        language="fi",
        duration=12.5,
        themes=[Theme.objects.get(slug="power"), Theme.objects.get(slug="empathy")],
        collections=(collection,),
    )
    published_story(title="Ilman kieltä", language="", collections=(collection,))


@pytest.fixture
def collection(db):
    return CollectionFactory(
        slug="being-heard", published_at=timezone.now() - datetime.timedelta(days=1)
    )


def read(package: frictionless.Package) -> list[dict]:
    report = package.validate()
    assert report.valid, report.flatten(["type", "note", "fieldName", "rowNumber"])
    return [row.to_dict() for row in package.get_resource("stories").read_rows()]


def check_typed(rows: list[dict]) -> None:
    first, second = rows
    assert isinstance(first["id"], str)
    assert isinstance(first["published_at"], datetime.datetime)
    assert first["published_at"].utcoffset() is not None
    assert first["duration"] == decimal.Decimal("12.5")
    assert first["themes"] == "power;empathy"
    assert first["title"] == "'=SUM(A1)"  # formula-safe, as the package describes
    assert second["language"] is None  # an empty cell is a missing value


def test_the_zip_holds_a_valid_data_package(client_for, collection, tmp_path):
    publish_two(collection)
    response = client_for().get(f"{BASE}/export.zip")
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as zipped:
        zipped.extractall(tmp_path)
    package = frictionless.Package(str(tmp_path / "datapackage.json"))
    assert package.name == "tarina-being-heard"
    check_typed(read(package))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_package_is_read_over_http(live_server):
    collection = CollectionFactory(slug="being-heard", published_at=timezone.now())
    publish_two(collection)
    package = frictionless.Package(f"{live_server.url}{BASE}/datapackage.json")
    assert package.get_resource("stories").path == f"{live_server.url}{BASE}/export.csv"
    check_typed(read(package))


def test_the_collection_links_its_data_package(client_for, collection):
    exports = client_for().get(f"{BASE}/").json()["exports"]
    assert exports["datapackage"] == f"http://testserver{BASE}/datapackage.json"


def test_a_byte_order_mark_on_request(client_for, collection):
    publish_two(collection)
    plain = b"".join(client_for().get(f"{BASE}/export.csv").streaming_content)
    marked = b"".join(client_for().get(f"{BASE}/export.csv?bom=1").streaming_content)
    assert not plain.startswith(b"\xef\xbb\xbf")
    assert marked == b"\xef\xbb\xbf" + plain
    assert marked.decode("utf-8-sig").startswith("id,published_at,")


def test_a_strange_bom_value_is_a_400(client_for, collection):
    response = client_for().get(f"{BASE}/export.csv?bom=yes")
    assert response.status_code == 400
    assert "bom" in response.json()
