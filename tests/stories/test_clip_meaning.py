"""Clips by meaning: each public clip has a vector of its own public words, the public clip
list searches them in any language, and a clip that leaves the public leaves the search.
The packaged model runs for real (no network)."""

from __future__ import annotations

import pytest

from stories import tasks
from stories.domain import clips, consent
from stories.models import ClipEmbedding
from tests.factories import published_story
from tests.stories.clip_helpers import bus_and_library_clips

CLIPS = "/api/v1/public/clips/"


@pytest.fixture
def told(db, tmp_path, curator):
    """A Swedish clip about waiting for a bus, an English one about a library."""
    return bus_and_library_clips(tmp_path, curator)


def test_a_clip_is_embedded_from_its_own_public_words_when_made(told):
    for clip in told.values():
        assert clip.quote
        assert ClipEmbedding.objects.filter(clip=clip).exists()


def test_an_english_query_finds_the_swedish_clip(client_for, told):
    answer = client_for().get(CLIPS, {"meaning": "waiting a long time for the bus"})
    assert answer.status_code == 200
    found = [item["id"] for item in answer.json()["results"]]
    assert found[0] == told["sv"].public_id
    assert answer.json()["results"][0]["quote"] == told["sv"].quote


def test_the_list_without_a_query_is_every_public_clip_newest_first(client_for, told):
    answer = client_for().get(CLIPS)
    assert answer.status_code == 200
    assert [c["id"] for c in answer.json()["results"]] == [
        told["en"].public_id,
        told["sv"].public_id,
    ]


def test_a_withdrawn_story_s_clips_leave_the_search(client_for, told):
    query = {"meaning": "waiting a long time for the bus"}
    assert consent.withdraw(told["sv"].story, actor_label="receipt holder")
    assert not ClipEmbedding.objects.filter(clip=told["sv"]).exists()
    found = [c["id"] for c in client_for().get(CLIPS, query).json()["results"]]
    assert told["sv"].public_id not in found
    assert told["sv"].public_id not in [c["id"] for c in client_for().get(CLIPS).json()["results"]]


def test_a_removed_clip_loses_its_vector(told, curator):
    assert clips.remove(told["en"], actor=curator)
    assert not ClipEmbedding.objects.filter(clip=told["en"]).exists()
    assert told["en"] not in clips.search("a reading room for children in the library")


@pytest.mark.parametrize(
    "query",
    [{"meaning": ""}, {"meaning": "x" * 201}, {"page_size": "0"}, {"cursor": "not-a-cursor"}],
)
def test_bad_input_is_a_400_that_says_why(client_for, db, query):
    answer = client_for().get(CLIPS, query)
    assert answer.status_code == 400
    assert set(answer.json()) & {"meaning", "page_size", "cursor", "detail"}


def test_a_story_page_lists_other_stories_clips_close_in_meaning(client, told):
    bus = published_story(
        story__title="Waiting for the bus",
        story__text="We waited an hour for the bus in the cold; nobody said the stop had moved.",
        story__language="en",
    )
    tasks.embed_story(bus.pk)
    page = client.get(f"/stories/{bus.public_id}/").content.decode()
    assert "Related clips" in page
    assert f"/clips/{told['sv'].public_id}/" in page
    assert f"/clips/{told['en'].public_id}/" not in page
    # A story's own clips are not "related" to it.
    tasks.embed_story(told["sv"].story.publication.pk)
    own = client.get(f"/stories/{told['sv'].story.publication.public_id}/").content.decode()
    related = own.split('id="related-clips-heading"')[-1] if "related-clips" in own else ""
    assert f"/clips/{told['sv'].public_id}/" not in related
