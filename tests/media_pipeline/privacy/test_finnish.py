"""Base forms of inflected Finnish names."""

from __future__ import annotations

import pytest

from media_pipeline.privacy.finnish import finnish_base_forms


@pytest.mark.parametrize(
    ("word", "base"),
    [
        ("Virtaselta", "Virtanen"),
        ("Virtasta", "Virtanen"),
        ("Virtaseen", "Virtanen"),
        ("Niemen", "Niemi"),
        ("Pekalle", "Pekka"),
        ("Aallon", "Aalto"),
        ("Lahden", "Lahti"),
        ("Hongan", "Honka"),
        ("Mikaelia", "Mikael"),
        ("Annallekin", "Anna"),
        ("Smith:lle", "Smith"),
    ],
)
def test_base_form_is_among_candidates(word, base):
    forms = finnish_base_forms(word)
    assert forms[0] == word
    assert base in forms
