"""Time lifetimes 0.11.3 on the same steps; run with bench/.venv-lifetimes/bin/python."""

from __future__ import annotations

import json
import resource
import sys
import time
import warnings

import numpy as np
import pandas as pd
import polars as pl

warnings.filterwarnings("ignore")

from lifetimes import BetaGeoFitter, GammaGammaFitter, ParetoNBDFitter  # noqa: E402
from lifetimes.utils import summary_data_from_transaction_data  # noqa: E402

END = "2024-12-31"


def main(path: str, skip_pareto: bool) -> dict[str, object]:
    times: dict[str, float] = {}
    t = time.perf_counter()
    raw = pl.read_parquet(path)
    # no pyarrow in this venv: hand pandas plain numpy columns
    tx = pd.DataFrame(
        {
            "customer_id": raw["customer_id"].to_numpy(),
            "date": raw["date"].cast(pl.Datetime("ns")).to_numpy(),
            "amount": raw["amount"].to_numpy(),
        }
    )
    times["read"] = time.perf_counter() - t
    start = time.perf_counter()
    t = time.perf_counter()
    summary = summary_data_from_transaction_data(
        tx, "customer_id", "date", monetary_value_col="amount",
        observation_period_end=END, freq="D", freq_multiplier=7,
    )  # fmt: skip
    times["summary"] = time.perf_counter() - t
    # lifetimes has no RFM scoring: the usual pandas recipe (qcut on ranks) stands in
    t = time.perf_counter()
    g = tx.groupby("customer_id").agg(
        last=("date", "max"), frequency=("date", "nunique"), monetary=("amount", "sum")
    )
    recency = (pd.Timestamp(END) - g["last"]).dt.days
    g["r"] = pd.qcut(recency.rank(method="first"), 5, labels=[5, 4, 3, 2, 1])
    g["f"] = pd.qcut(g["frequency"].rank(method="first"), 5, labels=[1, 2, 3, 4, 5])
    g["m"] = pd.qcut(g["monetary"].rank(method="first"), 5, labels=[1, 2, 3, 4, 5])
    times["rfm_pandas"] = time.perf_counter() - t
    f, r, big_t = summary["frequency"], summary["recency"], summary["T"]
    t = time.perf_counter()
    bg = BetaGeoFitter().fit(f, r, big_t)
    times["bgnbd_fit"] = time.perf_counter() - t
    out_params: dict[str, dict[str, float]] = {
        "bgnbd": {k: float(v) for k, v in bg.params_.items()}
    }
    notes: list[str] = []
    if not skip_pareto:
        t = time.perf_counter()
        pn = ParetoNBDFitter().fit(f, r, big_t)
        times["pareto_nbd_fit"] = time.perf_counter() - t
        out_params["pareto_nbd"] = {k: float(v) for k, v in pn.params_.items()}
        alive = pn.conditional_probability_alive(f.to_numpy(), r.to_numpy(), big_t.to_numpy())
        nan_rows = int(np.isnan(alive).sum())
        notes.append(
            f"Pareto/NBD P(alive) is NaN for {nan_rows} customers "
            f"({int(((r == big_t) & (f > 0)).sum())} repeat buyers have recency == T)"
        )
    else:
        notes.append("Pareto/NBD skipped (--lifetimes-skip-pareto)")
    repeat = summary[summary["frequency"] > 0]
    t = time.perf_counter()
    gg = GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"])
    times["gamma_gamma_fit"] = time.perf_counter() - t
    out_params["gamma_gamma"] = {{"v": "gamma"}.get(k, k): float(v) for k, v in gg.params_.items()}
    t = time.perf_counter()
    clv = gg.customer_lifetime_value(
        bg, f, r, big_t, summary["monetary_value"], time=12, discount_rate=0.01, freq="W"
    )
    times["clv_all_customers"] = time.perf_counter() - t
    times["pipeline_total"] = time.perf_counter() - start
    return {
        "customers": len(summary),
        "times": times,
        "params": out_params,
        "clv_sum": float(np.nansum(clv.to_numpy())),
        "clv_nan": int(np.isnan(clv.to_numpy()).sum()),
        "notes": notes,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], "--skip-pareto" in sys.argv)))
