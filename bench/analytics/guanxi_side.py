"""Time Guanxi's analytics pipeline on one data file; prints JSON (run by run.py)."""

from __future__ import annotations

import datetime as dt
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

import polars as pl

from guanxi.analytics.compute import (
    clv_table,
    compress_summary,
    fit_bgnbd,
    fit_gamma_gamma,
    fit_pareto_nbd,
    read_transactions,
    rfm_table,
    summarize_transactions,
)

END = dt.date(2024, 12, 31)


def main(path: Path, repeat: int = 1) -> dict[str, Any]:
    """Run the pipeline ``repeat`` times; each step reports its fastest run.

    On a shared 2-core machine a single run mostly measures the neighbours' load: the
    minimum over a few runs is the figure that is reproducible.
    """
    runs = [_once(path) for _ in range(max(1, repeat))]
    best = dict(runs[-1])
    for key in ("times", "cpu_times"):
        best[key] = {k: min(r[key][k] for r in runs) for k in runs[-1][key]}
    best["repeat"] = len(runs)
    return best


def _once(path: Path) -> dict[str, Any]:
    times: dict[str, float] = {}
    # CPU seconds of this process per step: on a shared machine the wall clock mostly
    # measures the neighbours (lifetimes took 489 s wall for 34 s of CPU at load 4-7)
    cpu: dict[str, float] = {}
    t0 = time.perf_counter()
    raw = pl.read_parquet(path)
    tx = read_transactions(raw, amount_col="amount")
    times["read_validate"] = time.perf_counter() - t0

    t, c = time.perf_counter(), time.process_time()
    raw.group_by("customer_id").agg(
        pl.col("date").min().alias("first"), pl.col("date").max().alias("last"),
        pl.col("date").n_unique().alias("days"),
        pl.col("amount").sum(),
    )  # fmt: skip
    times["polars_groupby_floor"] = time.perf_counter() - t
    cpu["polars_groupby_floor"] = time.process_time() - c

    start, cpu_start = time.perf_counter(), time.process_time()
    t, c = time.perf_counter(), time.process_time()
    summary = summarize_transactions(tx, period="week", observation_end=END)
    times["summary"] = time.perf_counter() - t
    cpu["summary"] = time.process_time() - c
    t, c = time.perf_counter(), time.process_time()
    rfm = rfm_table(tx, as_of=END)
    times["rfm"] = time.perf_counter() - t
    cpu["rfm"] = time.process_time() - c
    t, c = time.perf_counter(), time.process_time()
    stats = compress_summary(summary)
    times["compress"] = time.perf_counter() - t
    cpu["compress"] = time.process_time() - c
    t, c = time.perf_counter(), time.process_time()
    bg = fit_bgnbd(stats)
    times["bgnbd_fit"] = time.perf_counter() - t
    cpu["bgnbd_fit"] = time.process_time() - c
    t, c = time.perf_counter(), time.process_time()
    pn = fit_pareto_nbd(stats)
    times["pareto_nbd_fit"] = time.perf_counter() - t
    cpu["pareto_nbd_fit"] = time.process_time() - c
    t, c = time.perf_counter(), time.process_time()
    gg = fit_gamma_gamma(summary["frequency"].to_numpy(), summary["monetary_value"].to_numpy())
    times["gamma_gamma_fit"] = time.perf_counter() - t
    cpu["gamma_gamma_fit"] = time.process_time() - c
    t, c = time.perf_counter(), time.process_time()
    table, _, _ = clv_table(summary, period="week", fit=bg, spend_fit=gg)
    times["clv_all_customers"] = time.perf_counter() - t
    cpu["clv_all_customers"] = time.process_time() - c
    times["pipeline_total"] = time.perf_counter() - start
    cpu["pipeline_total"] = time.process_time() - cpu_start
    assert table.height == summary.height == rfm.height
    return {
        "customers": summary.height,
        "transactions": tx.height,
        "unique_rows": len(stats.x),
        "times": times,
        "cpu_times": cpu,
        "params": {"bgnbd": bg.params, "pareto_nbd": pn.params, "gamma_gamma": gg.params},
        "log_likelihood": {"bgnbd": bg.log_likelihood, "pareto_nbd": pn.log_likelihood},
        "clv_sum": float(table["clv"].sum()),
        "clv_nan": int(table["clv"].is_nan().sum()),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 1)))
