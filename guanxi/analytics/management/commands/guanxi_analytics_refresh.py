"""`guanxi analytics refresh`: recompute every customer's scores now."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from guanxi.analytics.services import analytics_refresh


class Command(BaseCommand):
    help = "Recompute RFM segment, CLV, churn risk and cluster for every customer."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        run = analytics_refresh(actor=None, as_of=options["as_of"])
        self.stdout.write(
            f"run {run.pk}: {run.status}, {run.customers} customers, {run.seconds:.1f}s"
        )
        if run.churn_auc:
            best = max(run.churn_auc.items(), key=lambda kv: kv[1])
            self.stdout.write(
                f"holdout churn AUC: pareto_nbd_risk={run.churn_auc.get('pareto_nbd_risk', 0):.3f} (best {best[0]}={best[1]:.3f})"
            )
        if run.error:
            self.stderr.write(run.error)
