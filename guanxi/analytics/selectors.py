"""Analytics reads: runs, policy, and aggregates over the customers the actor may see."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, QuerySet

from guanxi.analytics import compute as ac
from guanxi.analytics.frames import order_transactions
from guanxi.analytics.models import ScoreRun
from guanxi.core.errors import Invalid, NotFound
from guanxi.core.models import User
from guanxi.core.permissions import require_perm
from guanxi.customers.models import Account
from guanxi.customers.selectors import account_list


def run_list(*, actor: User) -> QuerySet[ScoreRun]:
    """Scoring runs hold book-wide figures: for those who may see the scoring policy."""
    require_perm(actor, "analytics.policy", "view")
    return ScoreRun.objects.select_related("triggered_by").order_by("-started_at", "-id")


def run_latest(*, actor: User) -> ScoreRun | None:
    """The newest finished run (done, empty or failed), if any."""
    return run_list(actor=actor).exclude(status=ScoreRun.Status.RUNNING).first()


def run_get(*, actor: User, run_id: Any) -> ScoreRun:
    try:
        return run_list(actor=actor).get(pk=run_id)
    except (ScoreRun.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc


def _visible_accounts(actor: User) -> QuerySet[Account]:
    return account_list(actor=actor)


def score_distribution(*, actor: User) -> dict[str, list[dict[str, Any]]]:
    """How the actor's visible customers spread over RFM segments, risk bands and clusters."""
    require_perm(actor, "analytics.scores", "view")
    accounts = _visible_accounts(actor).filter(score__isnull=False).order_by()
    result: dict[str, list[dict[str, Any]]] = {}
    for key, column in (
        ("segments", "score__rfm_segment"),
        ("bands", "score__risk_band"),
        ("clusters", "score__cluster_label"),
    ):
        rows = accounts.values(column).annotate(n=Count("pk")).order_by("-n")
        result[key] = [{"key": r[column] or "", "customers": r["n"]} for r in rows]
    return result


def kpis(*, actor: User, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Retention, churn, repeat rate, frequency, AOV and growth for the actor's customers."""
    require_perm(actor, "analytics.scores", "view")
    if start > end:
        raise Invalid(fields={"start": ["The start must not be after the end."]})
    if (end - start).days > 3660:
        raise Invalid(fields={"start": ["At most ten years at a time."]})
    tx = order_transactions(until=end, accounts=_visible_accounts(actor))
    if tx.height == 0:
        return {"start": start, "end": end, "summary": {}, "cohorts": [], "growth": []}
    summary = ac.kpi_summary(tx, start=start, end=end)
    cohorts = ac.cohort_retention(tx, start=start, end=end)
    growth = ac.revenue_growth(tx, start=start, end=end, period="month")
    return {
        "start": start,
        "end": end,
        "summary": summary,
        "cohorts": cohorts.to_dicts(),
        "growth": growth.to_dicts(),
    }
