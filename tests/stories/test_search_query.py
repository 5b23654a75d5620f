"""The query parser both databases share (no database needed)."""

from __future__ import annotations

import pytest

from stories.domain import search_query

pytestmark = pytest.mark.single_run


def test_words_are_lower_cased_and_reduced_to_lemmas_in_the_storys_language():
    assert search_query.index_words("Kävin KIRJASTOSSA, tasa-arvo!", "fi") == [
        "käydä",
        "kirjasto",
        "tasa",
        "arvo",
    ]
    assert search_query.index_words("Väntetiderna", "sv") == ["väntetid"]
    # No lemmas for a language without a lexicon: the words as written, lower-cased.
    assert search_query.index_words("ÄÄNI Kuului", "") == ["ääni", "kuului"]


def test_a_query_word_may_match_as_written_or_as_a_lemma_in_any_language():
    assert {"kirjastossa", "kirjasto"} <= set(search_query.candidates("Kirjastossa"))
    assert "väntetid" in search_query.candidates("väntetider")


def test_web_search_syntax_is_parsed_into_groups_and_exclusions():
    query = search_query.parse('bus OR "library card" -closed -"long wait" or')
    assert [len(group) for group in query.groups] == [2]
    assert [len(phrase) for phrase in query.groups[0]] == [1, 2]
    assert [len(phrase) for phrase in query.excluded] == [1, 2]
    assert not search_query.parse("?! -- OR")
    assert not search_query.parse('""')


def test_both_backends_get_the_same_query():
    query = search_query.parse("kirjasto -bussi")
    tsquery = search_query.tsquery(query)
    match = search_query.fts5_positive(query)
    assert tsquery.startswith("((('kirjasto'")
    assert "& !(('bussi'" in tsquery
    assert match == '(("kirjasto"))'
    assert search_query.fts5_excluded(query) == '("bussi")'


def test_the_stored_vector_weighs_the_title_above_the_text():
    assert search_query.tsvector("Kirjastossa", "Kirjasto on kiva.", "fi") == (
        "'kirjasto':1A,3B 'olla':4B 'kiva':5B"
    )
