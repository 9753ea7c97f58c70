"""Load the realistic demo data set (idempotent for people; domain apps add their parts)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from guanxi.core.demo import DEMO_PASSWORD, DEMO_USERS, demo_steps


class Command(BaseCommand):
    help = "Generate demo data: teams, users and each app's records."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--customers", type=int, default=3000, help="how many customers")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args: Any, **options: Any) -> None:
        for step in demo_steps():
            started = time.perf_counter()
            step.fn(size=options["customers"], seed=options["seed"], out=self.stdout.write)
            self.stdout.write(f"  ({step.name}: {time.perf_counter() - started:.1f}s)")
        self.stdout.write(self.style.SUCCESS(f"Demo sign-ins (password: {DEMO_PASSWORD}):"))
        for spec in DEMO_USERS:
            self.stdout.write(f"  {spec['username']:<10} {spec['role']:<10} {spec['display_name']}")
