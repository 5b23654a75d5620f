"""English machine translations of German and Finnish recordings, by Whisper's own
``translate`` task (the same base weights, offline), published with every hidden value
hidden and marked as machine-made on the page, the API, the captions and the feed.

One published story per language, with a planted value the curator hides.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import webvtt
from django.core.files import File
from django.utils import timezone

from stories import tasks
from stories.domain import captions, redactions, speech, translation
from stories.enums import AssetRole, StoryKind, StoryStatus
from stories.models import CollectionStory, MediaAsset, PublishedStory, Story, Translation
from tests.factories import CollectionFactory, StoryFactory
from tests.stories.test_audio_redaction import CONSENT, correct_and_approve, spoken_story

NAME = "Maija Virtanen"
# Finnish: espeak-ng speech with a planted name. German: a real FLEURS speaker (CC BY 4.0),
# whose place name the curator hides as if it were where the reporter lives.
FINNISH = ["Hei, nimeni on", NAME, "Kirjasto on kiinni sunnuntaisin."]
FLEURS_GERMAN = "fleurs-de-000"
PLANTED = {"de": "Kowloon", "fi": NAME}


def assert_nothing_hidden_in(text: str, planted: str) -> None:
    for value in planted.split():
        assert value.casefold() not in text.casefold(), text


def recorded_story(drive, path: Path, language: str) -> Story:
    """An audio story with ``path`` as its recording, transcribed by Whisper, in review."""
    story = StoryFactory(
        drive=drive,
        kind=StoryKind.AUDIO,
        title="",
        text="",
        language=language,
        status=StoryStatus.NEEDS_REVIEW,
        consent=CONSENT,
    )
    asset = MediaAsset.objects.create(
        story=story, role=AssetRole.NORMALISED, variant="audio16k", mime_type="audio/ogg"
    )
    with path.open("rb") as handle:
        asset.file.save(path.name, File(handle))
    speech.transcribe_story(story)
    redactions.detect(story)
    return story


def german_story(drive, fleurs_dir: Path) -> tuple[Story, str]:
    """FLEURS German, its text as a curator writes it after listening (capitals, a full stop)."""
    said = (fleurs_dir / f"{FLEURS_GERMAN}.txt").read_text().strip()
    corrected = said[0].upper() + said[1:] + "."
    for place in ("hongkong", "kowloon"):
        corrected = corrected.replace(place, place.capitalize())
    return recorded_story(drive, fleurs_dir / f"{FLEURS_GERMAN}.ogg", "de"), corrected


# Whisper-heavy (transcribe, translate, align, listen again): once in CI; the database's
# part (the JSON of the public copy) is covered on both by test_public_transcript.
@pytest.mark.single_run
@pytest.mark.parametrize("language", sorted(PLANTED))
def test_a_recording_has_an_english_machine_translation_without_its_hidden_values(
    language, drive, tmp_path, client_for, curator, client, request
):
    planted = PLANTED[language]
    if language == "de":
        story, corrected = german_story(drive, request.getfixturevalue("fleurs_dir"))
    else:
        story, _spans = spoken_story(drive, tmp_path, language, FINNISH)
        corrected = f"Hei, nimeni on {NAME}. Kirjasto on kiinni sunnuntaisin."
    console = client_for(curator)
    correct_and_approve(console, story, corrected)
    at = corrected.index(planted)
    covered = story.redactions.filter(redact=True, field="transcript", start__lte=at)
    if not covered.filter(end__gte=at + len(planted)).exists():
        kind = "person" if language == "fi" else "address"
        redactions.add(story, "transcript", at, at + len(planted), kind, actor=curator)

    tasks.translate_story(story.pk)  # what the worker does after transcription
    machine = Translation.objects.get(transcript__story=story, language="en")
    print(f"{language} machine translation: {machine.text!r}")
    assert machine.text.strip()
    # What publishing makes of the machine's text: the planted value hidden, however spelt.
    assert_nothing_hidden_in(json.dumps(translation.public(story, machine)), planted)
    if language == "de":
        # A curator corrects the translation before publishing (one build, fewer Whisper
        # runs), writing the place back in: it stays hidden.
        lines = ["For the best views, leave the island", f"and cross to the shore of {planted}."]
        saved = client_for(curator)
        saved.force_login(curator)
        answer = saved.post(f"/console/stories/{story.pk}/translation", {"text": "\n".join(lines)})
        assert answer.status_code == 302
    tasks.publish_story(story.pk)
    copy = PublishedStory.objects.get(story=story)
    collection = CollectionFactory(published_at=timezone.now())
    CollectionStory.objects.create(collection=collection, story=story)

    page = client.get(f"/stories/{copy.public_id}/").content.decode()
    assert '<section class="translation"' in page
    assert 'lang="en"' in page
    assert "Machine translation" in page
    assert f'src="/stories/{copy.public_id}/captions.en.vtt" srclang="en"' in page
    assert_nothing_hidden_in(page, planted)

    answer = client.get(f"/api/v1/public/stories/{copy.public_id}/").json()
    assert answer["translation"]["machine_translation"] is True
    assert answer["translation"]["language"] == "en"
    assert answer["translation"]["source_language"] == language
    assert answer["translation"]["text"]
    assert [c["machine_translation"] for c in answer["captions"]] == [False, True]
    assert_nothing_hidden_in(json.dumps(answer), planted)

    for url in (f"/stories/{copy.public_id}/captions.vtt", answer["captions"][1]["url"]):
        vtt = client.get(url)
        assert vtt.status_code == 200, url
        cues = list(webvtt.from_buffer(io.StringIO(vtt.content.decode())))
        assert cues, url
        assert_nothing_hidden_in(vtt.content.decode(), planted)
    english = client.get(f"/stories/{copy.public_id}/captions.vtt?lang=en").content.decode()
    assert f"NOTE Machine translation ({language} to en)" in english

    feed = client.get(f"/feeds/collections/{collection.slug}.json").json()
    [item] = feed["items"]
    vtt_files = [a for a in item["attachments"] if a["mime_type"] == "text/vtt"]
    assert [a["url"] for a in vtt_files] == [c["url"] for c in answer["captions"]]
    assert "machine translation" in vtt_files[1]["title"]
    assert_nothing_hidden_in(json.dumps(feed), planted)

    if language == "de":
        assert copy.translation["corrected"] is True
        assert "For the best views, leave the island" in copy.translation["text"]
        assert captions.HIDDEN_MARKER in copy.translation["text"]
        assert "checked by a curator" in page
