"""Lexicon tagging: evidence offsets, inflection, compounds, phrases, segments, fallbacks."""

from __future__ import annotations

import json

import pytest

from media_pipeline.speech.results import Segment, SpeechTranscript
from media_pipeline.themes import suggest_for_file, tag


def _terms(result, slug):
    return [t for e in result.get(slug).evidence for t in e.terms]


def test_evidence_points_at_real_text(stories, taxonomy):
    checked = 0
    for story in stories:
        result = tag(story.text, story.language, taxonomy)
        for suggestion in result.suggestions:
            for ev in suggestion.evidence:
                assert story.text[ev.start : ev.end] == ev.text
                for term in ev.terms:
                    assert story.text[term.start : term.end] == term.text
                    assert ev.start <= term.start < term.end <= ev.end
                    checked += 1
    assert checked > 200


def test_every_theme_gets_a_score_in_range(taxonomy):
    result = tag("Meitä kuunneltiin.", "fi", taxonomy)
    assert {s.theme for s in result.suggestions} == set(taxonomy.slugs)
    assert all(0.0 <= s.score <= 1.0 for s in result.suggestions)
    scores = [s.score for s in result.suggestions]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize(
    "text",
    [
        "Meitä kuunneltiin vihdoin kunnolla.",
        "Työntekijät kuuntelivat meitä koko illan.",
        "Hän kuunteli, eikä keskeyttänyt kertaakaan.",
    ],
)
def test_finnish_inflected_forms_match_their_lemma(text, taxonomy):
    result = tag(text, "fi", taxonomy)
    assert "empathy" in result.suggested
    assert any(t.signal == "kuunnella" for t in _terms(result, "empathy"))


@pytest.mark.parametrize(
    ("language", "text", "slug", "word", "signal"),
    [
        # Finnish compound: the signal lemma is the first part of an inflected compound.
        ("fi", "Saimme kokeilurahalla uuden kerhon.", "experimentation", "kokeilurahalla",
         "kokeilu"),
        # German compound: the signal is the head of a longer noun.
        ("de", "Der Vertrauensverlust im Viertel war groß.", "transparency",
         "Vertrauensverlust", "Vertrauen"),
        # Swedish compound with an inflectional ending.
        ("sv", "Medborgarbudgeten räckte till tre nya bänkar.", "resources",
         "Medborgarbudgeten", "medborgarbudget"),
    ],
)  # fmt: skip
def test_compound_words_match(language, text, slug, word, signal, taxonomy):
    result = tag(text, language, taxonomy)
    terms = _terms(result, slug)
    assert (word, signal) in [(t.text, t.signal) for t in terms]
    assert result.get(slug).lexicon_score > 0


def test_english_multiword_phrase_matches_inflected_and_spans_the_phrase(taxonomy):
    text = "For once the residents had a real say in it."
    result = tag(text, "en", taxonomy)
    phrases = [t for t in _terms(result, "power") if t.kind == "phrase"]
    assert phrases, _terms(result, "power")
    assert phrases[0].text.startswith("had a")
    assert text[phrases[0].start : phrases[0].end] == phrases[0].text


def test_german_separable_verb_matches_across_words(taxonomy):
    result = tag("Die Leute vom Amt hörten uns endlich zu.", "de", taxonomy)
    assert "empathy" in result.suggested
    [term] = _terms(result, "empathy")
    assert term.text == "hörten uns endlich zu"
    assert term.kind == "phrase"


def test_words_inside_a_matched_phrase_are_not_counted_twice(taxonomy):
    result = tag("The service said we were hard to reach.", "en", taxonomy)
    terms = _terms(result, "accessibility")
    assert [t.signal for t in terms] == ["hard to reach"]


def test_unrelated_text_suggests_nothing(taxonomy):
    result = tag("The weather was grey and the tram was on time.", "en", taxonomy)
    assert result.supported
    assert result.suggested == []


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Je suis allée à la mairie et personne ne m'a écoutée.", None),
        ("Fui à câmara e ninguém me ouviu.", "pt"),
        ("", None),
    ],
)
def test_unknown_language_gives_a_clear_no_suggestion(text, language, taxonomy):
    result = tag(text, language, taxonomy)
    assert not result.supported
    assert result.suggested == []
    assert result.reason
    assert all(s.score == 0 and not s.evidence for s in result.suggestions)
    json.dumps(result.to_dict())


