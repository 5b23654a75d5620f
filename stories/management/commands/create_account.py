"""``manage.py create_account USERNAME --role ROLE [--print-token]``: accounts for scripts."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rest_framework.authtoken.models import Token

from stories.domain import roles
from stories.enums import Role


class Command(BaseCommand):
    help = "Create (or update) an account with a role; optionally print its API token."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=[r.value for r in Role])
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password", help="Set this password; without it a random one is set and printed."
        )
        parser.add_argument("--print-token", action="store_true", help="Print the API token.")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"].strip()
        if not username:
            raise CommandError("The username must not be empty.")
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"email": options["email"]}
        )
        password = options["password"] or secrets.token_urlsafe(12)
        user.set_password(password)
        user.save()
        roles.grant(user, Role(options["role"]))
        verb = "Created" if created else "Updated"
        self.stderr.write(f"{verb} {options['role']} account '{username}'.")
        if not options["password"]:
            self.stderr.write(f"Password: {password}")
        if options["print_token"]:
            token, _ = Token.objects.get_or_create(user=user)
            self.stdout.write(token.key)
