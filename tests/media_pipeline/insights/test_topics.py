"""Topics, trends and outliers found in plain story texts (no database). Stories are
grouped by meaning with the packaged multilingual model, run for real."""

from __future__ import annotations

from media_pipeline.insights.topics import Document, analyse
from media_pipeline.meaning import encoder

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


# One thing told in three languages, another in two, and one story about something else.
DOCTOR = [
    (
        "en",
        "I waited four months for an appointment with a doctor at the health centre. "
        "Nobody called me back.",
    ),
    (
        "sv",
        "Jag fick vänta i fyra månader på en tid hos läkaren på vårdcentralen. "
        "Ingen ringde tillbaka.",
    ),
    (
        "fi",
        "Odotin lääkärin vastaanottoaikaa terveyskeskukseen neljä kuukautta. "
        "Kukaan ei soittanut takaisin.",
    ),
]
EVENING_BUS = [
    ("en", "The evening bus to the library was cut, so teenagers have nowhere to go."),
    ("sv", "Kvällsbussen till biblioteket drogs in, och ungdomarna har ingenstans att ta vägen."),
]
PARK = ("de", "Im Park stehen jetzt neue Bänke, und die Kinder spielen dort jeden Nachmittag.")


def test_one_thing_told_in_three_languages_is_one_topic_quoted_in_several():
    told = [Document(f"doctor-{lang}", text, lang, OCT) for lang, text in DOCTOR] + [
        Document(f"bus-{lang}", text, lang, NOV) for lang, text in EVENING_BUS
    ]
    told.append(Document("park", PARK[1], PARK[0], NOV))
    found = analyse(told)
    doctor = next(t for t in found.topics if "doctor-en" in t.keys)
    assert set(doctor.keys) == {"doctor-en", "doctor-sv", "doctor-fi"}
    assert len({q.key.split("-")[1] for q in doctor.quotes}) == 2  # two languages quoted
    texts = {d.key: d.text for d in told}
    assert all(q.sentence in texts[q.key] for q in doctor.quotes)
    bus = next(t for t in found.topics if "bus-en" in t.keys)
    assert set(bus.keys) == {"bus-en", "bus-sv"}
    assert all("park" not in t.keys for t in found.topics)
    assert [q.key for q in found.standing_apart] == ["park"]


def test_stored_vectors_are_used_as_given():
    """A document with its stored vector is not embedded again; only sentences are."""
    rows = QUEUE + BUS + APART
    vectors = encoder().passages([text for _, text, _ in rows])
    given = [
        Document(key, text, "en", month, vector=vector)
        for (key, text, month), vector in zip(rows, vectors, strict=True)
    ]
    embedded: list[str] = []

    def embed(texts):
        embedded.extend(texts)
        return encoder().passages(texts)

    found = analyse(given, embed=embed)
    assert frozenset(k for k, _, _ in BUS) in {frozenset(t.keys) for t in found.topics}
    assert QUEUE[0][1] not in embedded  # two sentences: the whole story, never embedded
    assert "I waited three hours in the queue at the health centre." in embedded


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
    by_members = {frozenset(t.keys): t for t in found.topics}
    assert set(by_members) == {frozenset({"f1", "f2"}), frozenset({"f3", "f4"})}
    # "Jonotin" and "jono", "iltabussi" and "iltabussin": one lemma each names the topic.
    assert "terveysasema" in by_members[frozenset({"f1", "f2"})].terms
    assert "iltabussi" in by_members[frozenset({"f3", "f4"})].terms


def test_too_few_stories_give_no_topic():
    assert analyse(documents(APART)).topics == []
    assert analyse([]).topics == []
