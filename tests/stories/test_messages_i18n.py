"""What the API tells a reporter comes in their language: Accept-Language or the language cookie.

English stays the default for a request that names no language.
"""

from __future__ import annotations

import base64
import json
import re

import pytest

from stories.domain import receipts
from tests.stories.test_submission import wav_upload

STORIES = "/api/v1/stories/"
UPLOADS = "/api/v1/uploads/"


def asking_in(client, lang: str | None) -> dict[str, str]:
    """Request headers that choose ``lang``: Finnish by header, German by cookie, else none."""
    if lang == "de":
        client.cookies["django_language"] = "de"
    return {"HTTP_ACCEPT_LANGUAGE": "fi"} if lang == "fi" else {}


@pytest.mark.parametrize(
    ("lang", "drive_error", "consent_error"),
    [
        (
            None,
            "There is no drive called 'nowhere'.",
            "We can only keep your story if you agree that we store it.",
        ),
        (
            "fi",
            "Keräystä nimeltä 'nowhere' ei ole.",
            "Voimme säilyttää tarinasi vain, jos annat luvan tallentaa sen.",
        ),
        (
            "de",
            "Es gibt keine Sammelaktion namens 'nowhere'.",
            "Wir können deine Geschichte nur behalten, wenn du zustimmst, dass wir sie speichern.",
        ),
    ],
)
def test_a_refused_submission_in_the_reporters_language(
    client_for, drive, lang, drive_error, consent_error
):
    client = client_for()
    body = {"drive": "nowhere", "kind": "text", "text": "x", "consent": {"store": False}}
    response = client.post(STORIES, body, format="json", **asking_in(client, lang))
    assert response.status_code == 400
    assert response.json()["drive"] == [drive_error]
    assert response.json()["consent"] == {"store": [consent_error]}


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (None, "story.wav is a recording, which does not fit a photo story."),
        ("fi", "story.wav on tallenne, joka ei sovi kuvatarinaan."),
        ("de", "story.wav ist eine Aufnahme und passt nicht zu einer Foto-Geschichte."),
    ],
)
def test_a_file_that_does_not_fit_in_the_reporters_language(client_for, drive, lang, expected):
    client = client_for()
    body = {
        "drive": drive.slug,
        "kind": "photo",
        "consent": json.dumps({"store": True}),
        "files": [wav_upload()],
    }
    response = client.post(STORIES, body, format="multipart", **asking_in(client, lang))
    assert response.status_code == 400
    assert response.json()["files"] == [expected]


@pytest.mark.parametrize(
    ("lang", "version", "metadata"),
    [
        (
            None,
            "This server speaks tus 1.0.0: send 'Tus-Resumable: 1.0.0'.",
            "Upload-Metadata names 'drive' twice.",
        ),
        (
            "fi",
            "Tämä palvelin käyttää tus-versiota 1.0.0: lähetä 'Tus-Resumable: 1.0.0'.",
            "Upload-Metadata sisältää avaimen 'drive' kahdesti.",
        ),
        (
            "de",
            "Dieser Server spricht tus 1.0.0: sende 'Tus-Resumable: 1.0.0'.",
            "Upload-Metadata nennt 'drive' zweimal.",
        ),
    ],
)
def test_tus_errors_in_the_reporters_language(client_for, drive, lang, version, metadata):
    client = client_for()
    headers = asking_in(client, lang)
    old_client = client.post(UPLOADS, HTTP_UPLOAD_LENGTH="3", **headers)
    assert old_client.status_code == 412
    assert old_client.json() == {"detail": version}
    slug = base64.b64encode(drive.slug.encode()).decode()
    twice = client.post(
        UPLOADS,
        HTTP_TUS_RESUMABLE="1.0.0",
        HTTP_UPLOAD_LENGTH="3",
        HTTP_UPLOAD_METADATA=f"drive {slug},drive {slug}",
        **headers,
    )
    assert twice.status_code == 400
    assert twice.json() == {"detail": metadata}


