"""Clusters: automatic k and readable bilingual profiles."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from guanxi.analytics.compute import AnalyticsInputError, cluster_customers, customer_features


def _two_groups() -> pl.DataFrame:
    rng = np.random.default_rng(0)
    n = 200
    frequent = {"frequency": rng.normal(20, 1, n), "average_order_value": rng.normal(10, 1, n)}
    rare = {"frequency": rng.normal(2, 0.3, n), "average_order_value": rng.normal(200, 10, n)}
    return pl.DataFrame(
        {
            "customer_id": list(range(2 * n)),
            "frequency": np.concatenate([frequent["frequency"], rare["frequency"]]),
            "average_order_value": np.concatenate(
                [frequent["average_order_value"], rare["average_order_value"]]
            ),
            # an attribute unrelated to the groups must not dominate the names
            "is_member": rng.random(2 * n) < 0.5,
        }
    )


def test_two_obvious_groups_are_found_and_named() -> None:
    features = _two_groups()
    result = cluster_customers(
        features, columns=["frequency", "average_order_value"], k_range=range(2, 6), seed=1
    )
    assert result.k == 2
    assert result.silhouette[2] == max(result.silhouette.values())
    profiles = result.profiles.sort("frequency_mean", descending=True)
    assert profiles["size"].to_list() == [200, 200]
    top = profiles.row(0, named=True)
    assert top["name_zh"] == "高频低额客户"
    assert top["name_en"] == "frequent small buyers"
    assert top["frequency_mean"] > top["frequency_population"]
    assert result.assignments.height == 400


def test_boolean_and_text_attributes_are_usable() -> None:
    features = _two_groups().with_columns(
        pl.when(pl.col("is_member"))
        .then(pl.lit("north"))
        .otherwise(pl.lit("south"))
        .alias("region")
    )
    result = cluster_customers(features, k_range=range(2, 5), seed=1)
    assert 2 <= result.k <= 4
    assert "region_north_z" in result.profiles.columns


def test_customer_features_from_transactions() -> None:
    tx = pl.DataFrame(
        {
            "customer_id": ["a", "a", "b"],
            "date": [dt.date(2024, 1, 1), dt.date(2024, 1, 11), dt.date(2024, 1, 5)],
            "amount": [10.0, 30.0, 5.0],
        }
    )
    feats = customer_features(tx, as_of=dt.date(2024, 1, 31)).row(0, named=True)
    assert feats == {
        "customer_id": "a",
        "frequency": 2.0,
        "recency_days": 20.0,
        "tenure_days": 30.0,
        "total_spend": 40.0,
        "average_order_value": 20.0,
    }


def test_clustering_refuses_too_few_customers_and_bad_columns() -> None:
    with pytest.raises(AnalyticsInputError):
        cluster_customers(_two_groups().head(2))
    with pytest.raises(AnalyticsInputError, match="missing"):
        cluster_customers(_two_groups(), columns=["nope"])
