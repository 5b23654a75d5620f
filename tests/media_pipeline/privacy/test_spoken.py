"""Personal data in speech-recognition output: spoken numbers, misheard digits and
streets, and pronouns that must not become "[Person N]"."""

from __future__ import annotations

import phonenumbers
import pytest

from media_pipeline.privacy import detect, redact
from media_pipeline.privacy.spoken import normalise_spoken


@pytest.mark.parametrize(
    ("language", "spoken", "digits"),
    [
        ("en", "oh seven seven double one, one two three four five six", "07711 123456"),
        ("en", "twenty one", "21"),
        ("en", "one hundred twelve", "112"),
        ("fi", "nolla neljä nolla, yksi kaksi kolme", "040 123"),
        ("fi", "kaksikymmentä", "20"),
        ("fi", "neljäkymmentäviisi", "45"),
        ("fi", "neljäkymmentä viisi", "45"),
        ("fi", "kaksitoista", "12"),
        ("fi", "kaksisataakolme", "203"),
        ("sv", "noll sju tre, ett två tre", "073 123"),
        ("sv", "tjugo", "20"),
        ("sv", "fyrtiofem", "45"),
        ("sv", "tjugo ett", "21"),
        ("de", "null eins sieben eins", "0171"),
        ("de", "einundzwanzig", "21"),
        ("de", "zwo dreihundertzwölf", "2312"),
    ],
)
def test_spoken_numbers_become_digits(language, spoken, digits):
    normalised = normalise_spoken(f"sano {spoken} nyt", language)
    assert normalised.text == f"sano {digits} nyt"
    start = normalised.text.index(digits)
    # Any part of the digits maps back to the whole run of number words.
    assert normalised.to_original(start, start + 1) == (5, 5 + len(spoken))


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "oh well the bus was late"),  # "oh" alone is an interjection
        ("de", "ein Haus und eine Katze"),  # articles, not numbers
        ("sv", "en katt och en hund"),
        ("fi", "huomenna sataa vettä"),  # "it rains", not 100
    ],
)
def test_lone_ambiguous_words_stay_words(language, text):
    assert normalise_spoken(text, language).text == text


def test_spoken_plus_opens_an_international_number(find):
    text = "plus three five eight four zero one two three four five six seven call me"
    assert normalise_spoken(text, "en").text == "+358401234567 call me"
    assert find(text, "en") == [("phone", text.removesuffix(" call me"))]
    assert normalise_spoken("surplus five", "en").text == "surplus 5"


def test_lookalike_letters_only_inside_digit_runs():
    assert normalise_spoken("07-I-11-123-456", "en").text == "07-1-11-123-456"
    assert normalise_spoken("O7711 l23456", "en").text == "07711 123456"
    assert normalise_spoken("I was at 5 Oak Road", "en").text == "I was at 5 Oak Road"
    assert normalise_spoken("Storgatan 12 lgh 1102", "sv").text == "Storgatan 12 lgh 1102"


# Phone numbers read out as words, in each language: the span covers every number word,
# so the audio step can silence them all.
SPOKEN_PHONES = [
    (
        "en",
        "GB",
        "you can call me on ",
        "oh seven seven double one one two three four five six",
        " any time",
    ),
    (
        "fi",
        "FI",
        "soita minulle numeroon ",
        "nolla neljä nolla, yksi kaksi kolme, neljäkymmentäviisi kuusikymmentäseitsemän",
        " kiitos",
    ),
    ("sv", "SE", "ring mig på ", "noll sju tre, ett två tre, fyrtiofem sextiosju", " efter fem"),
    (
        "de",
        "DE",
        "meine Handynummer ist ",
        "null eins sieben eins, zwei drei vier, fünf sechs sieben acht",
        " danke",
    ),
]


@pytest.mark.parametrize(("language", "region", "before", "number", "after"), SPOKEN_PHONES)
def test_spoken_phone_numbers_cover_the_original_words(
    gazetteer, language, region, before, number, after
):
    text = before + number + after
    spans = detect(text, language, region=region, gazetteer=gazetteer)
    phones = [s for s in spans if s.type == "phone"]
    assert [(s.start, s.end, s.text) for s in phones] == [
        (len(before), len(before) + len(number), number)
    ]
    assert redact(text, spans) == f"{before}[Phone]{after}"


