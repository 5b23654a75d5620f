"""Street addresses and postcodes are places; cities and street names alone are not."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("language", "text", "address"),
    [
        ("fi", "Asun osoitteessa Hämeenkatu 12 B 5, Tampere.", "Hämeenkatu 12 B 5"),
        ("fi", "Osoite: Mannerheimintie 40 A 12.", "Mannerheimintie 40 A 12"),
        ("sv", "Jag bor på Storgatan 5 i Umeå.", "Storgatan 5"),
        ("sv", "Vasagatan 12 lgh 1102 har mögel.", "Vasagatan 12 lgh 1102"),
        ("de", "Ich wohne in der Hauptstraße 12a in Berlin.", "Hauptstraße 12a"),
        ("de", "Wir treffen uns Am Markt 3.", "Am Markt 3"),
        ("de", "Das Büro ist in der Berliner Straße 45.", "Berliner Straße 45"),
        ("en", "She lives at 12 Baker Street now.", "12 Baker Street"),
        ("en", "Flat 4, 18 Albion Terrace has no heating.", "Flat 4, 18 Albion Terrace"),
    ],
)
def test_addresses(find, language, text, address):
    assert ("address", address) in find(text, language)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fi", "Hämeenkatu oli remontissa koko kesän, ja Tampere lupasi korjata sen."),
        ("fi", "Helsingissä ja Lahdessa oli kylmää."),
        ("sv", "Storgatan var avstängd i Stockholm hela veckan."),
        ("de", "Die Hauptstraße in Berlin war gesperrt."),
        ("en", "Baker Street in London was closed all week."),
    ],
)
def test_cities_and_street_names_alone_are_not_flagged(find, language, text):
    assert find(text, language) == []


@pytest.mark.parametrize(
    ("language", "text", "postcode"),
    [
        ("fi", "Osoite on 00100 Helsinki.", "00100"),
        ("sv", "Adress: 114 55 Stockholm.", "114 55"),
        ("sv", "Adress: SE-413 01 Göteborg.", "SE-413 01"),
        ("de", "Anschrift: 10115 Berlin.", "10115"),
        ("de", "Anschrift: D-50968 Köln.", "D-50968"),
        ("en", "Post it to M8 8EP please.", "M8 8EP"),
    ],
)
def test_postcodes_in_context(find, language, text, postcode):
    assert ("postcode", postcode) in find(text, language)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Die Linie fährt für 10000 Menschen täglich."),
        ("de", "Wir sparen 80000 Euro im Jahr."),
        ("fi", "Vuonna 2024 Helsinki sai 12000 uutta asukasta."),
        ("sv", "Det kostade 125 00 kronor."),
    ],
)
def test_numbers_before_capitalised_words_are_not_postcodes(find, language, text):
    assert not any(kind == "postcode" for kind, _ in find(text, language))
