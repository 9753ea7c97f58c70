"""Run background tasks and the periodic-job scheduler in one worker process."""

from __future__ import annotations

import threading
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from guanxi.core.scheduling import scheduler_tick


class Command(BaseCommand):
    help = "Run the task worker with the scheduler for periodic jobs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--tick", type=float, default=30.0, help="seconds between scheduler checks"
        )
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds between queue polls"
        )
        parser.add_argument(
            "--once", action="store_true", help="schedule due jobs, run queued tasks, exit"
        )
        parser.add_argument("--no-scheduler", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            if not options["no_scheduler"]:
                scheduler_tick()
            call_command(
                "db_worker", queue_name="*", batch=True, interval=0, verbosity=options["verbosity"]
            )
            return
        if not options["no_scheduler"]:
            threading.Thread(target=self._schedule, args=(options["tick"],), daemon=True).start()
        call_command(
            "db_worker",
            queue_name="*",
            interval=options["interval"],
            verbosity=options["verbosity"],
        )

    def _schedule(self, tick: float) -> None:
        while True:
            try:
                close_old_connections()
                scheduler_tick()
            except Exception:
                self.stderr.write("scheduler tick failed; retrying")
            finally:
                close_old_connections()
            time.sleep(tick)
