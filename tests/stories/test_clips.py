"""Clips: cut from the published audio only, quoted anonymised, refused with a reason,
and gone (410) everywhere once their story leaves the public."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from django.core.files.storage import storages

from media_pipeline.speech.audio import decode_audio
from stories.domain import clips, consent, media_reconciler, publication, redactions
from stories.enums import StoryStatus
from stories.models import Clip, Redaction
from tests.factories import PublishedStoryFactory, StoryFactory, transcript_for
from tests.stories.clip_helpers import MUTED, SAID, published_spoken_story


@pytest.fixture
def spoken(db, tmp_path):
    return published_spoken_story(tmp_path)


def public_path(name: str) -> Path:
    return Path(storages["public"].path(name))


def test_a_clip_is_the_published_audio_s_span_sample_for_sample(spoken, curator):
    clip = clips.make(spoken, start=4.0, end=6.5, title="The stop moved", actor=curator)
    published = decode_audio(public_path(spoken.publication.audio.name))
    cut = decode_audio(public_path(clip.audio.name))
    span = published[round(4.0 * 16_000) : round(6.5 * 16_000)]
    assert len(cut) == len(span)
    # 16-bit PCM of the same samples: equal to within one step.
    assert np.max(np.abs(cut - span)) <= 1.5 / 32767
    # Words 8 to 12 are said in that span; the hand-muted stretch (5.0 to 5.8 s) is in
    # it, and the clip holds the published tone there.
    assert clip.quote == "nobody told us that the"
    tone = cut[round((MUTED[0] + 0.2 - 4.0) * 16_000) : round((MUTED[1] - 0.2 - 4.0) * 16_000)]
    spectrum = np.abs(np.fft.rfft(tone))
    assert np.argmax(spectrum) * 16_000 / len(tone) == pytest.approx(1000, abs=15)


def test_the_quote_shows_a_hidden_name_as_its_placeholder_only(db):
    said = "I asked Maija Virtanen at the desk and she listened to me"
    story = StoryFactory(kind="audio", text="", language="en")
    transcript_for(story, said, seconds_per_word=0.5)
    redactions.detect(story)
    assert story.redactions.filter(text__contains="Maija").exists()
    # Words 3 to 5 ("Virtanen at the"): the passage cuts the name, which is quoted whole.
    quoted = clips.passage(story, 1.6, 2.9)
    assert "Maija" not in quoted.quote
    assert "Virtanen" not in quoted.quote
    assert quoted.quote == "[Person 1] at the"


def test_no_clip_from_a_story_that_is_not_published_or_has_no_public_voice(db, curator):
    text_only = PublishedStoryFactory()
    with pytest.raises(clips.ClipRefused, match="consent"):
        clips.make(text_only.story, start=0, end=2, actor=curator)
    draft = StoryFactory(kind="audio", status=StoryStatus.APPROVED)
    with pytest.raises(clips.ClipRefused, match="published"):
        clips.make(draft, start=0, end=2, actor=curator)


@pytest.mark.parametrize(
    ("start", "end", "why"),
    [(3.0, 2.0, "start before"), (0.0, 60.0, "within"), (1.0, 1.2, "seconds")],
)
def test_times_that_do_not_fit_are_refused_with_a_reason(spoken, curator, start, end, why):
    with pytest.raises(clips.ClipRefused, match=why):
        clips.make(spoken, start=start, end=end, actor=curator)
    assert not Clip.objects.exists()


def test_curators_make_list_and_delete_clips_through_the_api(spoken, client_for, curator):
    api = client_for(curator)
    made = api.post(
        f"/api/v1/stories/{spoken.pk}/clips/", {"start": 1, "end": 3, "title": "Waiting"}
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["quote"] == "an hour for the"
    assert body["story"] == spoken.public_id
    listed = api.get(f"/api/v1/stories/{spoken.pk}/clips/").json()
    assert [c["id"] for c in listed] == [body["id"]]
    assert api.get(f"/api/v1/public/clips/{body['id']}/").status_code == 200
    refused = api.post(f"/api/v1/stories/{spoken.pk}/clips/", {"start": "soon", "end": 3})
    assert refused.status_code == 400
    assert api.delete(f"/api/v1/clips/{body['id']}/").status_code == 204
    assert api.get(f"/api/v1/public/clips/{body['id']}/").status_code == 410
    assert api.get("/api/v1/public/clips/abcdefghjkmnpqrs/").status_code == 404


def test_reporters_and_strangers_cannot_make_clips(spoken, client_for, reporter):
    for user in (None, reporter):
        answer = client_for(user).post(
            f"/api/v1/stories/{spoken.pk}/clips/", {"start": 1, "end": 3}
        )
        assert answer.status_code in (401, 403)
    assert not Clip.objects.exists()


def test_unpublishing_takes_clips_down_for_good(
    spoken, client, curator, django_capture_on_commit_callbacks
):
    clip = clips.make(spoken, start=1, end=3, actor=curator)
    path = public_path(clip.audio.name)
    with django_capture_on_commit_callbacks(execute=True):
        publication.unpublish(spoken)
    assert client.get(f"/clips/{clip.public_id}/").status_code == 410
    assert client.get(f"/clips/{clip.public_id}/audio.wav").status_code == 410
    clip.refresh_from_db()
    assert clip.quote == ""
    assert clip.audio.name == ""
    assert not storages["public"].exists(path)
    publication.publish(spoken)  # published again: the old clip stays gone
    assert client.get(f"/clips/{clip.public_id}/").status_code == 410


def test_withdrawal_erases_clips_and_the_reconciler_keeps_live_ones(
    spoken, curator, django_capture_on_commit_callbacks
):
    kept = clips.make(spoken, start=1, end=3, actor=curator)
    report = media_reconciler.check(repair=False)
    assert kept.audio.name not in {f.name for f in report.orphans}
    with django_capture_on_commit_callbacks(execute=True):
        consent.withdraw(spoken)
    kept.refresh_from_db()
    assert kept.removed_at is not None
    assert kept.title == ""
    assert kept.quote == ""
    assert not Redaction.objects.filter(story=spoken).exists()
    assert SAID not in str(list(Clip.objects.values()))


def test_the_console_form_makes_a_clip_without_javascript(spoken, client, curator):
    client.force_login(curator)
    page = client.get(f"/console/stories/{spoken.pk}/")
    assert b'action="/console/stories/' in page.content
    made = client.post(
        f"/console/stories/{spoken.pk}/clips/", {"start": "0:01", "end": "3", "title": "Wait"}
    )
    assert made.status_code == 302
    clip = Clip.objects.get()
    assert (clip.start, clip.end, clip.title) == (1.0, 3.0, "Wait")
    assert clip.quote.encode() in client.get(made["Location"]).content
    for bad in ({"start": "soon", "end": "3"}, {"start": "3", "end": "1"}, {"start": "1"}):
        refused = client.post(f"/console/stories/{spoken.pk}/clips/", bad)
        assert refused.status_code == 400
        assert b'role="alert"' in refused.content
    assert Clip.objects.count() == 1
    gone = client.post(f"/console/clips/{clip.public_id}/delete/")
    assert gone.status_code == 302
    assert client.get(f"/clips/{clip.public_id}/embed/").status_code == 410


def test_a_clip_whose_file_was_lost_is_taken_down_by_the_reconciler(spoken, client, curator):
    clip = clips.make(spoken, start=1, end=3, actor=curator)
    storages["public"].delete(clip.audio.name)
    report = media_reconciler.check(repair=True)
    assert [f.name for f in report.missing] == [clip.audio.name]
    assert client.get(f"/clips/{clip.public_id}/").status_code == 410
    spoken.refresh_from_db()
    assert spoken.status == StoryStatus.PUBLISHED


def test_the_public_story_page_plays_its_clips(spoken, client, curator):
    clip = clips.make(spoken, start=4.0, end=6.5, title="The stop moved", actor=curator)
    page = client.get(f"/stories/{spoken.publication.public_id}/").content.decode()
    assert f"/clips/{clip.public_id}/" in page
    assert "The stop moved" in page
