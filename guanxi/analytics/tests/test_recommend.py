"""Co-purchase recommendations and association rules on a hand-checkable example."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from guanxi.analytics.compute import AnalyticsInputError, association_rules, recommend_products

D = dt.date(2024, 1, 1)


def _tx() -> pl.DataFrame:
    baskets = {
        "u1": ["tea", "cups"],
        "u2": ["tea", "cups", "honey"],
        "u3": ["tea", "honey"],
        "u4": ["tea"],
        "u5": ["coffee"],
    }
    rows = [(c, D, p) for c, items in baskets.items() for p in items]
    return pl.DataFrame(rows, schema=["customer_id", "date", "product"], orient="row")


def test_association_rules_have_support_confidence_and_lift() -> None:
    rules = association_rules(_tx())
    cups_tea = rules.filter((pl.col("antecedent") == "cups") & (pl.col("consequent") == "tea"))
    row = cups_tea.row(0, named=True)
    # 2 of 5 customers bought both; both cups buyers bought tea; 4 of 5 bought tea
    assert row["count"] == 2
    assert row["support"] == pytest.approx(0.4)
    assert row["confidence"] == pytest.approx(1.0)
    assert row["lift"] == pytest.approx(1.0 / 0.8)
    tea_cups = rules.filter((pl.col("antecedent") == "tea") & (pl.col("consequent") == "cups"))
    assert tea_cups["confidence"].item() == pytest.approx(0.5)


def test_recommendations_skip_what_the_customer_already_bought() -> None:
    recs = recommend_products(_tx(), top_n=2, exclude_days=None)
    u4 = recs.filter(pl.col("customer_id") == "u4")
    # tea → cups and tea → honey both have confidence 0.5: tie broken by product name
    assert u4["product"].to_list() == ["cups", "honey"]
    assert u4["rank"].to_list() == [1, 2]
    u1 = recs.filter(pl.col("customer_id") == "u1")
    assert u1["product"].to_list() == ["honey"]
    assert recs.filter(pl.col("customer_id") == "u5").height == 0


def test_old_purchases_can_be_recommended_again() -> None:
    tx = _tx().with_columns(
        pl.when(pl.col("customer_id") == "u1")
        .then(pl.lit(dt.date(2023, 1, 1)))
        .otherwise(pl.col("date"))
        .alias("date")
    )
    recs = recommend_products(tx, top_n=3, exclude_days=90, as_of=D)
    assert "tea" in recs.filter(pl.col("customer_id") == "u1")["product"].to_list()


def test_recommendations_need_products() -> None:
    with pytest.raises(AnalyticsInputError, match="product"):
        recommend_products(_tx().drop("product"))
