"""Research exports of a published collection: only stories allowed for research."""

from __future__ import annotations

import csv
import datetime
import io
import json
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from stories.api.exports import COLUMNS
from stories.domain import consent
from stories.enums import StoryStatus
from stories.models import Theme
from tests.factories import CollectionFactory, published_story

BASE = "/api/v1/public/collections/being-heard"


def content(response) -> bytes:
    assert response.status_code == 200, getattr(response, "content", b"")
    return b"".join(response.streaming_content)


def csv_rows(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content(response).decode("utf-8"))))


@pytest.fixture
def collection(db):
    return CollectionFactory(
        slug="being-heard", published_at=timezone.now() - datetime.timedelta(days=1)
    )


@pytest.fixture
def stories(collection):
    """In order: allowed for research, not allowed, withdrawn, no longer published."""
    allowed = published_story(
        title="Allowed",
        place="Oulu",
        language="fi",
        duration=12.0,
        themes=[Theme.objects.get(slug="power"), Theme.objects.get(slug="empathy")],
        collections=(collection,),
    )
    not_allowed = published_story(
        title="Not for research", research_allowed=False, collections=(collection,)
    )
    withdrawn = published_story(title="Withdrawn", collections=(collection,))
    unpublished = published_story(title="Unpublished", collections=(collection,))
    published_story(title="Elsewhere")
    consent.withdraw(withdrawn.story, actor_label="receipt holder")
    unpublished.story.status = StoryStatus.APPROVED
    unpublished.story.save()
    return allowed, not_allowed


def test_csv_has_only_stories_allowed_for_research(client_for, stories):
    allowed, _ = stories
    response = client_for().get(f"{BASE}/export.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="tarina-being-heard.csv"'
    rows = csv_rows(response)
    assert [row["title"] for row in rows] == ["Allowed"]
    row = rows[0]
    assert list(row) == COLUMNS
    assert row["id"] == allowed.public_id
    assert row["drive"] == allowed.drive.slug
    assert row["language"] == "fi"
    assert row["place"] == "Oulu"
    assert set(row["themes"].split(";")) == {"power", "empathy"}
    assert row["duration"] == "12.0"
    assert row["audio_url"] == row["image_url"] == ""


@pytest.mark.parametrize(
    "hostile",
    ['=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1"],
)
def test_csv_cells_never_run_as_formulas(client_for, collection, hostile):
    published_story(title=hostile, text=hostile, place=hostile, collections=(collection,))
    row = csv_rows(client_for().get(f"{BASE}/export.csv"))[0]
    assert row["title"] == row["text"] == row["place"] == "'" + hostile


def test_csv_keeps_ordinary_text_as_written(client_for, collection):
    published_story(
        title='Quotes "and", commas', text="Rivi\nToinen rivi ä", collections=(collection,)
    )
    row = csv_rows(client_for().get(f"{BASE}/export.csv"))[0]
    assert row["title"] == 'Quotes "and", commas'
    assert row["text"] == "Rivi\nToinen rivi ä"


def test_json_export(client_for, stories):
    allowed, _ = stories
    response = client_for().get(f"{BASE}/export.json")
    assert response["Content-Disposition"] == 'attachment; filename="tarina-being-heard.json"'
    body = json.loads(content(response))
    assert body["slug"] == "being-heard"
    assert body["columns"] == COLUMNS
    assert [story["id"] for story in body["stories"]] == [allowed.public_id]
    assert set(body["stories"][0]["themes"]) == {"power", "empathy"}
    assert list(body["stories"][0]) == COLUMNS


def test_an_empty_export_is_still_well_formed(client_for, collection):
    assert json.loads(content(client_for().get(f"{BASE}/export.json")))["stories"] == []
    assert csv_rows(client_for().get(f"{BASE}/export.csv")) == []


def test_zip_holds_csv_its_data_package_json_and_the_public_media(client_for, collection):
    allowed = published_story(kind="audio", title="Voice", collections=(collection,))
    refused = published_story(
        kind="audio", title="No research", research_allowed=False, collections=(collection,)
    )
    allowed.audio.save("a.mp3", ContentFile(b"ID3 allowed audio"))
    allowed.image.save("a.jpg", ContentFile(b"\xff\xd8 allowed image"))
    refused.audio.save("r.mp3", ContentFile(b"ID3 refused audio"))
    try:
        response = client_for().get(f"{BASE}/export.zip")
        assert response["Content-Type"] == "application/zip"
        assert 'filename="tarina-being-heard.zip"' in response["Content-Disposition"]
        archive = zipfile.ZipFile(io.BytesIO(content(response)))
        audio_name = allowed.audio.name.rsplit("/", 1)[-1]
        image_name = allowed.image.name.rsplit("/", 1)[-1]
        assert sorted(archive.namelist()) == sorted(
            [
                "datapackage.json",
                "stories.csv",
                "stories.json",
                f"media/{audio_name}",
                f"media/{image_name}",
            ]
        )
        assert archive.read(f"media/{audio_name}") == b"ID3 allowed audio"
        rows = list(csv.DictReader(io.StringIO(archive.read("stories.csv").decode())))
        assert [row["title"] for row in rows] == ["Voice"]
        assert rows[0]["audio_url"].endswith(audio_name)
        assert json.loads(archive.read("stories.json"))["stories"][0]["title"] == "Voice"
    finally:
        for field in (allowed.audio, allowed.image, refused.audio):
            field.delete(save=False)


@pytest.mark.parametrize("fmt", ["csv", "json", "zip"])
def test_an_unpublished_collection_has_no_export(client_for, db, fmt):
    draft = CollectionFactory(slug="draft-collection", published_at=None)
    published_story(collections=(draft,))
    url = f"/api/v1/public/collections/draft-collection/export.{fmt}"
    assert client_for().get(url).status_code == 404


@pytest.mark.parametrize("fmt", ["csv", "json", "zip"])
def test_exports_are_read_only(client_for, collection, fmt):
    assert client_for().post(f"{BASE}/export.{fmt}").status_code == 405
