"""``manage.py load_demo``: a demo drive and demo accounts, so a fresh install can be tried."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from stories.domain import roles
from stories.enums import Role
from stories.models import ConsentText, Drive

CONSENT_TEXTS = {
    "en": (
        "We keep your story safely. Nothing that could identify you is published. "
        "Choose what may be published. You can withdraw at any time with your receipt."
    ),
    "fi": (
        "Säilytämme tarinasi turvallisesti. Mitään, mistä sinut voisi tunnistaa, ei julkaista. "
        "Valitse, mitä saa julkaista. Voit perua suostumuksesi milloin tahansa kuitillasi."
    ),
    "sv": (
        "Vi förvarar din berättelse tryggt. Inget som kan identifiera dig publiceras. "
        "Välj vad som får publiceras. Du kan återkalla när som helst med ditt kvitto."
    ),
    "de": (
        "Wir bewahren deine Geschichte sicher auf. Nichts, was dich erkennbar macht, wird "
        "veröffentlicht. Wähle, was veröffentlicht werden darf. Du kannst jederzeit mit "
        "deiner Quittung widerrufen."
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
            },
        )
        for language, text in CONSENT_TEXTS.items():
            ConsentText.objects.get_or_create(
                drive=drive, version=1, language=language, defaults={"text": text}
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