def test_language_is_detected_when_not_given(taxonomy):
    result = tag("Personalen lyssnade verkligen på oss den här gången.", None, taxonomy)
    assert result.language == "sv"
    assert result.language_probability is not None
    assert result.language_probability > 0.5
    assert "empathy" in result.suggested


def test_segments_map_evidence_to_timestamps(taxonomy):
    segments = [
        Segment(start=0.0, end=4.2, text=" Hei, olen Aino ja asun Kontulassa."),
        Segment(start=4.2, end=9.8, text=" Nuorisotalolla meitä kuunneltiin ensimmäistä kertaa."),
        Segment(start=9.8, end=15.0, text=" Saimme myös pienen avustuksen kokeiluun."),
    ]
    transcript = SpeechTranscript(
        engine="test", model="none", language="fi", language_probability=1.0, duration=15.0,
        text="".join(s.text for s in segments).strip(), segments=segments,
    )  # fmt: skip
    result = tag(transcript.text, "fi", taxonomy, segments=transcript.segments)

    [empathy] = result.get("empathy").evidence
    assert (empathy.segment_start, empathy.segment_end) == (4.2, 9.8)
    assert transcript.text[empathy.start : empathy.end] == empathy.text
    experiment = result.get("experimentation").evidence
    assert experiment
    assert all(e.segment_start == 9.8 for e in experiment)

    # Plain dicts (the stored JSON form) work too, and empty text is rebuilt from segments.
    from_dicts = tag("", "fi", taxonomy, segments=transcript.to_dict()["segments"])
    [again] = from_dicts.get("empathy").evidence
    assert (again.segment_start, again.segment_end) == (4.2, 9.8)


def test_long_transcripts_need_recurring_signals(taxonomy):
    filler = "Sitten menimme kotiin ja söimme päivällistä yhdessä perheen kanssa. " * 40
    short = tag("Meitä kuunneltiin.", "fi", taxonomy).get("empathy").score
    long = tag(filler + "Meitä kuunneltiin.", "fi", taxonomy).get("empathy").score
    assert long < short


def test_suggest_for_file_text_and_transcript(tmp_path, taxonomy):
    story = tmp_path / "story.txt"
    story.write_text("Ich wurde endlich ernst genommen, man hat mir zugehört.", encoding="utf-8")
    out = suggest_for_file(story, taxonomy=taxonomy)
    assert out["language"] == "de"
    assert set(out) >= {"language", "themes"}
    first = out["themes"][0]
    assert first["theme"] == "empathy"
    assert first["suggested"]
    assert set(first) >= {"theme", "score", "suggested", "evidence"}
    json.dumps(out)

    transcript = tmp_path / "t.json"
    transcript.write_text(
        json.dumps({
            "text": "We could finally try a small pilot.",
            "language": "en",
            "segments": [{"start": 1.5, "end": 3.0, "text": "We could finally try a small pilot."}],
        }),
        encoding="utf-8",
    )  # fmt: skip
    out = suggest_for_file(transcript, taxonomy=taxonomy)
    exp = next(t for t in out["themes"] if t["theme"] == "experimentation")
    assert exp["suggested"]
    assert exp["evidence"][0]["segment_start"] == 1.5

    forced = suggest_for_file(story, lang="fr", taxonomy=taxonomy)
    assert forced["language"] == "fr"
    assert not forced["supported"]


def test_results_serialise_to_plain_json(taxonomy):
    result = tag("Meitä kuunneltiin ja saimme päättää itse.", "fi", taxonomy)
    empathy = result.get("empathy")
    ev = json.loads(json.dumps(empathy.evidence[0].to_dict()))
    assert set(ev) >= {"text", "start", "end", "segment_start", "segment_end", "terms"}
    assert ev["terms"][0]["signal"] == "kuunnella"
    assert json.loads(json.dumps(empathy.to_dict()))["theme"] == "empathy"
    whole = json.loads(json.dumps(result.to_dict()))
    assert whole["language"] == "fi"
    assert len(whole["suggestions"]) == len(taxonomy.themes)
