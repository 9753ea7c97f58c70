"""Customer KPIs for any date range and an optional customer subset (a segment).

Definitions (both range ends inclusive; each transaction row is one order):
* active customers = customers with an order in the range;
* retention rate = share of the customers active in the previous range of the same length
  who are active again in this range; churn rate = 1 − retention rate;
* repeat purchase rate = share of active customers with at least two orders in the range;
* purchase frequency = orders / active customers; average order value = revenue / orders;
* cohort retention: cohort = month of a customer's first purchase (over the whole history),
  retention in month k = share of the cohort with an order k months later;
* revenue growth = revenue of a period / revenue of the previous period − 1 (null for the
  first period or when the previous revenue is 0, never NaN).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import polars as pl

from guanxi.analytics.compute.errors import AnalyticsInputError
from guanxi.analytics.compute.io import AMOUNT, CUSTOMER, DATE

CustomerSubset = pl.DataFrame | pl.Series | set[Any] | list[Any] | None
GrowthPeriod = Literal["week", "month", "quarter", "year"]
_TRUNCATE = {"week": "1w", "month": "1mo", "quarter": "1q", "year": "1y"}


def restrict_customers(transactions: pl.DataFrame, customers: CustomerSubset) -> pl.DataFrame:
    """Only the transactions of the given customers (ids, a set, a series or a frame)."""
    if customers is None:
        return transactions
    if isinstance(customers, pl.DataFrame):
        if CUSTOMER not in customers.columns:
            raise AnalyticsInputError(
                "customer subset frame needs a customer_id column", column=CUSTOMER
            )
        ids = customers.get_column(CUSTOMER)
    elif isinstance(customers, pl.Series):
        ids = customers
    else:
        ids = pl.Series(list(customers))
    if ids.len() == 0:
        raise AnalyticsInputError("the customer subset is empty", column=CUSTOMER, count=0)
    return transactions.filter(
        pl.col(CUSTOMER).is_in(ids.cast(transactions.schema[CUSTOMER]).implode())
    )


def _in_range(transactions: pl.DataFrame, start: dt.date, end: dt.date) -> pl.DataFrame:
    if end < start:
        raise AnalyticsInputError(f"range end {end} is before start {start}")
    return transactions.filter(pl.col(DATE).is_between(start, end))


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def retention_rate(
    transactions: pl.DataFrame, *, start: dt.date, end: dt.date, customers: CustomerSubset = None
) -> float | None:
    """Share of the previous equal-length range's active customers who are active again."""
    tx = restrict_customers(transactions, customers)
    length = (end - start).days + 1
    previous = _in_range(tx, start - dt.timedelta(days=length), start - dt.timedelta(days=1))
    before = previous.get_column(CUSTOMER).unique()
    now = _in_range(tx, start, end).get_column(CUSTOMER).unique()
    return _ratio(float(before.is_in(now.implode()).sum()), float(before.len()))


def churn_rate(
    transactions: pl.DataFrame, *, start: dt.date, end: dt.date, customers: CustomerSubset = None
) -> float | None:
    """1 − retention rate (None when nobody was active in the previous range)."""
    rate = retention_rate(transactions, start=start, end=end, customers=customers)
    return None if rate is None else 1.0 - rate


def kpi_summary(
    transactions: pl.DataFrame, *, start: dt.date, end: dt.date, customers: CustomerSubset = None
) -> dict[str, float | int | None]:
    """All scalar KPIs of a range; ratios are None when their denominator is 0."""
    tx = restrict_customers(transactions, customers)
    window = _in_range(tx, start, end)
    per_customer = window.group_by(CUSTOMER).agg(pl.len().alias("orders"))
    active = per_customer.height
    orders = window.height
    revenue = float(window.get_column(AMOUNT).sum()) if AMOUNT in window.columns else None
    repeaters = int((per_customer.get_column("orders") >= 2).sum()) if active else 0
    retention = retention_rate(tx, start=start, end=end)
    return {
        "active_customers": active,
        "orders": orders,
        "revenue": revenue,
        "repeat_purchase_rate": _ratio(repeaters, active),
        "purchase_frequency": _ratio(orders, active),
        "average_order_value": _ratio(revenue, orders) if revenue is not None else None,
        "retention_rate": retention,
        "churn_rate": None if retention is None else 1.0 - retention,
    }


