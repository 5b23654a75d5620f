"""Choosing among a drive's languages by listening: a near tie keeps the reporter's own."""

from __future__ import annotations

from media_pipeline.speech.policy import FALLBACK, LanguageDecision, prefer_listened


def unsure(expected: tuple[str, ...]) -> LanguageDecision:
    return LanguageDecision("fi", FALLBACK, "la", 0.44, expected)


def test_a_near_tie_keeps_the_first_expected_language():
    decision = prefer_listened(unsure(("sv", "fi")), {"sv": -1.19, "fi": -1.13})
    assert decision.chosen == "sv"
    assert decision.listened == {"sv": -1.19, "fi": -1.13}


def test_a_language_that_reads_clearly_better_wins():
    decision = prefer_listened(unsure(("sv", "fi")), {"sv": -1.40, "fi": -0.62})
    assert decision.chosen == "fi"
