"""Meaning across languages on the public surfaces: search by meaning finds stories told in
other languages, each story page lists related stories, and only public text is embedded.
The packaged model runs for real (no network)."""

from __future__ import annotations

import numpy as np
import pytest
from django.core.management import call_command

from media_pipeline.meaning import encoder, from_bytes
from stories import tasks
from stories.domain import consent, embeddings, themes
from stories.models import StoryEmbedding, Theme
from tests.factories import published_story
from tests.worker import wait_for

FEED = "/api/v1/feed/"

WAITING_SV = (
    "Väntetiderna på vårdcentralen",
    "Jag fick vänta i fyra månader på en tid hos läkaren, och ingen ringde tillbaka.",
)
WAITING_FI = (
    "Jonossa terveyskeskukseen",
    "Odotin lääkärin vastaanottoaikaa neljä kuukautta, eikä kukaan soittanut takaisin.",
)
PARK_DE = (
    "Neue Bänke im Park",
    "Im Park stehen jetzt neue Bänke, und die Kinder spielen dort jeden Nachmittag.",
)
RENT_EN = ("Paying rent online", "The housing app logs me out every time I try to pay the rent.")


@pytest.fixture
def stories(db):
    """Four published stories in four languages, embedded as the publish task does."""
    made = {}
    for key, (title, text), language in (
        ("sv", WAITING_SV, "sv"),
        ("fi", WAITING_FI, "fi"),
        ("de", PARK_DE, "de"),
        ("en", RENT_EN, "en"),
    ):
        publication = published_story(
            story__title=title, story__text=text, story__language=language
        )
        tasks.embed_story(publication.pk)
        made[key] = publication
    return made


def test_an_english_query_finds_the_swedish_and_finnish_stories(client_for, stories):
    answer = client_for().get(FEED, {"meaning": "long waiting times to see a doctor"})
    assert answer.status_code == 200
    ids = [item["id"] for item in answer.json()["results"]]
    assert set(ids[:2]) == {stories["sv"].public_id, stories["fi"].public_id}
    assert stories["de"].public_id not in ids[:2]


def test_the_story_list_searches_by_meaning_when_asked(client, stories):
    page = client.get("/stories/", {"q": "waiting for a doctor", "mode": "meaning"})
    assert page.status_code == 200
    html = page.content.decode()
    assert WAITING_SV[0] in html
    assert WAITING_FI[0] in html
    # Matched as words, the English query finds none of them.
    words = client.get("/stories/", {"q": "waiting for a doctor"}).content.decode()
    assert WAITING_SV[0] not in words


def test_each_story_page_lists_related_stories_and_withdrawn_ones_vanish(client, stories):
    page = client.get(f"/stories/{stories['sv'].public_id}/").content.decode()
    assert "Related stories" in page
    assert f"/stories/{stories['fi'].public_id}/" in page
    assert f"/stories/{stories['de'].public_id}/" not in page

    assert consent.withdraw(stories["fi"].story, actor_label="receipt holder")
    assert not StoryEmbedding.objects.filter(publication_id=stories["fi"].pk).exists()
    page = client.get(f"/stories/{stories['sv'].public_id}/").content.decode()
    assert f"/stories/{stories['fi'].public_id}/" not in page
    assert embeddings.related(stories["sv"]) == []


def test_the_index_sees_a_new_story_at_once_and_forgets_a_withdrawn_one(stories, monkeypatch):
    """Each process keeps the vectors in memory: a story embedded after the index was built
    is related at once; a withdrawn story's vector leaves memory at the next count."""
    assert embeddings.related(stories["sv"])[0] == stories["fi"]  # the index is built
    title, text = WAITING_FI
    later = published_story(story__title=f"{title} 2", story__text=text, story__language="fi")
    tasks.embed_story(later.pk)
    assert later in embeddings.related(stories["sv"])

    # Not the newest vector: only the count tells the index it is gone.
    assert consent.withdraw(stories["fi"].story, actor_label="receipt holder")
    assert stories["fi"] not in embeddings.related(stories["sv"])  # checked against the rows
    monkeypatch.setattr(embeddings, "COUNT_EVERY_SECONDS", 0.0)
    assert embeddings.store().vector_of(stories["fi"].pk) is None


def test_embed_stories_finds_every_story_s_related_stories_anew(stories):
    """Story pages read the related stories kept on the vector row; rows from before the
    lists were kept are searched until ``embed_stories`` finds their lists."""
    StoryEmbedding.objects.update(related=None)
    assert embeddings.related(stories["sv"])[0] == stories["fi"]
    call_command("embed_stories")
    kept = StoryEmbedding.objects.get(publication=stories["sv"]).related or []
    assert kept[0][0] == stories["fi"].pk
    assert {pk for pk, _ in kept} == {p.pk for key, p in stories.items() if key != "sv"}
    assert embeddings.related(stories["sv"])[0] == stories["fi"]


def test_only_the_anonymised_public_text_is_embedded(db):
    publication = published_story(
        story__title="Kotihoito",
        story__text="Hoitaja Maija Virtanen soitti numerosta 040 123 4567.",
        title="Kotihoito",
        text="Hoitaja [nimi] soitti numerosta [puhelinnumero].",
    )
    row = embeddings.embed(publication)
    assert row is not None
    stored = from_bytes(bytes(row.vector))
    public = encoder().passage("Kotihoito\nHoitaja [nimi] soitti numerosta [puhelinnumero].")
    assert np.allclose(stored, public, atol=1e-5)
    # The same words again: no new vector.
    assert embeddings.embed(publication).updated_at == row.updated_at


def test_the_backfill_embeds_published_stories_that_lack_a_vector(db):
    published_story(story__title="Kirjastobussi", story__text="Bussi ei tullut.")
    call_command("embed_stories")
    assert StoryEmbedding.objects.count() == 1
    call_command("embed_stories")
    assert StoryEmbedding.objects.count() == 1


def test_the_backfill_prepares_the_themes_vectors_for_the_first_story(db, settings, tmp_path):
    # An edit leaves descriptions only (52 texts): embedding them takes seconds, not the
    # half minute of the shipped taxonomy's 676 texts.
    Theme.objects.update(examples={})
    themes.snapshot_taxonomy(note="examples cleared")
    settings.VAR_DIR = tmp_path
    call_command("embed_stories")
    kept = list((tmp_path / "meaning").glob("taxonomy-*.npy"))
    assert len(kept) == 1
    assert np.load(kept[0]).shape == (Theme.objects.count() * 4, 384)


def test_a_blank_or_overlong_meaning_query_is_a_clear_answer(client_for, db):
    assert client_for().get(FEED, {"meaning": ""}).status_code == 400
    assert client_for().get(FEED, {"meaning": "x" * 201}).status_code == 400


@pytest.mark.integration
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_embeds_a_story_queued_on_publish(worker):
    publication = published_story(story__title="Bussi", story__text="Bussi ei tullut koskaan.")
    embeddings.queue(publication)  # what publishing does once its transaction commits
    row = wait_for(
        lambda: StoryEmbedding.objects.filter(publication=publication).first(), timeout=60
    )
    assert row.text_hash == embeddings.text_hash("Bussi\nBussi ei tullut koskaan.")
