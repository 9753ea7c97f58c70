"""RFM quintile scores, tie handling, the named segments and segment migration."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from guanxi.analytics.compute import (
    DEFAULT_SEGMENTS,
    AnalyticsInputError,
    SegmentRule,
    migration_matrix,
    rfm_table,
    segment_grid,
    segment_migration,
)

D = dt.date


def _tx(rows: list[tuple[str, dt.date, float]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=["customer_id", "date", "amount"], orient="row")


def test_quintiles_give_1_to_5_for_ten_distinct_customers() -> None:
    rows = [(f"c{i}", D(2024, 1, 1 + i), float(i + 1)) for i in range(10)]
    table = rfm_table(_tx(rows), as_of=D(2024, 1, 31))
    assert table["m_score"].to_list() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    # the most recent buyer (c9) has the best recency score
    assert table["r_score"].to_list() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_tied_customers_share_a_score_whatever_the_row_order() -> None:
    rows = [(f"c{i}", D(2024, 1, 1), 10.0 if i < 6 else 20.0 + i) for i in range(10)]
    forward = rfm_table(_tx(rows), as_of=D(2024, 1, 31))
    backward = rfm_table(_tx(rows[::-1]), as_of=D(2024, 1, 31))
    assert forward.equals(backward)
    tied = forward.filter(pl.col("monetary") == 10.0)["m_score"].unique().to_list()
    assert tied == [1]
    # 6 of 10 customers are strictly worse than the 7th: 1 + floor(5 * 6 / 10) = 4
    assert forward.filter(pl.col("customer_id") == "c6")["m_score"].item() == 4
    # every customer has the same recency and frequency, so all share R=1 and F=1
    assert forward["r_score"].unique().to_list() == [1]


def test_default_segment_map_covers_the_grid_with_bilingual_names() -> None:
    grid = segment_grid()
    assert grid.height == 25
    names = dict(zip(grid["segment_en"], grid["segment_zh"], strict=True))
    assert names["Champions"] == "冠军客户"
    assert names["Lost"] == "已流失"
    assert names["Cannot Lose Them"] == "不能失去"
    assert len(names) == 11
    cell = grid.filter((pl.col("r_score") == 5) & (pl.col("f_score") == 5))
    assert cell["segment"].item() == "champions"
    assert (
        grid.filter((pl.col("r_score") == 1) & (pl.col("f_score") == 1))["segment"].item() == "lost"
    )


def test_segment_map_is_data_and_must_be_complete() -> None:
    everyone = (SegmentRule("all", "All", "全部", 1, 5, 1, 5),)
    assert segment_grid(everyone)["segment"].unique().to_list() == ["all"]
    with pytest.raises(AnalyticsInputError, match="cover"):
        segment_grid(DEFAULT_SEGMENTS[:3])


def test_champion_and_lost_customers_are_segmented() -> None:
    rows: list[tuple[str, dt.date, float]] = []
    for i in range(10):
        # c9 buys often and recently; c0 bought once long ago
        for k in range(i + 1):
            rows.append((f"c{i}", D(2024, 1, 1) + dt.timedelta(days=10 * i + k), 5.0))
    table = rfm_table(_tx(rows), as_of=D(2024, 4, 30))
    seg = dict(zip(table["customer_id"], table["segment"], strict=True))
    assert seg["c9"] == "champions"
    assert seg["c0"] == "lost"


def test_segment_migration_counts_moves_between_dates() -> None:
    rows = [
        ("a", D(2024, 1, 1), 5.0),
        ("b", D(2024, 1, 2), 5.0),
        ("a", D(2024, 3, 1), 5.0),
        ("c", D(2024, 3, 2), 5.0),
    ]
    migration = segment_migration(_tx(rows), start=D(2024, 1, 31), end=D(2024, 3, 31))
    assert migration["customers"].sum() == 3
    assert migration.filter(pl.col("from_segment") == "new")["customers"].sum() == 1
    shares = migration.group_by("from_segment").agg(pl.col("share").sum())
    assert shares["share"].to_list() == pytest.approx([1.0] * shares.height)
    matrix = migration_matrix(migration)
    assert "from_segment" in matrix.columns
    with pytest.raises(AnalyticsInputError):
        segment_migration(_tx(rows), start=D(2024, 3, 31), end=D(2024, 1, 31))
