"""Themes: the taxonomy as editable data, machine suggestions with evidence, curator decisions."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from media_pipeline.themes import learning
from stories.domain import consent, embeddings, themes
from stories.enums import StoryStatus, ThemeAction, ThemeSource, ThemeTagState
from stories.models import Story, StoryTheme, TaxonomyVersion, Theme, ThemeModelSnapshot
from tests.factories import StoryFactory

LABELLED = Path(__file__).resolve().parents[1] / "data" / "themes" / "stories.jsonl"
LISTENED_TO = (
    "Terveysasemalla minua vihdoin kuunneltiin. Hoitaja istui alas, kysyi miltä minusta "
    "tuntuu ja ymmärsi, miksi olin huolissani äidistäni."
)


def labelled_stories() -> list[dict]:
    return [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines()]


def test_the_taxonomy_ships_with_the_thirteen_roadmap_themes(client_for, db):
    body = client_for().get("/api/v1/themes/").json()
    assert [t["slug"] for t in body] == [
        "power", "empathy", "equality", "transparency", "relationships", "accessibility",
        "context", "resources", "learning", "technology", "assets", "capacity",
        "experimentation",
    ]  # fmt: skip
    assert all(t["label"] and t["description"] for t in body)


@pytest.mark.parametrize(
    ("query", "header", "language"), [("?lang=fi", "", "fi"), ("", "de", "de")]
)
def test_themes_speak_the_readers_language(client_for, db, query, header, language):
    response = client_for().get(f"/api/v1/themes/{query}", HTTP_ACCEPT_LANGUAGE=header)
    empathy = next(t for t in response.json() if t["slug"] == "empathy")
    assert empathy["label"] == Theme.objects.get(slug="empathy").labels[language]


def test_theme_counts_only_published_stories_with_confirmed_themes(client_for, drive, curator):
    published = StoryFactory(drive=drive, status=StoryStatus.PUBLISHED)
    in_review = StoryFactory(drive=drive, status=StoryStatus.NEEDS_REVIEW)
    for story in (published, in_review):
        themes.decide(story, "power", ThemeAction.ADD, actor=curator)
    power = client_for().get("/api/v1/themes/power/").json()
    assert power["published_stories"] == 1


def test_machine_suggestions_carry_evidence_from_the_text(db):
    story = StoryFactory(title="", text=LISTENED_TO, language="fi")
    stored = themes.suggest(story)
    empathy = next(t for t in stored if t.theme.slug == "empathy")
    assert empathy.suggested
    assert empathy.source == ThemeSource.MACHINE
    assert empathy.taxonomy_version == themes.current_version().version
    for evidence in empathy.evidence:
        assert LISTENED_TO[evidence["start"] : evidence["end"]] == evidence["text"]


def test_suggesting_twice_keeps_one_tag_per_theme_and_the_curators_decision(db, curator):
    story = StoryFactory(title="", text=LISTENED_TO, language="fi")
    themes.suggest(story)
    themes.decide(story, "empathy", ThemeAction.REJECT, actor=curator)
    themes.suggest(story)
    tag = StoryTheme.objects.get(story=story, theme__slug="empathy", source=ThemeSource.MACHINE)
    assert tag.state == ThemeTagState.REJECTED
    assert StoryTheme.objects.filter(story=story, theme__slug="empathy").count() == 1


def test_reporters_choose_themes_when_they_submit(client_for, drive):
    response = client_for().post(
        "/api/v1/stories/",
        {"drive": drive.slug, "kind": "text", "text": "We ran a tiny pilot.",
         "consent": {"store": True}, "themes": ["experimentation", "power"]},
        format="json",
    )  # fmt: skip
    tags = StoryTheme.objects.filter(story_id=response.json()["id"])
    assert {(t.theme.slug, t.source) for t in tags} == {
        ("experimentation", "reporter"),
        ("power", "reporter"),
    }


def test_an_unknown_theme_is_a_field_error(client_for, drive):
    response = client_for().post(
        "/api/v1/stories/",
        {"drive": drive.slug, "kind": "text", "text": "x", "consent": {"store": True},
         "themes": ["happiness"]},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400
    assert "happiness" in json.dumps(response.json()["themes"])


def test_curators_confirm_reject_and_add_themes_through_the_api(client_for, curator):
    story = StoryFactory(title="", text=LISTENED_TO, language="fi")
    themes.suggest(story)
    client = client_for(curator)
    url = f"/api/v1/stories/{story.pk}/themes/"
    client.post(url, {"theme": "empathy", "action": "confirm"}, format="json")
    client.post(url, {"theme": "technology", "action": "reject"}, format="json")
    body = client.post(url, {"theme": "relationships", "action": "add"}, format="json").json()
    states = {(t["theme"], t["source"]): t["state"] for t in body}
    assert states[("empathy", "machine")] == "confirmed"
    assert states[("technology", "curator")] == "rejected"
    assert states[("relationships", "curator")] == "confirmed"
    bad = client.post(url, {"theme": "nope", "action": "add"}, format="json")
    assert bad.status_code == 400


def test_reporters_see_their_story_themes_but_cannot_decide(client_for, reporter, other_reporter):
    story = StoryFactory(reporter=reporter)
    url = f"/api/v1/stories/{story.pk}/themes/"
    assert client_for(reporter).get(url).status_code == 200
    assert client_for(reporter).post(url, {"theme": "power", "action": "add"}).status_code == 403
    assert client_for(other_reporter).get(url).status_code == 404


def test_editing_the_taxonomy_makes_a_new_version_and_changes_suggestions(db):
    story = StoryFactory(title="", text="The kiosk was staffed by a volunteer.", language="en")
    assert "learning" not in {t.theme.slug for t in themes.suggest(story) if t.suggested}
    learning = Theme.objects.get(slug="learning")
    learning.signals = {**learning.signals, "en": [*learning.signals["en"], "kiosk"]}
    learning.save()
    version = themes.snapshot_taxonomy(note="kiosks are learning points")
    assert version.version == 2
    assert TaxonomyVersion.objects.count() == 2
    tags = {t.theme.slug: t for t in themes.suggest(story)}
    assert tags["learning"].score > 0
    assert tags["learning"].taxonomy_version == 2


def decided_training_stories(curator) -> list[Story]:
    """Thirty labelled stories, each with its themes added and one other theme rejected by
    ``curator``."""
    decided = []
    for item in [s for s in labelled_stories() if s["split"] == "train"][:30]:
        story = StoryFactory(title="", text=item["text"], language=item["language"])
        for slug in item["themes"]:
            themes.decide(story, slug, ThemeAction.ADD, actor=curator)
        themes.decide(story, "technology" if "technology" not in item["themes"] else "power",
                      ThemeAction.REJECT, actor=curator)  # fmt: skip
        decided.append(story)
    return decided


def test_retraining_on_curator_decisions_builds_a_model_the_tagger_uses(db, curator):
    decided_training_stories(curator)
    snapshot = themes.retrain(min_decisions=20)
    assert snapshot is not None
    assert snapshot.decisions >= 20
    story = StoryFactory(title="", text=LISTENED_TO, language="fi")
    assert all(t.model_decisions == snapshot.decisions for t in themes.suggest(story))


def test_the_retrained_model_reads_the_meaning_and_forgets_a_withdrawn_story(db, curator):
    """The model learns from each decided story's meaning vector too, kept only in the
    worker's memory; a withdrawn story's words and vector are gone after the retrain its
    withdrawal asks for."""
    decided = decided_training_stories(curator)
    first = themes.retrain(min_decisions=20)
    assert first is not None
    assert learning.ThemeModel.from_bytes(bytes(first.data)).reads_meaning
    withdrawn = decided[0]
    digest = embeddings.text_hash(themes.story_text(withdrawn)[0])
    assert digest in themes._decided_vectors

    assert consent.withdraw(withdrawn, actor_label="receipt holder")
    second = themes.retrain(min_decisions=20)
    assert second is not None
    assert second.decisions < first.decisions
    # The model that learned from the withdrawn story is gone, not just superseded.
    assert list(ThemeModelSnapshot.objects.all()) == [second]
    assert digest not in themes._decided_vectors
    assert len(themes._decided_vectors) == len(decided) - 1


def test_retraining_waits_for_enough_decisions(db):
    assert themes.retrain(min_decisions=20) is None


def test_suggest_themes_command_prints_json(db, tmp_path):
    path = tmp_path / "story.txt"
    path.write_text(LISTENED_TO, encoding="utf-8")
    out = io.StringIO()
    call_command("suggest_themes", str(path), "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert result["language"] == "fi"
    empathy = next(t for t in result["themes"] if t["theme"] == "empathy")
    assert empathy["suggested"] is True
    assert {"theme", "score", "suggested", "evidence"} <= set(empathy)
