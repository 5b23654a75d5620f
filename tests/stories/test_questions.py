"""A drive's own questions: answered through the API and the form, checked, kept private,
counted with small cells suppressed, and erased on withdrawal."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from stories.domain import consent, questions, themes
from stories.enums import StoryStatus, ThemeAction
from stories.models import Drive, Story
from tests.factories import StoryFactory

CONSENT = {"store": True, "publish_text": True}


@pytest.fixture
def demo(db) -> Drive:
    """The demo drive ``make run`` loads: a triad, a slider, a choice and three areas."""
    call_command("load_demo", "--no-accounts", stdout=io.StringIO())
    return Drive.objects.get(slug="demo")


def tell(client_for, drive: Drive, answers: object):
    body = {"drive": drive.slug, "kind": "text", "text": "The bus never came.", "consent": CONSENT}
    return client_for().post("/api/v1/stories/", {**body, "answers": answers}, format="json")


def test_answers_are_kept_normalised(client_for, demo):
    answers = {"about": {"power": 2, "care": 6}, "heard": 67, "role": "family", "area": "east"}
    response = tell(client_for, demo, answers)
    assert response.status_code == 201, response.json()
    story = Story.objects.get(pk=response.json()["id"])
    assert story.answers == {
        "about": {"power": 0.25, "care": 0.75, "information": 0.0},
        "heard": 67,
        "role": "family",
        "area": "east",
    }


def test_every_question_is_optional(client_for, demo):
    response = tell(client_for, demo, {"about": {"power": 0, "care": 0}, "role": ""})
    assert response.status_code == 201
    assert Story.objects.get(pk=response.json()["id"]).answers == {}


@pytest.mark.parametrize(
    ("answers", "says"),
    [
        ({"mood": 3}, "asks no question"),
        ({"heard": 101}, "0 to 100"),
        ({"heard": True}, "0 to 100"),
        ({"role": "mayor"}, "one of: user, family, staff"),
        ({"area": "59.9,10.7"}, "one of: west, centre, east"),
        ({"about": {"power": 11}}, "from 0 to 10"),
        ({"about": {"money": 3}}, "from 0 to 10"),
        ("all of them", "must be an object"),
    ],
)
def test_a_wrong_answer_is_a_clear_400_and_nothing_is_stored(client_for, demo, answers, says):
    response = tell(client_for, demo, answers)
    assert response.status_code == 400
    assert says in str(response.json())
    assert not Story.objects.exists()


def test_the_drive_api_shows_its_questions_and_areas(client_for, demo):
    body = client_for().get(f"/api/v1/drives/{demo.slug}/").json()
    assert [q["key"] for q in body["questions"]] == ["about", "heard", "role"]
    assert [f["properties"]["key"] for f in body["areas"]["features"]] == ["west", "centre", "east"]


@pytest.mark.parametrize(
    "definition",
    [
        [{"key": "x", "type": "poll", "prompt": {"en": "?"}}],
        [{"key": "area", "type": "choice", "prompt": {"en": "?"}, "options": []}],
        [{"key": "t", "type": "triad", "prompt": {"en": "?"}, "corners": [{}, {}]}],
    ],
)
def test_malformed_questions_are_refused(definition):
    with pytest.raises(questions.InvalidQuestions):
        questions.check_definitions(definition, {})


def test_withdrawal_erases_the_answers(demo):
    story = StoryFactory(drive=demo, answers={"role": "staff", "area": "west"})
    consent.withdraw(story, actor_label="receipt holder")
    story.refresh_from_db()
    assert story.answers == {}


def test_distributions_suppress_small_cells_and_compare_a_theme(demo, curator, shipped_themes):
    for _ in range(6):
        StoryFactory(drive=demo, answers={"role": "user", "heard": 10, "area": "centre"})
    told = [StoryFactory(drive=demo, answers={"role": "staff", "heard": 90}) for _ in range(2)]
    StoryFactory(drive=demo, status=StoryStatus.WITHDRAWN, answers={"role": "family"})
    themes.decide(told[0], "empathy", ThemeAction.ADD, actor=curator)
    themes.decide(told[1], "empathy", ThemeAction.REJECT, actor=curator)

    role = {d.question.key: d for d in questions.distributions(demo, "en")}["role"]
    counts = {c.key: c.count for c in role.cells}
    assert counts == {"user": "5", "family": "0", "staff": "< 5"}  # 6 is rounded; withdrawn not
    heard = {d.question.key: d for d in questions.distributions(demo, "en")}["heard"]
    assert {c.key: c.count for c in heard.cells}["0"] == "5"

    # A rejected theme never counts its story.
    role = {d.question.key: d for d in questions.distributions(demo, "en", "empathy")}["role"]
    assert {c.key: c.count for c in role.cells} == {"user": "0", "family": "0", "staff": "< 5"}
    assert questions.area_counts(demo) == {"centre": 6}


def test_the_console_shows_patterns_and_a_map_with_small_areas_unshaded(client, curator, demo):
    for _ in range(5):
        StoryFactory(drive=demo, answers={"area": "centre", "role": "user"})
    StoryFactory(drive=demo, answers={"area": "east"})
    client.force_login(curator)
    page = client.get("/console/patterns/", {"drive": "demo", "lang": "fi"}).content.decode()
    assert "Kerroit tarinan…" in page  # the question, in the curator's language
    assert page.count("<path ") == 3
    assert 'fill-opacity="1.00"><title>Keskusta: 5</title>' in page
    assert 'fill-opacity="0.00"><title>Itäpuoli: &lt; 5</title>' in page
