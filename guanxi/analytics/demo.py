"""Demo: score the demo customers so the analytics pages and 360 figures have data at once."""

from __future__ import annotations

from collections.abc import Callable

from guanxi.core.demo import register_demo


@register_demo("analytics.scores", order=90)
def demo_scores(*, size: int, seed: int, out: Callable[[str], None]) -> None:
    from guanxi.analytics.services import analytics_refresh

    run = analytics_refresh(actor=None)
    auc = run.churn_auc.get("pareto_nbd_risk")
    note = f", holdout churn AUC {auc:.3f}" if auc is not None else ""
    out(f"analytics: {run.status}, {run.customers} customers scored{note}")