@pytest.mark.parametrize(
    ("lang", "lookup", "withdrawal"),
    [
        (
            None,
            "No story matches this receipt. Check it for typing errors.",
            "No story matches this receipt.",
        ),
        (
            "fi",
            "Kuitilla ei löytynyt tarinaa. Tarkista kirjoitusvirheet.",
            "Kuitilla ei löytynyt tarinaa.",
        ),
        (
            "de",
            "Zu dieser Quittung gibt es keine Geschichte. Prüfe sie auf Tippfehler.",
            "Zu dieser Quittung gibt es keine Geschichte.",
        ),
    ],
)
def test_a_bad_receipt_in_the_reporters_language(client_for, db, lang, lookup, withdrawal):
    client = client_for()
    headers = asking_in(client, lang)
    unknown = receipts.issue()[0]
    looked_up = client.get(f"/api/v1/receipts/{unknown}/", **headers)
    assert looked_up.status_code == 404
    assert looked_up.json() == {"detail": lookup}
    withdrawn = client.post("/api/v1/withdrawals/", {"receipt": unknown}, format="json", **headers)
    assert withdrawn.status_code == 400
    assert withdrawn.json() == {"receipt": [withdrawal]}
    narrowed = client.post(
        "/api/v1/consent/", {"receipt": unknown, "keep": ["store"]}, format="json", **headers
    )
    assert narrowed.status_code == 404
    assert narrowed.json() == {"detail": withdrawal}


@pytest.mark.parametrize(
    ("lang", "pattern"),
    [
        (None, r"Too many requests were sent from here just now\. Try again in (\d+) seconds\."),
        ("fi", r"Täältä lähetettiin juuri liian monta pyyntöä\. Yritä uudelleen (\d+) sekunnin "),
        (
            "de",
            r"Von hier wurden gerade zu viele Anfragen gesendet\. Versuche es in (\d+) Sekunden",
        ),
    ],
)
def test_a_throttled_submission_in_the_reporters_language(
    client_for, drive, settings, lang, pattern
):
    settings.TARINA_SUBMISSION_THROTTLE_ADDRESS = "1/hour"
    client = client_for()
    headers = asking_in(client, lang)
    body = {"drive": drive.slug, "kind": "text", "text": "Hello", "consent": {"store": True}}
    assert client.post(STORIES, body, format="json", **headers).status_code == 201
    refused = client.post(STORIES, body, format="json", **headers)
    assert refused.status_code == 429
    found = re.match(pattern, refused.json()["detail"])
    assert found, refused.json()
    assert int(found.group(1)) == int(refused["Retry-After"])


def test_the_no_js_form_shows_the_serializers_errors_in_finnish(client, drive):
    page = client.post(
        f"/d/{drive.slug}/",
        {"kind": "text", "text": "", "consent_store": "on"},
        HTTP_ACCEPT_LANGUAGE="fi",
    )
    assert page.status_code == 400
    assert "Tekstitarinaan tarvitaan tekstiä." in page.content.decode()


@pytest.mark.parametrize("lang", ["fi", "sv", "de"])
def test_translations_keep_every_placeholder(lang):
    import polib

    from frontend.management.commands.compile_translations import project_locale_dirs

    placeholder = re.compile(r"%\(\w+\)[sd]|\{\w+\}|\{\{|\}\}")
    for folder in project_locale_dirs():
        for entry in polib.pofile(str(folder / lang / "LC_MESSAGES" / "django.po")):
            if entry.msgid_plural:  # a singular form may say "one" instead of the number
                wanted = set(placeholder.findall(entry.msgid_plural))
                for text in entry.msgstr_plural.values():
                    assert set(placeholder.findall(text)) <= wanted, (folder, entry.msgid)
            elif entry.msgstr:
                found = sorted(placeholder.findall(entry.msgstr))
                assert found == sorted(placeholder.findall(entry.msgid)), (folder, entry.msgid)


def field_messages(serializer):
    """(field, key, message) for every refusal the serializer's fields can answer with."""
    for name, field in serializer.fields.items():
        for inner in (field, getattr(field, "child", None)):
            if inner is None:
                continue
            for key, message in inner.error_messages.items():
                # A bound that is not set cannot be broken.
                if key.startswith(("min_", "max_")) and getattr(inner, key, None) is None:
                    continue
                yield name, key, message


@pytest.mark.parametrize("lang", ["fi", "sv", "de"])
def test_every_field_error_a_reporter_can_get_is_translated(lang):
    from django.utils import translation

    from stories.api.review_serializers import ConsentNarrowingSerializer
    from stories.api.serializers import (
        ConsentScopesSerializer,
        StorySubmitSerializer,
        WithdrawalSerializer,
    )

    serializers = [
        StorySubmitSerializer(),
        ConsentScopesSerializer(),
        WithdrawalSerializer(),
        ConsentNarrowingSerializer(),
    ]
    english, checked = [], set()
    for serializer in serializers:
        for name, key, message in field_messages(serializer):
            checked.add((type(serializer).__name__, name, key))
            with translation.override("en"):
                source = str(message)
            with translation.override(lang):
                if str(message) == source:
                    english.append((type(serializer).__name__, name, key, source))
    assert ("StorySubmitSerializer", "drive", "does_not_exist") in checked
    assert ("ConsentScopesSerializer", "store", "invalid") in checked
    assert english == []