def test_misheard_digits_are_a_phone_number(find):
    assert ("phone", "07-I-11-123-456") in find("my number is 07-I-11-123-456 ring me", "en")


@pytest.mark.parametrize(
    ("language", "region", "text", "number"),
    [
        ("en", "GB", "call me on 07700 900123 tonight", "07700 900123"),
        ("fi", "FI", "soita numeroon 049 123 4567 huomenna", "049 123 4567"),
        ("sv", "SE", "mitt nummer är 074 123 4567", "074 123 4567"),
        ("de", "DE", "Sie können mich unter 0110 1234567 anrufen", "0110 1234567"),
    ],
)
def test_possible_numbers_need_a_phone_word(find, language, region, text, number):
    parsed = phonenumbers.parse(number, region)
    # The premise: phonenumbers calls these possible but not valid (reserved or unused).
    assert phonenumbers.is_possible_number(parsed)
    assert not phonenumbers.is_valid_number(parsed)
    assert ("phone", number) in find(text, language, region=region)
    # The same digits with no phone word nearby are not taken for a phone number.
    assert not any(k == "phone" for k, _ in find(f"ticket {number} was closed", language))


@pytest.mark.parametrize(
    ("language", "text", "address"),
    [
        ("en", "i live at 14 Kaivo Kato in Helsinki", "14 Kaivo Kato"),
        ("en", "the lift at 27 cheetham hill road is broken", "27 cheetham hill road"),
        ("fi", "asun osoitteessa Kaivo Kato neljätoista nykyään", "Kaivo Kato neljätoista"),
        (
            "fi",
            "talo mannerheimintie kaksikymmentäkaksi puretaan",
            "mannerheimintie kaksikymmentäkaksi",
        ),
        ("sv", "jag bor på Stor gatan 12 i Malmö", "Stor gatan 12"),
        ("sv", "jag bor på Stor gatan tolv i Malmö", "Stor gatan tolv"),
        ("de", "ich wohne in der Haupt straße zwölf seit Jahren", "Haupt straße zwölf"),
        ("de", "ich wohne in der Goethe strasse 17", "Goethe strasse 17"),
    ],
)
def test_house_number_stays_with_a_split_street(find, language, text, address):
    assert ("address", address) in find(text, language)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "the car was on the road 5 minutes later"),
        ("sv", "han stod på gatan 12 minuter"),
        ("de", "wir sind auf dem Weg 5 Minuten entfernt"),
        ("fi", "bussi numero kuusi ei kulje"),
    ],
)
def test_street_words_without_a_street_name_are_not_addresses(find, language, text):
    assert not any(kind in ("address", "phone") for kind, _ in find(text, language))


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("sv", "men Ingen kom till mötet och Inget hände"),
        ("sv", "Alla i huset skrev på men Många har gett upp"),
        ("fi", "ja Toinen asia on että bussi ei kulje"),
        ("fi", "Joku kirjoitti seinään mutta Moni ei välittänyt ja Kaikki lähtivät"),
        ("de", "und Niemand hat geantwortet und Keiner weiß warum"),
        ("de", "Jemand hat angerufen aber Alle waren weg"),
        ("en", "and Nobody came because Everyone was at work"),
        ("en", "Somebody said the lights are off"),
    ],
)
def test_common_words_alone_are_not_names(find, language, text):
    assert not any(kind == "person" for kind, _ in find(text, language))


@pytest.mark.parametrize(
    ("language", "text", "name"),
    [
        ("fi", "naapurini Matti Toinen sanoi että bussi ei kulje", "Matti Toinen"),
        ("fi", "herra Toinen sanoi niin", "Toinen"),
        ("en", "Will Smith said the bus was late", "Will Smith"),
    ],
)
def test_common_words_in_a_full_name_still_are(find, language, text, name):
    assert ("person", name) in find(text, language)
