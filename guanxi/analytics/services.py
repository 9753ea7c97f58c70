"""Analytics writes: compute every customer's scores from Guanxi's orders and store them.

Scores go back onto customers through the customers app's services (no cross-app writes).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

import polars as pl
from django.db import transaction
from django.utils import timezone

from guanxi.analytics import compute as ac
from guanxi.analytics.frames import order_transactions
from guanxi.analytics.models import ScoreRun, ScoringPolicy
from guanxi.core.audit import audit_log
from guanxi.core.models import User
from guanxi.core.permissions import require_perm
from guanxi.core.records import versioned_update
from guanxi.customers.services import (
    ScoreRow,
    account_scores_bulk_upsert,
    account_set_lifecycle_stage_bulk,
)

logger = logging.getLogger(__name__)
PERIOD: Literal["week"] = "week"
CENT = Decimal("0.01")
# Stages a churn rule may move a customer out of; a lead or prospect has not bought yet.
RULE_MOVABLE = {"new", "active", "loyal", "won_back", "at_risk"}
POLICY_FIELDS = frozenset(
    {
        "horizon_days",
        "clv_horizon_months",
        "monthly_discount_rate",
        "medium_risk",
        "high_risk",
        "move_lifecycle",
        "at_risk_from",
        "churned_from",
    }
)


def scoring_policy() -> ScoringPolicy:
    policy, _created = ScoringPolicy.objects.get_or_create(pk=1)
    return policy


@transaction.atomic
def scoring_policy_update(
    *, actor: User, changes: dict[str, Any], expected_version: int | None
) -> ScoringPolicy:
    """Change how scores are computed; medium < high and at-risk ≤ churned must hold."""
    from django.utils.translation import gettext as _

    from guanxi.core.errors import Invalid

    require_perm(actor, "analytics.policy", "change")
    unknown = set(changes) - POLICY_FIELDS
    if unknown:
        raise Invalid(fields={k: [_("Unknown field.")] for k in sorted(unknown)})
    policy = scoring_policy()
    merged = {f: changes.get(f, getattr(policy, f)) for f in POLICY_FIELDS}
    errors: dict[str, list[str]] = {}
    if merged["medium_risk"] >= merged["high_risk"]:
        errors["high_risk"] = [_("High risk must start above medium risk.")]
    if merged["at_risk_from"] > merged["churned_from"]:
        errors["churned_from"] = [_("'Churned' must start at or above 'at risk'.")]
    if errors:
        raise Invalid(fields=errors)
    return versioned_update(
        actor=actor, obj=policy, changes=changes, expected_version=expected_version
    )


def _money(value: float | None) -> Decimal | None:
    if value is None or value != value:  # NaN never reaches the database
        return None
    return Decimal(repr(float(value))).quantize(CENT, rounding=ROUND_HALF_UP)


def _holdout_checks(
    tx: pl.DataFrame, as_of: dt.date, horizon_days: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Fit on all but the last horizon and score how well each risk ranks 'no purchase since'."""
    calibration_end = as_of - dt.timedelta(days=horizon_days)
    calibration = tx.filter(pl.col("date") <= calibration_end)
    if calibration.height == 0 or calibration.get_column("customer_id").n_unique() < 20:
        return {}, {"note": "too little history for a holdout check"}
    summary = ac.summarize_transactions(
        tx, period=PERIOD, calibration_end=calibration_end, observation_end=as_of
    )
    stats = ac.compress_summary(summary)
    bg, pn = ac.fit_bgnbd(stats), ac.fit_pareto_nbd(stats)
    try:
        auc = ac.churn_holdout_auc(summary, bgnbd=bg, pareto_nbd=pn)
    except ac.AnalyticsInputError as exc:
        # e.g. nobody (or everybody) bought in the holdout: no ranking to check, scores still run
        return {}, {"calibration_end": calibration_end.isoformat(), "note": str(exc)}
    buckets = ac.holdout_check(bg, summary)
    return auc, {"calibration_end": calibration_end.isoformat(), "buckets": buckets.to_dicts()}


def analytics_refresh(*, actor: User | None, as_of: dt.date | None = None) -> ScoreRun:
    """Recompute RFM, CLV, churn risk and clusters for every customer and store them.

    A person needs the scores 'change' permission; the scheduled job runs with actor=None.
    The lifecycle rule then moves customers to 'at risk' or 'churned' by churn risk.
    """
    if actor is not None:
        require_perm(actor, "analytics.scores", "change")
    started = time.perf_counter()
    as_of = as_of or timezone.localdate()
    policy = scoring_policy()
    run = ScoreRun.objects.create(triggered_by=actor, as_of=as_of)
    try:
        _compute(run, policy, as_of)
    except ac.AnalyticsInputError as exc:
        run.status, run.error = ScoreRun.Status.FAILED, str(exc)
        logger.warning("scoring run %s failed: %s", run.pk, exc)
    run.finished_at = timezone.now()
    run.seconds = round(time.perf_counter() - started, 3)
    run.save()
    return run


