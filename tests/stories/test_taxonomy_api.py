"""Curators edit the theme taxonomy through the API; every edit is a new version."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from stories.domain import themes
from stories.enums import AuditAction
from stories.models import AuditEvent, TaxonomyVersion, Theme
from tests.factories import StoryFactory

URL = "/api/v1/themes/learning/"
KIOSK = "The kiosk was staffed by a volunteer."


def test_a_curator_adds_a_signal_word_and_suggestions_follow(client_for, curator):
    story = StoryFactory(title="", text=KIOSK, language="en")
    assert "learning" not in {t.theme.slug for t in themes.suggest(story) if t.suggested}
    before = themes.current_version().version
    signals = Theme.objects.get(slug="learning").signals["en"]

    response = client_for(curator).patch(
        URL,
        {"signals": {"en": [*signals, {"term": "kiosk", "weight": 2}]}, "note": "kiosks"},
        format="json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["taxonomy_version"] == before + 1
    assert body["signals"]["en"][-1] == {"term": "kiosk", "weight": 2}
    version = TaxonomyVersion.objects.get(version=before + 1)
    assert version.note == "kiosks"
    assert version.created_by == curator
    assert AuditEvent.objects.filter(action=AuditAction.TAXONOMY_EDITED).exists()
    tags = {t.theme.slug: t for t in themes.suggest(story)}
    assert tags["learning"].suggested
    assert tags["learning"].taxonomy_version == before + 1


def test_labels_and_descriptions_change_per_language(client_for, curator):
    old = Theme.objects.get(slug="learning")
    response = client_for(curator).patch(
        URL,
        {"labels": {"fi": "Jatkuva oppiminen"}, "descriptions": {"sv": "Tjänster lär sig."}},
        format="json",
    )
    assert response.status_code == 200, response.content
    public = client_for().get(URL + "?lang=fi").json()
    assert public["label"] == "Jatkuva oppiminen"
    theme = Theme.objects.get(slug="learning")
    assert theme.labels["en"] == old.labels["en"]  # languages not mentioned stay
    assert theme.descriptions["sv"] == "Tjänster lär sig."
    stored = TaxonomyVersion.objects.order_by("-version").first()
    assert stored is not None
    learning = next(t for t in stored.data["themes"] if t["slug"] == "learning")
    assert learning["labels"]["fi"] == "Jatkuva oppiminen"


def test_signals_in_a_new_language_make_the_tagger_support_it(client_for, curator):
    story = StoryFactory(title="", text="Nous avons enfin été écoutés.", language="fr")
    assert not any(t.suggested for t in themes.suggest(story))
    response = client_for(curator).patch(
        "/api/v1/themes/empathy/", {"signals": {"fr": ["écouter", "écoutés"]}}, format="json"
    )
    assert response.status_code == 200, response.content
    assert "fr" in themes.current_taxonomy().languages
    assert "empathy" in {t.theme.slug for t in themes.suggest(story) if t.suggested}


def test_a_curator_edits_a_themes_examples_and_the_tagger_reads_them(client_for, curator):
    before = themes.current_version().version
    theme = Theme.objects.get(slug="learning")
    assert len(theme.examples["fi"]) >= 8  # filled from the shipped taxonomy
    new = ["Kirjasto kysyi joka kuukausi, mikä toimi, ja   muutti aukioloja vastausten mukaan."]

    response = client_for(curator).patch(
        URL, {"examples": {"fi": new, "de": []}, "note": "own words"}, format="json"
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["taxonomy_version"] == before + 1
    assert body["examples"]["fi"] == new
    assert "de" not in body["examples"]  # an empty list removes the language's examples
    assert body["examples"]["en"] == theme.examples["en"]  # languages not given stay
    version = TaxonomyVersion.objects.get(version=before + 1)
    assert (version.note, version.created_by) == ("own words", curator)
    learning = themes.current_taxonomy().theme("learning")
    assert learning.examples["fi"] == (" ".join(new[0].split()),)
    assert "de" not in learning.examples


def test_anonymous_callers_cannot_edit_examples(client_for):
    before = TaxonomyVersion.objects.count()
    response = client_for().patch(URL, {"examples": {"en": ["Mine now."]}}, format="json")
    assert response.status_code == 401
    assert TaxonomyVersion.objects.count() == before
    assert "Mine now." not in Theme.objects.get(slug="learning").examples["en"]


@pytest.mark.parametrize(("user", "expected"), [(None, 401), ("reporter", 403), ("service", 403)])
def test_only_curators_edit_the_taxonomy(client_for, request, user, expected):
    client = client_for(request.getfixturevalue(user) if user else None)
    before = TaxonomyVersion.objects.count()
    response = client.patch(URL, {"labels": {"en": "Hacked"}}, format="json")
    assert response.status_code == expected
    assert TaxonomyVersion.objects.count() == before
    assert Theme.objects.get(slug="learning").labels["en"] != "Hacked"


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"note": "nothing else"},
        {"slug": "teaching"},
        {"constellation": "catalysts", "labels": {"en": "Learning"}},
        {"labels": {"english": "Learning"}},
        {"labels": {"en": ""}},
        {"labels": ["Learning"]},
        {"signals": {"en": "kiosk"}},
        {"signals": {"en": [""]}},
        {"signals": {"en": ["*"]}},
        {"signals": {"en": [{"term": "kiosk", "weight": 0}]}},
        {"signals": {"en": [{"term": "kiosk", "weight": 9}]}},
        {"signals": {"en": [{"term": "kiosk", "weight": "heavy"}]}},
        {"signals": {"en": [{"term": "kiosk", "weight": True}]}},
        {"signals": {"en": [{"word": "kiosk"}]}},
        {"signals": {"en": [42]}},
        {"signals": {"en": ["x" * 101]}},
        {"examples": ["A vignette."]},
        {"examples": {"en": "A vignette, not a list."}},
        {"examples": {"en": [""]}},
        {"examples": {"en": [42]}},
        {"examples": {"en": [{"text": "A vignette."}]}},
        {"examples": {"en": ["x" * 601]}},
        {"examples": {"en": ["A vignette."] * 101}},
        {"examples": {"english": ["A vignette."]}},
    ],
)
def test_bad_edits_are_refused_and_change_nothing(client_for, curator, payload):
    before = TaxonomyVersion.objects.count()
    theme = Theme.objects.get(slug="learning")
    response = client_for(curator).patch(URL, payload, format="json")
    assert response.status_code == 400, response.content
    assert response.json()
    assert TaxonomyVersion.objects.count() == before
    after = Theme.objects.get(slug="learning")
    assert (after.labels, after.signals, after.examples) == (
        theme.labels,
        theme.signals,
        theme.examples,
    )


def test_unknown_theme_is_404_and_put_and_delete_are_not_allowed(client_for, curator):
    client = client_for(curator)
    assert (
        client.patch("/api/v1/themes/nope/", {"labels": {"en": "x"}}, format="json").status_code
        == 404
    )
    assert client.put(URL, {"labels": {"en": "x"}}, format="json").status_code == 405
    assert client.delete(URL).status_code == 405


@pytest.mark.parametrize("body", [[], ["labels"], "labels", 3, None])
def test_a_body_that_is_not_an_object_is_refused(client_for, curator, body):
    response = client_for(curator).patch(URL, body, format="json")
    assert response.status_code == 400


def test_an_admin_edit_also_makes_a_new_version(admin_user):
    theme = Theme.objects.get(slug="learning")
    before = themes.current_version().version
    client = Client()
    client.force_login(admin_user)
    url = f"/admin/stories/theme/{theme.pk}/change/"
    assert client.get(url).status_code == 200
    form = {
        "labels": json.dumps({**theme.labels, "en": "Learning together"}),
        "descriptions": json.dumps(theme.descriptions),
        "signals": json.dumps({**theme.signals, "en": [*theme.signals["en"], "kiosk"]}),
        "examples": json.dumps(theme.examples),
    }
    assert client.post(url, form).status_code == 302
    version = themes.current_version()
    assert version.version == before + 1
    assert version.created_by == admin_user
    assert themes.current_taxonomy().theme("learning").signals["en"][-1].term == "kiosk"

    bad = {**form, "signals": json.dumps({"en": [{"term": "kiosk", "weight": 99}]})}
    response = client.post(url, bad)
    assert response.status_code == 200  # the form again, with the error
    assert b"cannot read these signals" in response.content
    assert themes.current_version().version == before + 1
    bad = {**form, "examples": json.dumps({"en": ["", 3]})}
    response = client.post(url, bad)
    assert response.status_code == 200
    assert b"cannot read these examples" in response.content
    assert themes.current_version().version == before + 1
