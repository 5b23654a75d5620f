"""The published transcript, timed word by word on the published audio, and its captions.

The timings come from the text the curator sees (re-aligned by Whisper where they
corrected it), never from the private machine transcript; a hidden span is one neutral
marker where the audio holds the tone. Real Whisper base; speech from espeak-ng or
generated voice-like sound.
"""

from __future__ import annotations

import io
import json

import pytest
import webvtt
from django.utils import timezone

from media_pipeline.speech.alignment import tokens
from stories import tasks
from stories.domain import captions, consent, publication, redactions
from stories.models import CollectionStory, PublishedStory
from tests.factories import CollectionFactory, picture_looked_at, published_story
from tests.media_pipeline.anonymise.helpers import decode_mono, dominant_hz, segment
from tests.stories.test_audio_redaction import correct_and_approve, spoken_story
from tests.stories.test_publication_media import public_path, video_story

CORRECTED = "My name is Maija Virtanen and the city library is closed on Sundays."


def parse_vtt(text: str) -> list[webvtt.Caption]:
    """The captions as an independent WebVTT reader sees them (raises on a malformed file)."""
    return list(webvtt.from_buffer(io.StringIO(text)))


def public_words(answer: dict) -> list[dict]:
    return [w for s in answer["segments"] for w in s["words"]]


@pytest.mark.single_run  # Whisper-heavy; the database's part is the speakers test's
def test_the_public_timings_follow_the_curator_corrected_words(
    drive, tmp_path, client_for, curator, client
):
    parts = ["My name is", "Maija Virtanen", "and the library is closed on Sundays."]
    story, spans = spoken_story(drive, tmp_path, "en", parts)
    machine = story.transcripts.get()
    curator_client = client_for(curator)
    # The curator adds a word that was never said and keeps the name hidden.
    correct_and_approve(curator_client, story, CORRECTED)
    name = CORRECTED.index("Maija Virtanen")
    hidden = story.redactions.filter(redact=True, field="transcript")
    if not hidden.filter(start__lte=name, end__gte=name + len("Maija Virtanen")).exists():
        redactions.add(story, "transcript", name, name + 14, "person", actor=curator)

    tasks.publish_story(story.pk)

    copy = PublishedStory.objects.get(story=story)
    answer = client.get(f"/api/v1/public/stories/{copy.public_id}/").json()
    words = public_words(answer)
    # Exactly the corrected text, the name as one marker: nothing of the machine's version.
    expected = [
        captions.HIDDEN_MARKER
        if t.start == CORRECTED.index("Maija")
        else CORRECTED[t.start : t.end]
        for t in tokens(CORRECTED)
        if t.start != CORRECTED.index("Virtanen")
    ]
    assert [w["word"] for w in words] == expected
    assert "Maija" not in json.dumps(answer)
    assert "Virtanen" not in json.dumps(answer)
    # Each corrected word has the time forced alignment gave it in the recording.
    revision = machine.revisions.get()
    aligned = {w["char_start"]: (w["start"], w["end"]) for w in revision.aligned_words}
    city = CORRECTED.index("city")
    [said] = [w for w in words if w["word"] == "city"]
    assert (said["start"], said["end"]) == pytest.approx(aligned[city], abs=0.002)
    for word, token in zip(words[4:], tokens(CORRECTED)[5:], strict=True):
        if token.start in aligned:
            assert (word["start"], word["end"]) == pytest.approx(aligned[token.start], abs=0.002)
    assert [w["start"] for w in words] == sorted(w["start"] for w in words)
    # The marker lies where the name was said, and the published audio holds the tone there.
    [marker] = [w for w in words if w.get("hidden")]
    assert spans[1][0] - 0.5 <= marker["start"] < marker["end"] <= spans[1][1] + 0.5
    heard = decode_mono(public_path(copy.audio))
    middle = (marker["start"] + marker["end"]) / 2
    assert dominant_hz(segment(heard, middle - 0.1, middle + 0.1)) == pytest.approx(1000, abs=15)
    # Its captions say the same, and parse.
    vtt = client.get(f"/stories/{copy.public_id}/captions.vtt")
    assert vtt.status_code == 200
    assert vtt["Content-Type"].startswith("text/vtt")
    cues = parse_vtt(vtt.content.decode())
    said_text = " ".join(c.text for c in cues)
    assert "city library" in said_text
    assert captions.HIDDEN_MARKER in said_text
    assert "Virtanen" not in vtt.content.decode()
    assert answer["captions"] == [
        {
            "language": "en",
            "url": f"http://testserver/stories/{copy.public_id}/captions.vtt",
            "machine_translation": False,
        }
    ]


