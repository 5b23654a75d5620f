"""``manage.py load_demo``: a demo drive and demo accounts, so a fresh install can be tried."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from stories.domain import roles
from stories.enums import Role
from stories.models import ConsentText, Drive

# Version 2: version 1 said "Nothing that could identify you is published" beside boxes
# that publish a recognisable voice or face. Only a promise that holds for every box.
CONSENT_VERSION = 2
CONSENT_TEXTS = {
    "en": (
        "We keep your story safely. Only what you allow below is published, and a curator "
        "reads it first. We remove names and other personal details from published words, "
        "but a voice, a face or a photo can be recognised. You can withdraw at any time with "
        "your receipt."
    ),
    "fi": (
        "Säilytämme tarinasi turvallisesti. Vain se, minkä sallit alla, julkaistaan, ja "
        "kuraattori lukee sen ensin. Poistamme julkaistavista sanoista nimet ja muut "
        "henkilötiedot, mutta äänen, kasvot tai kuvan voi tunnistaa. Voit perua milloin "
        "tahansa kuitillasi."
    ),
    "sv": (
        "Vi förvarar din berättelse tryggt. Bara det du tillåter nedan publiceras, och en "
        "kurator läser det först. Vi tar bort namn och andra personuppgifter ur publicerade "
        "ord, men en röst, ett ansikte eller ett foto kan kännas igen. Du kan återkalla när "
        "som helst med ditt kvitto."
    ),
    "de": (
        "Wir bewahren deine Geschichte sicher auf. Nur was du unten erlaubst, wird "
        "veröffentlicht, und die Redaktion liest es vorher. Aus veröffentlichten Worten "
        "entfernen wir Namen und andere persönliche Angaben, aber eine Stimme, ein Gesicht "
        "oder ein Foto kann man erkennen. Du kannst jederzeit mit deiner Quittung widerrufen."
    ),
}

PROMPTS = [
    {
        "en": "Tell us about a time a service listened to you - or did not.",
        "fi": "Kerro kerrasta, jolloin palvelu kuunteli sinua - tai ei kuunnellut.",
        "sv": "Berätta om en gång då en tjänst lyssnade på dig - eller inte.",
        "de": "Erzähl von einem Mal, als ein Dienst dir zugehört hat - oder nicht.",
    }
]


def _words(en: str, fi: str, sv: str, de: str) -> dict[str, str]:
    return {"en": en, "fi": fi, "sv": sv, "de": de}


QUESTIONS = [
    {
        "key": "about",
        "type": "triad",
        "prompt": _words(
            "This story is mostly about…",
            "Tämä tarina kertoo eniten…",
            "Den här berättelsen handlar mest om…",
            "In dieser Geschichte geht es vor allem um…",
        ),
        "corners": [
            {
                "key": "power",
                "label": _words(
                    "who decides", "siitä, kuka päättää", "vem som bestämmer", "wer entscheidet"
                ),
            },
            {
                "key": "care",
                "label": _words("being cared for", "välittämisestä", "omsorg", "Fürsorge"),
            },
            {
                "key": "information",
                "label": _words(
                    "getting information",
                    "tiedon saamisesta",
                    "att få information",
                    "Informationen bekommen",
                ),
            },
        ],
    },
    {
        "key": "heard",
        "type": "slider",
        "prompt": _words(
            "Did you feel heard?",
            "Tunsitko, että sinua kuultiin?",
            "Kände du dig hörd?",
            "Hast du dich gehört gefühlt?",
        ),
        "left": _words("not at all", "en lainkaan", "inte alls", "gar nicht"),
        "right": _words("completely", "täysin", "helt", "völlig"),
    },
    {
        "key": "role",
        "type": "choice",
        "prompt": _words(
            "You told this story as…", "Kerroit tarinan…", "Du berättade som…", "Du erzählst als…"
        ),
        "options": [
            {
                "key": "user",
                "label": _words(
                    "someone who uses the service",
                    "palvelun käyttäjänä",
                    "någon som använder tjänsten",
                    "jemand, der den Dienst nutzt",
                ),
            },
            {
                "key": "family",
                "label": _words(
                    "a family member", "läheisenä", "anhörig", "Angehörige oder Angehöriger"
                ),
            },
            {
                "key": "staff",
                "label": _words(
                    "someone who works there",
                    "työntekijänä",
                    "någon som arbetar där",
                    "jemand, der dort arbeitet",
                ),
            },
        ],
    },
]


def _square(key: str, name: dict[str, str], west: float, south: float) -> dict[str, Any]:
    ring = [
        [west, south],
        [west + 0.04, south],
        [west + 0.04, south + 0.02],
        [west, south + 0.02],
        [west, south],
    ]
    return {
        "type": "Feature",
        "properties": {"key": key, "name": name},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


# Made-up neighbourhoods of a made-up town: a drive draws its own places.
AREAS = {
    "type": "FeatureCollection",
    "features": [
        _square(
            "west", _words("West side", "Länsipuoli", "Västra sidan", "Westseite"), 22.20, 60.44
        ),
        _square("centre", _words("Centre", "Keskusta", "Centrum", "Zentrum"), 22.24, 60.44),
        _square("east", _words("East side", "Itäpuoli", "Östra sidan", "Ostseite"), 22.28, 60.44),
    ],
}

DEMO_ACCOUNTS = [("reporter", Role.REPORTER), ("curator", Role.CURATOR), ("service", Role.SERVICE)]


class Command(BaseCommand):
    help = "Load the demo drive (slug 'demo') and demo accounts, printing their passwords."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-accounts", action="store_true", help="Only the drive.")

    def handle(self, *args: Any, **options: Any) -> None:
        drive, _ = Drive.objects.update_or_create(
            slug="demo",
            defaults={
                "title": "Demo: stories of public services",
                "description": "A demo drive to try Tarina. Tell a story of a public service.",
                "prompts": PROMPTS,
                "expected_languages": ["en", "fi", "sv", "de"],
                "default_language": "en",
                "allow_light_touch": True,
                "is_open": True,
                "questions": QUESTIONS,
                "areas": AREAS,
            },
        )
        for language, text in CONSENT_TEXTS.items():
            ConsentText.objects.get_or_create(
                drive=drive, version=CONSENT_VERSION, language=language, defaults={"text": text}
            )
        self.stdout.write("Demo drive: http://127.0.0.1:8000/api/v1/drives/demo/")
        if options["no_accounts"]:
            return
        for username, role in DEMO_ACCOUNTS:
            user, _ = get_user_model().objects.get_or_create(username=f"demo-{username}")
            password = secrets.token_urlsafe(9)
            user.set_password(password)
            user.save()
            roles.grant(user, role)
            self.stdout.write(f"  {role.label:<24} demo-{username:<10} password: {password}")
