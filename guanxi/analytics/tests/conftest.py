"""Shared fixtures: the CDNOW sample (lifetimes 0.11.3 copy, see data/README.md)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from guanxi.analytics.compute import (
    FitResult,
    SufficientStats,
    compress_summary,
    fit_bgnbd,
    fit_gamma_gamma,
    fit_pareto_nbd,
    read_transactions,
    summarize_transactions,
)

DATA = Path(__file__).parent / "data"
CALIBRATION_END = dt.date(1997, 9, 30)
OBSERVATION_END = dt.date(1998, 6, 30)


def load_cdnow_raw() -> pl.DataFrame:
    """The whitespace-separated CDNOW sample as a frame (id, date text, amount)."""
    rows = [line.split() for line in (DATA / "CDNOW_sample.txt").read_text().splitlines()]
    return pl.DataFrame(
        {
            "id": [int(r[1]) for r in rows],
            "date": [r[2] for r in rows],
            "amount": [float(r[4]) for r in rows],
        }
    )


@pytest.fixture(scope="session")
def cdnow_transactions() -> pl.DataFrame:
    return read_transactions(
        load_cdnow_raw(),
        customer_col="id",
        date_col="date",
        amount_col="amount",
        date_format="%Y%m%d",
    )


@pytest.fixture(scope="session")
def cdnow_summary(cdnow_transactions: pl.DataFrame) -> pl.DataFrame:
    return summarize_transactions(
        cdnow_transactions,
        period="week",
        calibration_end=CALIBRATION_END,
        observation_end=OBSERVATION_END,
    )


@pytest.fixture(scope="session")
def cdnow_stats(cdnow_summary: pl.DataFrame) -> SufficientStats:
    return compress_summary(cdnow_summary)


@pytest.fixture(scope="session")
def cdnow_bgnbd(cdnow_stats: SufficientStats) -> FitResult:
    return fit_bgnbd(cdnow_stats)


@pytest.fixture(scope="session")
def cdnow_pareto(cdnow_stats: SufficientStats) -> FitResult:
    return fit_pareto_nbd(cdnow_stats)


@pytest.fixture(scope="session")
def cdnow_gamma_gamma(cdnow_summary: pl.DataFrame) -> FitResult:
    return fit_gamma_gamma(
        cdnow_summary.get_column("frequency").to_numpy(),
        cdnow_summary.get_column("monetary_value").to_numpy(),
    )
