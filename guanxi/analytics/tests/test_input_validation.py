"""Bad input gets a clear AnalyticsInputError naming the column and rows, never a silent NaN."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from guanxi.analytics.compute import (
    AnalyticsInputError,
    compress,
    fit_gamma_gamma,
    read_transactions,
    summarize_transactions,
)

D = dt.date


def _frame(**overrides: list[object]) -> pl.DataFrame:
    data: dict[str, list[object]] = {
        "cid": ["a", "a", "b"],
        "day": ["2024-01-01", "2024-02-01", "2024-01-15"],
        "total": [10.0, 20.0, 5.0],
    }
    data.update(overrides)
    return pl.DataFrame(data, strict=False)


def _read(frame: pl.DataFrame, **kw: object) -> pl.DataFrame:
    return read_transactions(frame, customer_col="cid", date_col="day", amount_col="total", **kw)  # type: ignore[arg-type]


def test_missing_column_is_named() -> None:
    with pytest.raises(AnalyticsInputError, match="total"):
        read_transactions(
            _frame().drop("total"), customer_col="cid", date_col="day", amount_col="total"
        )


def test_unreadable_and_missing_files_are_reported(tmp_path: Path) -> None:
    with pytest.raises(AnalyticsInputError, match="does not exist"):
        read_transactions(tmp_path / "nope.csv")
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"not parquet")
    with pytest.raises(AnalyticsInputError, match="cannot read"):
        read_transactions(bad)
    odd = tmp_path / "data.xlsx"
    odd.write_text("x")
    with pytest.raises(AnalyticsInputError, match="unsupported file type"):
        read_transactions(odd)


def test_empty_table_is_refused() -> None:
    with pytest.raises(AnalyticsInputError, match="empty"):
        _read(_frame().clear())


def test_text_amounts_are_reported_with_examples() -> None:
    with pytest.raises(AnalyticsInputError) as err:
        _read(_frame(total=["10", "abc", "7,5x"]))
    assert err.value.column == "total"
    assert err.value.count == 2
    assert "abc" in str(err.value)


def test_unparsable_dates_are_reported_with_examples() -> None:
    with pytest.raises(AnalyticsInputError) as err:
        _read(_frame(day=["2024-01-01", "yesterday", "2024-13-45"]))
    assert err.value.column == "day"
    assert err.value.count == 2
    assert "yesterday" in str(err.value)


def test_negative_amounts_are_rejected_by_default() -> None:
    with pytest.raises(AnalyticsInputError, match="negative") as err:
        _read(_frame(total=[10.0, -20.0, 5.0]))
    assert err.value.count == 1


def test_returns_can_be_dropped_or_netted_per_day() -> None:
    frame = pl.DataFrame(
        {
            "cid": ["a", "a", "a", "b"],
            "day": ["2024-01-01", "2024-01-01", "2024-01-05", "2024-01-02"],
            "total": [30.0, -10.0, -5.0, 8.0],
        }
    )
    dropped = _read(frame, returns="drop")
    assert dropped["amount"].to_list() == [30.0, 8.0]
    netted = _read(frame, returns="net_daily").sort("customer_id", "date")
    # the refund-only day disappears; the same-day refund reduces that day's spend
    assert netted["amount"].to_list() == [20.0, 8.0]


def test_future_dates_beyond_the_observation_end_are_refused() -> None:
    tx = _read(_frame())
    with pytest.raises(AnalyticsInputError, match="after the observation end") as err:
        summarize_transactions(tx, observation_end=D(2024, 1, 20))
    assert err.value.count == 1
    kept = summarize_transactions(tx, observation_end=D(2024, 1, 20), drop_after_end=True)
    assert kept["frequency"].to_list() == [0, 0]


def test_one_time_buyer_gets_zero_frequency_and_spend_not_nan() -> None:
    summary = summarize_transactions(_read(_frame()), period="day")
    b = summary.filter(pl.col("customer_id") == "b").row(0, named=True)
    assert (b["frequency"], b["recency"], b["monetary_value"]) == (0, 0.0, 0.0)
    assert summary.select(pl.all().is_null().any()).row(0) == (False,) * summary.width


def test_same_day_purchases_count_once_with_summed_amount() -> None:
    frame = _frame(
        cid=["a", "a", "a"], day=["2024-01-01", "2024-01-03", "2024-01-03"], total=[1.0, 2.0, 3.0]
    )
    row = summarize_transactions(_read(frame)).row(0, named=True)
    assert row["frequency"] == 1
    assert row["monetary_value"] == 5.0


def test_periods_express_days_in_the_chosen_unit() -> None:
    tx = _read(_frame())
    week = summarize_transactions(tx, period="week", calibration_end=D(2024, 2, 1))
    month = summarize_transactions(tx, period="month", calibration_end=D(2024, 2, 1))
    a_week = week.row(0, named=True)
    assert a_week["recency"] == pytest.approx(31 / 7)
    assert month.row(0, named=True)["T"] == pytest.approx(31 / (365.25 / 12))


def test_wrong_model_inputs_are_refused() -> None:
    with pytest.raises(AnalyticsInputError, match="recency larger than T"):
        compress([1.0], [5.0], [4.0])
    with pytest.raises(AnalyticsInputError, match="finite"):
        compress([np.nan], [0.0], [4.0])
    with pytest.raises(AnalyticsInputError, match="repeat buyers"):
        fit_gamma_gamma([0.0, 0.0], [0.0, 0.0])
    with pytest.raises(AnalyticsInputError, match="monetary_value"):
        fit_gamma_gamma([1.0], [-3.0])


def test_pandas_frames_are_accepted() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {
            "cid": [1, 1, 2],
            "day": pd.to_datetime(["2024-01-01", "2024-01-05", "2024-01-02"]),
            "total": [1.0, 2.0, 3.0],
        }
    )
    tx = read_transactions(frame, customer_col="cid", date_col="day", amount_col="total")
    assert tx.schema["date"] == pl.Date
    assert tx.height == 3


def test_csv_and_parquet_files_give_the_same_frame(tmp_path: Path) -> None:
    frame = _frame()
    frame.write_csv(tmp_path / "t.csv")
    frame.write_parquet(tmp_path / "t.parquet")
    a = read_transactions(
        tmp_path / "t.csv", customer_col="cid", date_col="day", amount_col="total"
    )
    b = read_transactions(
        tmp_path / "t.parquet", customer_col="cid", date_col="day", amount_col="total"
    )
    assert a.equals(b)
