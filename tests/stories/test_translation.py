"""English machine translations of German and Finnish recordings, by Whisper's own
``translate`` task (the same base weights, offline), published with every hidden value
hidden and marked as machine-made on the page, the API, the captions and the feed.

One published story per language: espeak-ng speech with a planted name the curator hides.
"""

from __future__ import annotations

import io
import json

import pytest
import webvtt
from django.utils import timezone

from stories import tasks
from stories.domain import captions, redactions
from stories.models import CollectionStory, PublishedStory, Translation
from tests.factories import CollectionFactory
from tests.stories.test_audio_redaction import correct_and_approve, spoken_story

NAME = "Maija Virtanen"
SPOKEN = {
    "de": (
        ["Hallo, mein Name ist", NAME, "Die Bibliothek ist sonntags geschlossen."],
        f"Hallo, mein Name ist {NAME}. Die Bibliothek ist sonntags geschlossen.",
    ),
    "fi": (
        ["Hei, nimeni on", NAME, "Kirjasto on kiinni sunnuntaisin."],
        f"Hei, nimeni on {NAME}. Kirjasto on kiinni sunnuntaisin.",
    ),
}
HIDDEN_VALUES = ("Maija", "Virtanen")


def assert_nothing_hidden_in(text: str) -> None:
    for value in HIDDEN_VALUES:
        assert value.casefold() not in text.casefold(), text


# Whisper-heavy (transcribe, translate, align, listen again): once in CI; the database's
# part (the JSON of the public copy) is covered on both by test_public_transcript.
@pytest.mark.single_run
@pytest.mark.parametrize("language", sorted(SPOKEN))
def test_a_recording_has_an_english_machine_translation_without_its_hidden_values(
    language, drive, tmp_path, client_for, curator, client
):
    parts, corrected = SPOKEN[language]
    story, _spans = spoken_story(drive, tmp_path, language, parts)
    console = client_for(curator)
    correct_and_approve(console, story, corrected)
    at = corrected.index(NAME)
    covered = story.redactions.filter(redact=True, field="transcript", start__lte=at)
    if not covered.filter(end__gte=at + len(NAME)).exists():
        redactions.add(story, "transcript", at, at + len(NAME), "person", actor=curator)

    tasks.translate_story(story.pk)  # what the worker does after transcription
    machine = Translation.objects.get(transcript__story=story, language="en")
    print(f"{language} machine translation: {machine.text!r}")
    assert machine.text.strip()
    tasks.publish_story(story.pk)
    copy = PublishedStory.objects.get(story=story)
    collection = CollectionFactory(published_at=timezone.now())
    CollectionStory.objects.create(collection=collection, story=story)

    page = client.get(f"/stories/{copy.public_id}/").content.decode()
    assert '<section class="translation"' in page
    assert 'lang="en"' in page
    assert "Machine translation" in page
    assert f'src="/stories/{copy.public_id}/captions.en.vtt" srclang="en"' in page
    assert_nothing_hidden_in(page)

    answer = client.get(f"/api/v1/public/stories/{copy.public_id}/").json()
    assert answer["translation"]["machine_translation"] is True
    assert answer["translation"]["language"] == "en"
    assert answer["translation"]["source_language"] == language
    assert answer["translation"]["text"]
    assert [c["machine_translation"] for c in answer["captions"]] == [False, True]
    assert_nothing_hidden_in(json.dumps(answer))

    for url in (f"/stories/{copy.public_id}/captions.vtt", answer["captions"][1]["url"]):
        vtt = client.get(url)
        assert vtt.status_code == 200, url
        cues = list(webvtt.from_buffer(io.StringIO(vtt.content.decode())))
        assert cues, url
        assert_nothing_hidden_in(vtt.content.decode())
    english = client.get(f"/stories/{copy.public_id}/captions.vtt?lang=en").content.decode()
    assert f"NOTE Machine translation ({language} to en)" in english

    feed = client.get(f"/feeds/collections/{collection.slug}.json").json()
    [item] = feed["items"]
    vtt_files = [a for a in item["attachments"] if a["mime_type"] == "text/vtt"]
    assert [a["url"] for a in vtt_files] == [c["url"] for c in answer["captions"]]
    assert "machine translation" in vtt_files[1]["title"]
    assert_nothing_hidden_in(json.dumps(feed))

    if language == "de":
        # A curator corrects the translation, writing the name back in: it stays hidden.
        lines = [f"Hello, my name is {NAME}.", "The library is closed on Sundays."]
        saved = client_for(curator)
        saved.force_login(curator)
        answer = saved.post(f"/console/stories/{story.pk}/translation", {"text": "\n".join(lines)})
        assert answer.status_code == 302
        tasks.publish_story(story.pk)
        copy.refresh_from_db()
        assert copy.translation["corrected"] is True
        assert "library is closed on Sundays" in copy.translation["text"]
        assert captions.HIDDEN_MARKER in copy.translation["text"]
        assert_nothing_hidden_in(json.dumps(copy.translation))
        page = client.get(f"/stories/{copy.public_id}/").content.decode()
        assert "checked by a curator" in page
