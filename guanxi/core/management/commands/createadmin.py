"""Create an administrator account."""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from guanxi.core.errors import DomainError


class Command(BaseCommand):
    help = "Create an administrator (password from --password, GUANXI_ADMIN_PASSWORD or a prompt)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="admin")
        parser.add_argument("--password", default=None)
        parser.add_argument("--email", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        from guanxi.core.services import role_ensure_system_roles, user_create

        password = options["password"] or os.environ.get("GUANXI_ADMIN_PASSWORD")
        if not password:
            password = getpass.getpass("Password: ")
        roles = role_ensure_system_roles()
        try:
            user = user_create(
                actor=None,
                username=options["username"],
                password=password,
                role=roles["admin"],
                email=options["email"],
                is_superuser=True,
            )
        except DomainError as exc:
            detail = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.fields.items()) or exc.message
            raise CommandError(detail) from exc
        self.stdout.write(self.style.SUCCESS(f"Administrator {user.username} created."))
