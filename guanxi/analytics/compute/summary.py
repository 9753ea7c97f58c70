"""Per-customer frequency / recency / T / monetary value, and compressed sufficient statistics.

Rules (as ``lifetimes.utils.summary_data_from_transaction_data`` with ``freq="D"`` and the
published CDNOW work):

* purchases are counted per distinct calendar day; several purchases on one day are one
  purchase whose amount is the day's sum;
* ``frequency`` = number of purchase days after the first one (repeat purchases);
* ``recency`` = last purchase day − first purchase day, ``T`` = calibration end − first
  purchase day, both measured in whole days and divided by the unit length
  (day = 1, week = 7, month = 365.25 / 12 days);
* ``monetary_value`` = mean daily spend of the repeat purchases (the first purchase is
  excluded); customers with one purchase get 0 (documented, never NaN) and are left out of
  the Gamma-Gamma fit;
* customers whose first purchase falls after the calibration end are not in the summary;
* holdout columns count purchase days in (calibration end, observation end].
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import polars as pl

from guanxi.analytics.compute.errors import AnalyticsInputError
from guanxi.analytics.compute.io import AMOUNT, CUSTOMER, DATE

Period = Literal["day", "week", "month"]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

UNIT_DAYS: dict[str, float] = {"day": 1.0, "week": 7.0, "month": 365.25 / 12}
# months per unit, as lifetimes' customer_lifetime_value uses them to step through a horizon
UNITS_PER_MONTH: dict[str, float] = {"day": 30.0, "week": 4.345, "month": 1.0}


def unit_days(period: Period | float) -> float:
    """Length of one model time unit in days."""
    if isinstance(period, int | float):
        if period <= 0:
            raise AnalyticsInputError(f"period length must be positive, got {period}")
        return float(period)
    try:
        return UNIT_DAYS[period]
    except KeyError:
        raise AnalyticsInputError(
            f"unknown period {period!r}; use one of {sorted(UNIT_DAYS)}"
        ) from None


def _day_number(value: dt.date) -> int:
    return (value - dt.date(1970, 1, 1)).days


def summary_lazy(
    transactions: pl.LazyFrame,
    *,
    calibration_end_day: int,
    observation_end_day: int,
    unit: float,
    with_monetary: bool,
) -> pl.LazyFrame:
    """The whole aggregation as one lazy query: a window flag, two group-bys and a join.

    In SQL terms: ``GROUP BY customer`` over the calibration rows with
    ``COUNT(DISTINCT day)``, ``MIN/MAX(day)``, ``SUM(amount)`` and the first day's spend
    (``day = MIN(day) OVER (PARTITION BY customer)``), left-joined to the same over the
    holdout rows. Grouping once by customer (not by customer and day first) is ~3× faster.
    """
    day = pl.col(DATE).cast(pl.Int32)
    rows = transactions.select(
        pl.col(CUSTOMER), day.alias("day"), *([pl.col(AMOUNT)] if with_monetary else [])
    ).filter(pl.col("day") <= observation_end_day)
    cal_rows = rows.filter(pl.col("day") <= calibration_end_day)
    cal_aggs: list[pl.Expr] = [
        pl.col("day").min().alias("_first"),
        pl.col("day").max().alias("_last"),
        pl.col("day").n_unique().alias("_days"),
    ]
    if with_monetary:
        cal_rows = cal_rows.with_columns(
            (pl.col("day") == pl.col("day").min().over(CUSTOMER)).alias("_is_first")
        )
        cal_aggs += [
            pl.col(AMOUNT).sum().alias("_total"),
            pl.col(AMOUNT).filter(pl.col("_is_first")).sum().alias("_first_amt"),
        ]
    cal = cal_rows.group_by(CUSTOMER).agg(cal_aggs)
    frequency = (pl.col("_days") - 1).cast(pl.Int64)
    out: list[pl.Expr] = [
        pl.col(CUSTOMER),
        frequency.alias("frequency"),
        ((pl.col("_last") - pl.col("_first")).cast(pl.Float64) / unit).alias("recency"),
        ((calibration_end_day - pl.col("_first")).cast(pl.Float64) / unit).alias("T"),
    ]
    if with_monetary:
        out.append(
            pl.when(frequency > 0)
            .then((pl.col("_total") - pl.col("_first_amt")) / frequency)
            .otherwise(0.0)
            .alias("monetary_value")
        )
    out += [
        pl.col("_first").cast(pl.Date).alias("first_purchase"),
        pl.col("_last").cast(pl.Date).alias("last_purchase"),
    ]
    result = cal.select(out)
    if observation_end_day > calibration_end_day:
        hold_aggs: list[pl.Expr] = [
            pl.col("day").n_unique().cast(pl.Int64).alias("frequency_holdout")
        ]
        if with_monetary:
            # mean daily spend, like the calibration monetary value
            hold_aggs.append(
                (pl.col(AMOUNT).sum() / pl.col("day").n_unique()).alias("monetary_value_holdout")
            )
        hold = rows.filter(pl.col("day") > calibration_end_day).group_by(CUSTOMER).agg(hold_aggs)
        fills = [pl.col("frequency_holdout").fill_null(0)]
        if with_monetary:
            fills.append(pl.col("monetary_value_holdout").fill_null(0.0))
        result = result.join(hold, on=CUSTOMER, how="left").with_columns(
            *fills,
            pl.lit((observation_end_day - calibration_end_day) / unit).alias("duration_holdout"),
        )
    return result


def summarize_transactions(
    transactions: pl.DataFrame,
    *,
    period: Period | float = "day",
    calibration_end: dt.date | None = None,
    observation_end: dt.date | None = None,
    drop_after_end: bool = False,
) -> pl.DataFrame:
    """Per-customer RFM summary (see module rules); purchases after the observation end raise."""
    if transactions.height == 0:
        raise AnalyticsInputError("the transactions table is empty", count=0)
    for col in (CUSTOMER, DATE):
        if col not in transactions.columns:
            raise AnalyticsInputError(
                "validated transactions need customer_id and date; use read_transactions",
                column=col,
            )
    unit = unit_days(period)
    dates = transactions.get_column(DATE)
    last_date = dates.max()
    assert isinstance(last_date, dt.date)
    obs_end = observation_end or last_date
    cal_end = calibration_end or obs_end
    if cal_end > obs_end:
        raise AnalyticsInputError(
            f"calibration end {cal_end} is after observation end {obs_end}", column=DATE
        )
    late = dates > obs_end
    if late.any() and not drop_after_end:
        raise AnalyticsInputError(
            f"purchases dated after the observation end {obs_end} (future dates?); "
            "pass drop_after_end=True to ignore them",
            column=DATE,
            count=int(late.sum()),
            examples=transactions.filter(late).get_column(DATE).head(5).to_list(),
        )
    first_date = dates.min()
    assert isinstance(first_date, dt.date)
    if first_date > cal_end:
        raise AnalyticsInputError(
            f"no purchases on or before the calibration end {cal_end}", column=DATE
        )
    return (
        summary_lazy(
            transactions.lazy(),
            calibration_end_day=_day_number(cal_end),
            observation_end_day=_day_number(obs_end),
            unit=unit,
            with_monetary=AMOUNT in transactions.columns,
        )
        .sort(CUSTOMER)
        .collect()
    )


@dataclass(frozen=True)
class SufficientStats:
    """Unique (x, t_x, T) rows with their counts; ``inverse`` maps each customer to its row."""

    x: FloatArray
    t_x: FloatArray
    T: FloatArray
    weights: FloatArray
    inverse: IntArray

    @property
    def n_customers(self) -> int:
        return int(self.weights.sum())

    def expand(self, values: FloatArray) -> FloatArray:
        """Per-customer values from per-unique-row values."""
        return values[self.inverse]


def _check_rft(x: FloatArray, t_x: FloatArray, big_t: FloatArray) -> None:
    if not (len(x) == len(t_x) == len(big_t)):
        raise AnalyticsInputError("frequency, recency and T must have the same length")
    if len(x) == 0:
        raise AnalyticsInputError("no customers to fit", count=0)
    for name, arr in (("frequency", x), ("recency", t_x), ("T", big_t)):
        bad = ~np.isfinite(arr) | (arr < 0)
        if bad.any():
            raise AnalyticsInputError(
                "values must be finite and non-negative",
                column=name,
                count=int(bad.sum()),
                examples=arr[bad][:5].tolist(),
            )
    over = t_x > big_t + 1e-9
    if over.any():
        raise AnalyticsInputError("recency larger than T", column="recency", count=int(over.sum()))
    zero_with_recency = (x == 0) & (t_x > 0)
    if zero_with_recency.any():
        raise AnalyticsInputError(
            "recency must be 0 when frequency is 0",
            column="recency",
            count=int(zero_with_recency.sum()),
        )


def compress(
    frequency: npt.ArrayLike,
    recency: npt.ArrayLike,
    age: npt.ArrayLike,
    *,
    weights: npt.ArrayLike | None = None,
) -> SufficientStats:
    """Collapse customers into unique (x, t_x, T) rows weighted by how many customers share them."""
    x = np.asarray(frequency, dtype=np.float64)
    t_x = np.asarray(recency, dtype=np.float64)
    big_t = np.asarray(age, dtype=np.float64)
    _check_rft(x, t_x, big_t)
    # Factorise each column (few distinct values: 58 x, 366 t_x, 366 T at 1M customers),
    # combine the codes into one integer key in lexicographic (x, t_x, T) order and find
    # the distinct keys by counting over the key range instead of sorting: 3× faster than
    # the former np.lexsort over three float columns (0.19 s against 0.62 s at 1M).
    ux, ix = np.unique(x, return_inverse=True)
    ut, it = np.unique(t_x, return_inverse=True)
    ub, ib = np.unique(big_t, return_inverse=True)
    n_t, n_b = len(ut), len(ub)
    key = (ix.reshape(-1).astype(np.int64) * n_t + it.reshape(-1)) * n_b + ib.reshape(-1)
    size = len(ux) * n_t * n_b
    if size <= 8 * len(x) + 1_000_000:
        present = np.zeros(size, dtype=bool)
        present[key] = True
        keys = np.flatnonzero(present)
        lookup = np.cumsum(present, dtype=np.int64) - 1
        inverse = lookup[key]
    else:  # continuous times: sort the keys instead
        keys, inv = np.unique(key, return_inverse=True)
        inverse = inv.reshape(-1).astype(np.int64)
    weights = np.bincount(inverse, minlength=len(keys)).astype(np.float64)
    return SufficientStats(
        x=ux[keys // (n_t * n_b)],
        t_x=ut[(keys // n_b) % n_t],
        T=ub[keys % n_b],
        weights=weights,
        inverse=inverse,
    )


def compress_summary(summary: pl.DataFrame) -> SufficientStats:
    """Sufficient statistics of a summary frame (columns frequency, recency, T)."""
    return compress(
        summary.get_column("frequency").to_numpy(),
        summary.get_column("recency").to_numpy(),
        summary.get_column("T").to_numpy(),
    )
