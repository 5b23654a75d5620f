"""Word-level matching rules that keep ordinary words from passing for signals."""

from __future__ import annotations

from media_pipeline.themes import from_dict, tag
from media_pipeline.themes.lexicon import MODIFIER_WEIGHT


def _terms(result, slug):
    return [(t.text, t.signal) for e in result.get(slug).evidence for t in e.terms]


def test_german_case_tells_nouns_from_verbs(taxonomy):
    # "weiß" is a form of the verb "wissen", not the noun "Wissen" (knowledge).
    verb = tag("Ich weiß genau, wo es im Keller zieht.", "de", taxonomy)
    assert ("weiß", "Wissen") not in _terms(verb, "assets")
    noun = tag("Ihr Wissen über den Keller war Gold wert.", "de", taxonomy)
    assert ("Wissen", "Wissen") in _terms(noun, "assets")
    # "Schule" (school) is not the verb "schulen" (to train)...
    school = tag("Die Schule war am Montag geschlossen.", "de", taxonomy)
    assert all(signal != "schulen" for _, signal in _terms(school, "capacity"))
    # ...but the verb still matches, in the middle of a sentence too.
    train = tag("Die Stadt will ihre Leute besser schulen.", "de", taxonomy)
    assert ("schulen", "schulen") in _terms(train, "capacity")


def test_swedish_inflection_needs_a_real_ending(taxonomy):
    # "bidrar" is "bidra" (contribute) inflected; "bidrag" (a grant) is another word.
    inflected = tag("Alla bidrar, var och en på sitt sätt.", "sv", taxonomy)
    assert ("bidrar", "bidra") in _terms(inflected, "assets")
    other = tag("Vi fick ett bidrag.", "sv", taxonomy)
    assert ("bidrag", "bidra") not in _terms(other, "assets")


def test_signal_at_the_front_of_a_compound_counts_less(taxonomy):
    result = tag("Wir trafen uns im Nachbarschaftshaus.", "de", taxonomy)
    [term] = [
        t
        for e in result.get("relationships").evidence
        for t in e.terms
        if t.text == "Nachbarschaftshaus"
    ]
    signal_weight = next(
        s.weight for s in taxonomy.theme("relationships").signals["de"] if s.term == term.signal
    )
    assert term.kind == "compound"
    assert term.weight == signal_weight * MODIFIER_WEIGHT


def test_phrase_words_apart_must_share_a_clause(taxonomy):
    # "on hold" may take words in between ("put the plans on hold" has none), but not a
    # clause boundary: here "on" and "held" belong to different clauses.
    apart = tag("She put it on the website, and held an open evening.", "en", taxonomy)
    assert all(signal != "on hold" for _, signal in _terms(apart, "accessibility"))
    together = tag("The repairs were put on hold again.", "en", taxonomy)
    assert ("on hold", "on hold") in _terms(together, "accessibility")


def test_max_suggestions_caps_how_many_themes_a_short_story_gets(taxonomy):
    text = (
        "We tried a small pilot with a tiny grant, and failure was allowed. "
        "Staff finally listened to us and understood what we needed."
    )
    data = taxonomy.to_dict()
    data["scoring"]["max_suggestions"] = 0
    unlimited = tag(text, "en", from_dict(data))
    assert len(unlimited.suggested) >= 2
    data["scoring"]["max_suggestions"] = 1
    capped = tag(text, "en", from_dict(data))
    # The cap keeps the best-scoring theme and drops the rest.
    assert capped.suggested == unlimited.suggested[:1]


def test_one_everyday_word_is_not_enough_for_a_second_theme(taxonomy):
    text = "We tried a small pilot with a tiny grant, and failure was allowed. The staff listened."
    data = taxonomy.to_dict()
    data["scoring"].update(weak_single_hit=0, max_suggestions=0, relative_to_top=0.0)
    data["scoring"]["threshold"] = 0.01
    loose = tag(text, "en", from_dict(data))
    weak = [
        s.theme
        for s in loose.suggestions[1:]
        if s.suggested
        and sum(len(e.terms) for e in s.evidence) == 1
        and " " not in s.evidence[0].terms[0].signal
        and s.evidence[0].terms[0].weight <= 1.0
    ]
    assert weak, "the story should carry a single one-word hit for some other theme"
    data["scoring"]["weak_single_hit"] = 1.0
    strict = tag(text, "en", from_dict(data))
    # The main topic stays; themes resting on one everyday word are no longer suggested.
    assert strict.suggested[0] == loose.suggested[0]
    assert not set(weak) & set(strict.suggested)
