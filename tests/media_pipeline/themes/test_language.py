"""Offline language detection."""

from __future__ import annotations

import pytest

from media_pipeline.themes import detect_language

SAMPLES = {
    "fi": "Kävin eilen terveyskeskuksessa, ja hoitaja kuunteli minua pitkään.",
    "sv": "Jag gick till vårdcentralen i går och sjuksköterskan lyssnade länge på mig.",
    "de": "Ich war gestern beim Hausarzt, und die Pflegerin hat mir lange zugehört.",
    "en": "I went to the health centre yesterday and the nurse listened to me for ages.",
}


@pytest.mark.parametrize(("expected", "text"), SAMPLES.items())
def test_detects_the_four_tagged_languages(expected, text):
    code, probability = detect_language(text)
    assert code == expected
    assert 0.5 < probability <= 1.0


def test_labelled_stories_are_detected_as_their_language(stories):
    wrong = [s.id for s in stories if detect_language(s.text)[0] != s.language]
    assert wrong == []


@pytest.mark.parametrize("text", ["", "   ", "12 345", "?!"])
def test_text_without_words_is_undetermined(text):
    assert detect_language(text) == ("und", 0.0)


def test_other_eu_language_is_reported():
    code, _ = detect_language("Je suis allée à la mairie et personne ne m'a écoutée.")
    assert code == "fr"


def test_confident_non_eu_language_is_not_forced_into_the_eu_list():
    code, probability = detect_language("Я ходила в поликлинику, и врач меня внимательно выслушал.")
    assert code == "ru"
    assert probability >= 0.9


def test_unrestricted_detection():
    code, _ = detect_language(SAMPLES["fi"], candidates=None)
    assert code == "fi"
