"""The release check's comparison: is a redacted value in what was heard again?"""

from __future__ import annotations

import pytest

from media_pipeline.privacy.audible import Secret, audible

NAME = Secret("person", "Maija Virtanen")
PHONE = Secret("phone", "07700 910 123")


@pytest.mark.parametrize(
    ("heard", "language"),
    [
        ("my name is Maija", "en"),
        ("puhuin Virtasen kanssa", "fi"),
        ("call me on 0770", "en"),
        ("oh seven seven oh oh nine", "en"),
        ("the number ends in 1 2 3", "en"),
    ],
)
def test_a_word_of_a_name_or_three_digits_of_a_number_are_heard(heard, language):
    assert audible(heard, [NAME, PHONE], language)


@pytest.mark.parametrize(
    "heard", ["My name is... and you can call me a...", "we met at 9 and left at 12", "my ear"]
)
def test_other_words_and_short_numbers_are_not(heard):
    assert audible(heard, [NAME, PHONE], "en") == []


def test_spoken_finnish_digits_count():
    secret = Secret("phone", "nolla neljä nolla, yksi kaksi kolme")
    assert audible("soita nolla neljä nolla", [secret], "fi") == [secret]
