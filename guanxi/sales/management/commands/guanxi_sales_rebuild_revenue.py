"""`guanxi sales rebuild-revenue`: recompute the revenue rollups from the order lines."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from guanxi.sales.services.rollups import rollups_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the revenue the sales reports read (per day, product and customer) from "
        "the order lines. Needed only after orders were loaded past the order services."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        written = rollups_rebuild()
        for table, rows in written.items():
            self.stdout.write(f"{table}: {rows} rows")
        self.stdout.write(f"done in {time.perf_counter() - started:.1f}s")
