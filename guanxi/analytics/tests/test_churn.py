"""Churn risk: Pareto/NBD-based risk beats BG/NBD 1 − P(alive) on the CDNOW holdout."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from guanxi.analytics.compute import (
    AnalyticsInputError,
    FitResult,
    churn_holdout_auc,
    churn_risk,
    supervised_churn,
)


def test_pareto_nbd_risk_ranks_holdout_churn_better_than_bgnbd_p_alive(
    cdnow_summary: pl.DataFrame, cdnow_bgnbd: FitResult, cdnow_pareto: FitResult
) -> None:
    auc = churn_holdout_auc(cdnow_summary, bgnbd=cdnow_bgnbd, pareto_nbd=cdnow_pareto)
    # BG/NBD says every one-time buyer is alive: worse than chance on CDNOW
    assert auc["bgnbd_1_minus_p_alive"] < 0.5
    assert auc["pareto_nbd_risk"] > 0.5
    assert auc["pareto_nbd_risk"] > auc["bgnbd_1_minus_p_alive"]
    assert auc["pareto_nbd_risk"] >= max(auc.values()) - 1e-12
    assert auc["pareto_nbd_risk"] == pytest.approx(0.779, abs=1e-3)
    assert auc["pareto_nbd_1_minus_p_alive"] == pytest.approx(0.726, abs=1e-3)


def test_churn_risk_has_score_band_and_bilingual_reasons(
    cdnow_summary: pl.DataFrame, cdnow_pareto: FitResult
) -> None:
    risk = churn_risk(cdnow_summary, cdnow_pareto, horizon=13, period="week")
    assert risk.height == 2357
    assert risk["risk"].min() > 0 and risk["risk"].max() <= 1  # type: ignore[operator]
    assert set(risk["band"].unique()) == {"low", "medium", "high"}
    assert risk.null_count().sum_horizontal().item() == 0
    customer2 = risk.filter(pl.col("customer_id") == 2).row(0, named=True)
    # customer 2 bought twice in January 1997 and then nothing until the end of September
    assert customer2["reason_en"].startswith(
        "no purchase for 260 days while usually buying every 12"
    )
    assert customer2["reason_zh"].startswith("已 260 天未购买，通常每 12 天购买一次")
    one_time = risk.filter(pl.col("frequency") == 0).row(0, named=True)
    assert one_time["reason_en"].startswith("only one purchase")
    assert one_time["reason_zh"].startswith("仅购买过一次")


def test_churn_risk_refuses_bgnbd(cdnow_summary: pl.DataFrame, cdnow_bgnbd: FitResult) -> None:
    with pytest.raises(AnalyticsInputError, match="Pareto/NBD"):
        churn_risk(cdnow_summary, cdnow_bgnbd, horizon=13, period="week")


def test_supervised_churn_on_a_time_split_beats_chance(cdnow_transactions: pl.DataFrame) -> None:
    result = supervised_churn(cdnow_transactions, cutoff=dt.date(1998, 3, 31), horizon_days=91)
    assert result.auc > 0.7
    assert result.test_customers == 2357
    assert result.scores["risk"].is_between(0, 1).all()
    with pytest.raises(AnalyticsInputError, match="labels need purchases"):
        supervised_churn(cdnow_transactions, cutoff=dt.date(1998, 6, 1), horizon_days=91)