def _compute(run: ScoreRun, policy: ScoringPolicy, as_of: dt.date) -> None:
    tx = order_transactions(until=as_of)
    if tx.height == 0:
        run.status = ScoreRun.Status.EMPTY
        return
    horizon_units = policy.horizon_days / 7
    auc, holdout = _holdout_checks(tx, as_of, policy.horizon_days)
    summary = ac.summarize_transactions(
        tx, period=PERIOD, calibration_end=as_of, observation_end=as_of
    )
    stats = ac.compress_summary(summary)
    bg, pn = ac.fit_bgnbd(stats), ac.fit_pareto_nbd(stats)
    gg = ac.fit_gamma_gamma(
        summary.get_column("frequency").to_numpy(), summary.get_column("monetary_value").to_numpy()
    )
    clv, _, _ = ac.clv_table(
        summary,
        period=PERIOD,
        horizon_months=policy.clv_horizon_months,
        discount_rate=float(policy.monthly_discount_rate),
        fit=pn,
        spend_fit=gg,
    )
    risk = ac.churn_risk(
        summary,
        pn,
        horizon=horizon_units,
        period=PERIOD,
        bands=(policy.medium_risk, policy.high_risk),
    )
    rfm = ac.rfm_table(tx, as_of=as_of)
    table = (
        clv.select("customer_id", "probability_alive", "clv")
        .join(
            risk.select("customer_id", "risk", "band", "reason_en", "reason_zh"), on="customer_id"
        )
        .join(
            rfm.select("customer_id", "r_score", "f_score", "m_score", "segment"), on="customer_id"
        )
    )
    cluster_names: dict[int, str] = {}
    try:
        clusters = ac.cluster_customers(ac.customer_features(tx, as_of=as_of), seed=7)
        table = table.join(clusters.assignments, on="customer_id", how="left")
        cluster_names = {
            int(p["cluster"]): f"{p['name_zh']} / {p['name_en']}"
            for p in clusters.profiles.to_dicts()
        }
        run.clusters = clusters.profiles.to_dicts()
    except ac.AnalyticsInputError as exc:
        table = table.with_columns(pl.lit(None, dtype=pl.Int64).alias("cluster"))
        run.clusters = [{"note": str(exc)}]
    now = timezone.now()
    rows = [
        ScoreRow(
            account_id=int(r["customer_id"]),
            rfm_segment=r["segment"] or "",
            r_score=r["r_score"],
            f_score=r["f_score"],
            m_score=r["m_score"],
            clv=_money(r["clv"]),
            p_alive=r["probability_alive"],
            churn_risk=r["risk"],
            risk_band=r["band"] or "",
            cluster_label=cluster_names.get(r["cluster"], "") if r["cluster"] is not None else "",
            churn_reason_en=r["reason_en"] or "",
            churn_reason_zh=r["reason_zh"] or "",
            computed_at=now,
        )
        for r in table.iter_rows(named=True)
    ]
    written = account_scores_bulk_upsert(rows=rows)
    run.lifecycle_moves = _lifecycle_moves(table, policy) if policy.move_lifecycle else {}
    run.customers = written
    run.transactions = int(tx.select(pl.struct("customer_id", "date").n_unique()).item())
    run.fits = {"bgnbd": bg.to_dict(), "pareto_nbd": pn.to_dict(), "gamma_gamma": gg.to_dict()}
    run.churn_auc = auc
    run.holdout = holdout
    run.segments = dict(table.group_by("segment").len().iter_rows())
    run.bands = dict(table.group_by("band").len().iter_rows())
    run.status = ScoreRun.Status.DONE
    audit_log(actor=run.triggered_by, action="update", obj=run, changes={"customers": written})


def _lifecycle_moves(table: pl.DataFrame, policy: ScoringPolicy) -> dict[str, int]:
    """Move buyers whose churn risk passed a threshold to 'churned' or 'at risk'."""
    from guanxi.customers.selectors import account_stages

    churned = (
        table.filter(pl.col("risk") >= policy.churned_from).get_column("customer_id").to_list()
    )
    at_risk = (
        table.filter(
            (pl.col("risk") >= policy.at_risk_from) & (pl.col("risk") < policy.churned_from)
        )
        .get_column("customer_id")
        .to_list()
    )
    recovered = (
        table.filter(pl.col("risk") < policy.medium_risk).get_column("customer_id").to_list()
    )
    stages = account_stages(ids=churned + at_risk + recovered)
    moves = {
        "churned": [(i, "churned") for i in churned if stages.get(i) in RULE_MOVABLE],
        "at_risk": [(i, "at_risk") for i in at_risk if stages.get(i) in RULE_MOVABLE - {"at_risk"}],
        # Back from the brink: at-risk buyers are active again, churned ones won back.
        "active": [(i, "active") for i in recovered if stages.get(i) == "at_risk"],
        "won_back": [(i, "won_back") for i in recovered if stages.get(i) == "churned"],
    }
    reason = (
        f"churn risk: at risk ≥ {policy.at_risk_from:.0%}, churned ≥ {policy.churned_from:.0%},"
        f" recovered < {policy.medium_risk:.0%}"
    )
    return {
        stage: account_set_lifecycle_stage_bulk(actor=None, moves=pairs, reason=reason)
        for stage, pairs in moves.items()
    }
