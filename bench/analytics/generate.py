"""Synthetic transactions for the analytics benchmark (seeded, day resolution, one year)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl

START = dt.date(2024, 1, 1)
END = dt.date(2024, 12, 31)


def generate(customers: int, seed: int = 42) -> pl.DataFrame:
    """~2.5 transactions per customer from a BG/NBD-like process with Gamma-Gamma spend."""
    rng = np.random.default_rng(seed)
    span = (END - START).days
    first = rng.integers(0, span + 1, size=customers)
    age = span - first
    lam = rng.gamma(0.6, 1 / 40.0, size=customers)  # purchases per day
    p = rng.beta(0.8, 2.5, size=customers)
    in_window = rng.poisson(lam * age)
    repeats = np.minimum(in_window, rng.geometric(p))
    # the last repeat is the repeats-th of in_window uniform arrival times
    k = np.maximum(repeats, 1)
    last = np.where(
        repeats > 0, np.round(age * rng.beta(k, np.maximum(in_window - k + 1, 1))), 0
    ).astype(np.int64)
    last = np.maximum(last, np.where(repeats > 0, 1, 0))
    owner = np.repeat(np.arange(customers), repeats)
    position = np.arange(len(owner)) - np.repeat(np.cumsum(repeats) - repeats, repeats)
    is_last = position == np.repeat(repeats - 1, repeats)
    offsets = np.where(
        is_last, last[owner], np.ceil(rng.random(len(owner)) * last[owner]).astype(np.int64)
    )
    days = np.concatenate([first, first[owner] + np.maximum(offsets, 1)])
    ids = np.concatenate([np.arange(customers), owner])
    nu = rng.gamma(3.7, 1 / 15.0, size=customers)
    amounts = np.round(rng.gamma(6.0, 1 / nu[ids]), 2)
    epoch = np.datetime64(START.isoformat(), "D")
    return pl.DataFrame(
        {
            "customer_id": ids.astype(np.int64),
            "date": (epoch + days.astype("timedelta64[D]")).astype("datetime64[D]"),
            "amount": np.maximum(amounts, 0.01),
        }
    ).with_columns(pl.col("date").cast(pl.Date))


def ensure(customers: int, directory: Path) -> Path:
    """Write (once) and return the parquet file for this size."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"analytics_{customers}.parquet"
    if not path.exists():
        generate(customers).write_parquet(path)
    return path
