"""Choosing among a drive's languages by listening: a near tie keeps the language the
reporter said they speak; without one the best reading wins."""

from __future__ import annotations

from media_pipeline.speech.policy import FALLBACK, LanguageDecision, prefer_listened


def unsure(expected: tuple[str, ...]) -> LanguageDecision:
    return LanguageDecision("fi", FALLBACK, "la", 0.44, expected)


def test_a_near_tie_keeps_the_language_the_reporter_said():
    decision = prefer_listened(unsure(("sv", "fi")), {"sv": -1.19, "fi": -1.13}, said="sv")
    assert decision.chosen == "sv"
    assert decision.listened == {"sv": -1.19, "fi": -1.13}


def test_without_a_said_language_the_best_reading_wins_however_close():
    decision = prefer_listened(unsure(("fi", "sv")), {"fi": -1.05, "sv": -0.96})
    assert decision.chosen == "sv"


def test_a_language_that_reads_clearly_better_wins():
    decision = prefer_listened(unsure(("sv", "fi")), {"sv": -1.40, "fi": -0.62}, said="sv")
    assert decision.chosen == "fi"
