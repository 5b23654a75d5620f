"""Topics, trends and outliers found in plain story texts (no database)."""

from __future__ import annotations

from media_pipeline.insights.topics import Document, analyse

SEP, OCT, NOV = "2026-09", "2026-10", "2026-11"
QUEUE = [
    ("q1", "I waited three hours in the queue at the health centre. Nobody told us why.", SEP),
    ("q2", "The queue at the health centre was so long that my mother gave up waiting.", OCT),
    ("q3", "We queued at the health centre all morning, and the waiting room was full.", OCT),
]
BUS = [
    ("b1", "The evening bus to the library was cut, so teenagers have nowhere to go.", NOV),
    ("b2", "Since the evening bus stopped, my son cannot get to the library after school.", NOV),
    ("b3", "Without the evening bus the library is out of reach for the whole village.", NOV),
]
APART = [("x1", "The letter said not eligible and gave a phone number that never answers.", NOV)]


def documents(rows: list[tuple[str, str, str]], language: str = "en") -> list[Document]:
    return [Document(key, text, language, month) for key, text, month in rows]


def test_stories_about_the_same_thing_form_one_topic_named_by_its_words():
    found = analyse(documents(QUEUE + BUS + APART))
    by_members = {frozenset(t.keys): t for t in found.topics}
    assert frozenset(k for k, _, _ in QUEUE) in by_members
    assert frozenset(k for k, _, _ in BUS) in by_members
    bus = by_members[frozenset(k for k, _, _ in BUS)]
    assert {"bus", "library"} <= set(bus.terms)


def test_quotes_are_sentences_of_the_stories_from_different_stories():
    found = analyse(documents(QUEUE + BUS + APART))
    texts = {key: text for key, text, _ in QUEUE + BUS + APART}
    for topic in found.topics:
        assert len({q.key for q in topic.quotes}) == len(topic.quotes) == 2
        for quote in topic.quotes:
            assert quote.sentence in texts[quote.key]
            assert quote.key in topic.keys


def test_a_topic_told_only_in_the_later_months_grew_and_an_early_one_faded():
    found = analyse(documents(QUEUE + BUS + APART))
    change = {frozenset(t.keys): t.change for t in found.topics}
    assert change[frozenset(k for k, _, _ in BUS)] > 0
    assert change[frozenset(k for k, _, _ in QUEUE)] < 0
    assert found.per_month == {SEP: 1, OCT: 2, NOV: 4}


def test_the_story_unlike_any_other_stands_apart():
    found = analyse(documents(QUEUE + BUS + APART))
    assert found.standing_apart[0].key == "x1"


def test_inflected_finnish_forms_count_as_one_word():
    finnish = [
        ("f1", "Jonotin terveysasemalla kolme tuntia, eikä jono liikkunut.", "2026-10"),
        ("f2", "Jonossa terveysasemalla odotettiin koko aamupäivä.", "2026-10"),
        (
            "f3",
            "Kirjaston iltabussi lopetettiin, eikä nuorilla ole paikkaa minne mennä.",
            "2026-11",
        ),
        ("f4", "Iltabussin lopettamisen jälkeen kirjasto on liian kaukana.", "2026-11"),
    ]
    found = analyse(documents(finnish, "fi"))
    assert {frozenset(t.keys) for t in found.topics} == {
        frozenset({"f1", "f2"}),
        frozenset({"f3", "f4"}),
    }


def test_too_few_stories_give_no_topic():
    assert analyse(documents(APART)).topics == []
    assert analyse([]).topics == []