def cohort_retention(
    transactions: pl.DataFrame,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    customers: CustomerSubset = None,
) -> pl.DataFrame:
    """Long table cohort × months since first purchase → active customers and retention."""
    tx = restrict_customers(transactions, customers)
    if tx.height == 0:
        raise AnalyticsInputError("no transactions for the selected customers", count=0)
    month = pl.col(DATE).dt.truncate("1mo")
    firsts = tx.group_by(CUSTOMER).agg(month.min().alias("cohort"))
    activity = tx.select(CUSTOMER, month.alias("month")).unique()
    if start is not None:
        activity = activity.filter(pl.col("month") >= dt.date(start.year, start.month, 1))
        firsts = firsts.filter(pl.col("cohort") >= dt.date(start.year, start.month, 1))
    if end is not None:
        activity = activity.filter(pl.col("month") <= end)
        firsts = firsts.filter(pl.col("cohort") <= end)
    sizes = firsts.group_by("cohort").agg(pl.len().alias("cohort_size"))
    index = (pl.col("month").dt.year() - pl.col("cohort").dt.year()) * 12 + (
        pl.col("month").dt.month().cast(pl.Int32) - pl.col("cohort").dt.month().cast(pl.Int32)
    )
    return (
        activity.join(firsts, on=CUSTOMER)
        .with_columns(index.alias("months_since_first"))
        .group_by("cohort", "months_since_first")
        .agg(pl.len().alias("active_customers"))
        .join(sizes, on="cohort")
        .with_columns((pl.col("active_customers") / pl.col("cohort_size")).alias("retention"))
        .sort("cohort", "months_since_first")
    )


def cohort_matrix(cohorts: pl.DataFrame) -> pl.DataFrame:
    """Pivot cohort retention into the usual cohort × month triangle."""
    return cohorts.pivot(on="months_since_first", index="cohort", values="retention").sort("cohort")


def revenue_growth(
    transactions: pl.DataFrame,
    *,
    start: dt.date,
    end: dt.date,
    period: GrowthPeriod = "month",
    customers: CustomerSubset = None,
) -> pl.DataFrame:
    """Revenue per period in the range and growth over the previous period."""
    if AMOUNT not in transactions.columns:
        raise AnalyticsInputError("revenue needs an amount column", column=AMOUNT)
    if period not in _TRUNCATE:
        raise AnalyticsInputError(f"unknown period {period!r}; use one of {sorted(_TRUNCATE)}")
    tx = _in_range(restrict_customers(transactions, customers), start, end)
    if tx.height == 0:
        raise AnalyticsInputError("no transactions in the range", count=0)
    every = _TRUNCATE[period]
    first, last = tx.get_column(DATE).min(), tx.get_column(DATE).max()
    assert isinstance(first, dt.date)
    assert isinstance(last, dt.date)
    # every period in the range appears, also those without revenue
    bounds = pl.Series([first, last]).dt.truncate(every)
    periods = pl.DataFrame({"period_start": pl.date_range(bounds[0], bounds[1], every, eager=True)})
    revenue = tx.group_by(pl.col(DATE).dt.truncate(every).alias("period_start")).agg(
        pl.col(AMOUNT).sum().alias("revenue"), pl.len().alias("orders")
    )
    table = periods.join(revenue, on="period_start", how="left").with_columns(
        pl.col("revenue").fill_null(0.0), pl.col("orders").fill_null(0)
    )
    previous = pl.col("revenue").shift(1)
    return table.sort("period_start").with_columns(
        pl.when(previous > 0).then(pl.col("revenue") / previous - 1).otherwise(None).alias("growth")
    )