@pytest.mark.single_run  # Whisper listens again; the database's part is the speakers test's
def test_a_published_video_has_captions_that_parse(drive, tmp_path, client):
    story = video_story(drive, tmp_path / "v", publish_image=True, publish_face=True)
    picture_looked_at(story)
    copy = publication.publish(story)
    assert copy.video
    page = client.get(f"/stories/{copy.public_id}/").content.decode()
    assert f'<track kind="captions" src="/stories/{copy.public_id}/captions.vtt"' in page
    vtt = client.get(f"/stories/{copy.public_id}/captions.vtt").content.decode()
    cues = parse_vtt(vtt)
    text = " ".join(c.text for c in cues)
    assert "asked" in text
    assert captions.HIDDEN_MARKER in text
    assert "Maija" not in vtt
    assert "Virtanen" not in vtt
    # Its own language by name is the same file; a translation it lacks is a plain 404.
    assert client.get(f"/stories/{copy.public_id}/captions.en.vtt").content.decode() == vtt
    assert client.get(f"/stories/{copy.public_id}/captions.de.vtt").status_code == 404
    assert client.get(f"/stories/{copy.public_id}/captions.vtt?lang=fi").status_code == 404


@pytest.mark.single_run
def test_webvtt_names_speakers_and_notes_a_machine_translation():
    text = captions.webvtt(
        [{"start": 0, "end": 1.5, "text": "Hello <there> & you", "speaker": "Speaker 1"}],
        note="NOTE Machine translation (de to en)",
    )
    [cue] = parse_vtt(text)
    assert cue.raw_text == "<v Speaker 1>Hello &lt;there> &amp; you"
    assert (cue.start, cue.end) == ("00:00:00.000", "00:00:01.500")
    assert "NOTE Machine translation" in text


def test_speakers_are_named_and_captions_go_with_a_withdrawn_story(
    db, client, django_capture_on_commit_callbacks
):
    segments = [
        {
            "start": 0.0,
            "end": 1.4,
            "text": f"I asked {captions.HIDDEN_MARKER}",
            "speaker": "Speaker 1",
            "words": [
                {"start": 0.0, "end": 0.4, "word": "I"},
                {"start": 0.5, "end": 0.9, "word": "asked"},
                {"start": 1.0, "end": 1.4, "word": captions.HIDDEN_MARKER, "hidden": True},
            ],
        },
        {
            "start": 2.0,
            "end": 2.4,
            "text": "Thanks",
            "speaker": "Speaker 2",
            "words": [{"start": 2.0, "end": 2.4, "word": "Thanks"}],
        },
    ]
    copy = published_story(kind="audio", segments=segments)
    page = client.get(f"/stories/{copy.public_id}/").content.decode()
    assert '<span class="speaker">Speaker 1:</span>' in page
    assert '<span class="speaker">Speaker 2:</span>' in page
    assert 'aria-label="hidden"' in page
    vtt = client.get(f"/stories/{copy.public_id}/captions.vtt").content.decode()
    assert [c.voice for c in parse_vtt(vtt)] == ["Speaker 1", "Speaker 2"]
    answer = client.get(f"/api/v1/public/stories/{copy.public_id}/").json()
    assert answer["segments"][0]["speaker"] == "Speaker 1"
    assert answer["segments"][0]["words"][2] == {
        "start": 1.0,
        "end": 1.4,
        "word": captions.HIDDEN_MARKER,
        "hidden": True,
    }
    assert answer["translation"] is None
    collection = CollectionFactory(published_at=timezone.now())
    CollectionStory.objects.create(collection=collection, story=copy.story)
    atom = client.get(f"/feeds/collections/{collection.slug}.atom").content.decode()
    assert f'href="http://testserver/stories/{copy.public_id}/captions.vtt"' in atom
    assert 'rel="related" title="captions" type="text/vtt"' in atom

    with django_capture_on_commit_callbacks(execute=True):
        consent.withdraw(copy.story, actor_label="receipt holder")
    assert client.get(f"/stories/{copy.public_id}/captions.vtt").status_code == 404
