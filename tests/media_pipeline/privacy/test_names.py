"""Person names: gazetteer plus context, with Finnish inflection, in four languages."""

from __future__ import annotations

import pytest


def persons(found):
    return [text for kind, text in found if kind == "person"]


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("en", "My name is Margaret Holloway and I live in Leeds.", ["Margaret Holloway"]),
        ("en", "Yesterday Mary said the library was closed.", ["Mary"]),
        ("en", "Mr Okafor at the job centre was kind.", ["Okafor"]),
        ("en", "I met Elena Popescu at the drop-in.", ["Elena Popescu"]),
        ("fi", "Hei, nimeni on Mikael Virtanen.", ["Mikael Virtanen"]),
        ("fi", "Naapurini Heikki soitti kaupungille.", ["Heikki"]),
        ("fi", "Puhuin rouva Niemiselle eilen.", ["Niemiselle"]),
        ("sv", "Jag heter Anna Lindqvist och bor i Umeå.", ["Anna Lindqvist"]),
        ("sv", "Min granne Johan säger att bussen är sen.", ["Johan"]),
        ("sv", "Björn Ek på fritidsgården säger att lokalen rivs.", ["Björn Ek"]),
        ("de", "Mein Name ist Jürgen Müller.", ["Jürgen Müller"]),
        ("de", "Frau Schmidt sagte, der Bus kommt zu spät.", ["Schmidt"]),
        ("de", "Ihre Mutter Helga wartet oft eine Stunde.", ["Helga"]),
        ("de", "Ich heiße Ayşe Yılmaz und wohne in Leipzig.", ["Ayşe Yılmaz"]),  # noqa: RUF001 - Turkish dotless i
    ],
)
def test_names_in_each_language(find, language, text, expected):
    assert persons(find(text, language)) == expected


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Will the new clinic open in August? Mark my words, it won't."),
        ("en", "The Dutch clinic and the Hope Foundation were closed on Sunday."),
        ("fi", "Anna minulle aikaa. Kirjasto oli kiinni. Tuulen takia bussi myöhästyi."),
        ("fi", "Annoin lomakkeen Kelan virkailijalle, mutta Hänen mukaansa se hukkui."),
        ("sv", "Alla var arga. Igår stängde Biblioteket i Lund."),
        (
            "de",
            "Der Bauer vom Markt verkauft weniger. Bitte schreibt uns. Seit März fehlt der Grund.",
        ),
        ("de", "Rund 3000 Schüler und alle Kinder haben keinen Unterricht."),
    ],
)
def test_capitalised_common_words_are_not_names(find, language, text):
    assert persons(find(text, language)) == []


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fi", "Lahti ja Helsinki saivat rahaa. Helsingissä oli kylmää, Tampereella ei."),
        ("sv", "Stockholm och Göteborg fick pengar."),
        ("de", "Berlin und Essen bekamen Geld."),
        ("en", "London and Bristol got the money."),
    ],
)
def test_a_city_alone_is_not_a_name(find, language, text):
    assert find(text, language) == []


def test_a_city_that_is_also_a_surname_is_a_name_with_context(find):
    assert persons(find("Herra Lahti kertoi asiasta.", "fi")) == ["Lahti"]
    assert persons(find("Rehtori Mikael Lahti kertoi asiasta.", "fi")) == ["Mikael Lahti"]


@pytest.mark.parametrize(
    ("word", "base"),
    [
        ("Mikaelin", "mikael"),
        ("Annalle", "anna"),
        ("Virtaselta", "virtanen"),
        ("Pekan", "pekka"),
        ("Heikiltä", "heikki"),
        ("Matille", "matti"),
        ("Korhoselle", "korhonen"),
        ("Liisan", "liisa"),
    ],
)
def test_finnish_inflected_names_have_their_base_as_key(gazetteer, word, base):
    from media_pipeline.privacy import detect

    spans = detect(f"Eilen kerroin sen {word} kanssa.", "fi", gazetteer=gazetteer)
    assert [(s.text, s.key) for s in spans] == [(word, base)]


def test_sentence_initial_inflected_name(find):
    assert persons(find("Annalle kerroin asiasta. Mikaelin äiti soitti.", "fi")) == [
        "Annalle",
        "Mikaelin",
    ]


def test_titles_confirm_names_the_gazetteer_does_not_know(find):
    assert persons(find("Mrs Xylophonia was there.", "en")) == ["Xylophonia"]
    assert persons(find("Nimeni on Qwertyina.", "fi")) == ["Qwertyina"]
    assert persons(find("Ich bin Rentner und wohne hier.", "de")) == []
