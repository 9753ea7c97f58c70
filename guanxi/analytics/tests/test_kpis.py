"""KPIs on a small hand-checkable table, for a date range and a customer subset."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from guanxi.analytics.compute import (
    churn_rate,
    cohort_matrix,
    cohort_retention,
    kpi_summary,
    retention_rate,
    revenue_growth,
)

D = dt.date


def _tx() -> pl.DataFrame:
    rows = [
        ("a", D(2024, 1, 5), 10.0),
        ("b", D(2024, 1, 9), 20.0),
        ("c", D(2024, 1, 20), 30.0),
        ("a", D(2024, 2, 3), 40.0),
        ("a", D(2024, 2, 10), 10.0),
        ("d", D(2024, 2, 15), 50.0),
        ("b", D(2024, 3, 1), 25.0),
    ]
    return pl.DataFrame(rows, schema=["customer_id", "date", "amount"], orient="row")


def test_february_kpis() -> None:
    kpis = kpi_summary(_tx(), start=D(2024, 2, 1), end=D(2024, 2, 29))
    assert kpis["active_customers"] == 2
    assert kpis["orders"] == 3
    assert kpis["revenue"] == 100.0
    assert kpis["repeat_purchase_rate"] == 0.5
    assert kpis["purchase_frequency"] == 1.5
    assert kpis["average_order_value"] == pytest.approx(100 / 3)
    # Jan 3 – Jan 31 (29 days before) had a, b, c active; only a came back
    assert kpis["retention_rate"] == pytest.approx(1 / 3)
    assert kpis["churn_rate"] == pytest.approx(2 / 3)


def test_kpis_for_a_customer_subset() -> None:
    rate = retention_rate(_tx(), start=D(2024, 2, 1), end=D(2024, 2, 29), customers={"b", "c"})
    assert rate == 0.0
    assert churn_rate(_tx(), start=D(2024, 2, 1), end=D(2024, 2, 29), customers=["a"]) == 0.0
    kpis = kpi_summary(_tx(), start=D(2024, 1, 1), end=D(2024, 3, 31), customers=pl.Series(["a"]))
    assert kpis["orders"] == 3
    assert kpis["retention_rate"] is None  # nobody active in the previous range: no ratio, no NaN


def test_cohort_retention_by_first_purchase_month() -> None:
    cohorts = cohort_retention(_tx())
    january = cohorts.filter(pl.col("cohort") == D(2024, 1, 1))
    assert january["cohort_size"].unique().to_list() == [3]
    assert january["active_customers"].to_list() == [3, 1, 1]
    assert january["retention"].to_list() == pytest.approx([1.0, 1 / 3, 1 / 3])
    matrix = cohort_matrix(cohorts)
    assert matrix.height == 2


def test_revenue_growth_by_month() -> None:
    growth = revenue_growth(_tx(), start=D(2024, 1, 1), end=D(2024, 3, 31))
    assert growth["revenue"].to_list() == [60.0, 100.0, 25.0]
    assert growth["growth"].to_list()[0] is None
    assert growth["growth"].to_list()[1:] == pytest.approx([100 / 60 - 1, 25 / 100 - 1])
