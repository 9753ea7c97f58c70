"""Analytics benchmark: Guanxi vs lifetimes 0.11.3 vs a plain polars group-by.

Usage (from the repository root):
    bash bench/analytics/setup_env.sh            # once: the lifetimes reference venv
    .venv/bin/python bench/analytics/run.py      # 100k and 1M customers, lifetimes on 100k

Each side runs in its own subprocess on the same parquet file, so peak memory (maxrss) is
per process. Prints a table, writes bench/results/analytics.json and analytics.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
LIFETIMES_PY = ROOT / "bench" / ".venv-lifetimes" / "bin" / "python"
STEPS = (
    ("summary", "summary", "summary"),
    ("rfm", "rfm", "rfm_pandas"),
    ("bgnbd_fit", "compress+bgnbd_fit", "bgnbd_fit"),
    ("pareto_nbd_fit", "pareto_nbd_fit", "pareto_nbd_fit"),
    ("gamma_gamma_fit", "gamma_gamma_fit", "gamma_gamma_fit"),
    ("clv_all_customers", "clv_all_customers", "clv_all_customers"),
    ("pipeline_total", "pipeline_total", "pipeline_total"),
)


# both sides run their numerics on one BLAS thread (Guanxi's fits limit it themselves): with
# threaded BLAS, lifetimes spent most of its time spinning when the 2 cores were busy
ONE_THREAD = dict.fromkeys(("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"), "1")


def _run(cmd: list[str]) -> dict[str, Any]:
    env = {**os.environ, **ONE_THREAD}
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"{cmd[1]} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _rel(a: dict[str, float], b: dict[str, float]) -> dict[str, float]:
    return {k: abs(a[k] - b[k]) / abs(b[k]) for k in a if k in b}


def bench_size(
    n: int, *, with_lifetimes: bool, skip_pareto: bool, repeat: int = 3
) -> dict[str, Any]:
    sys.path.insert(0, str(HERE))
    from generate import ensure

    path = ensure(n, ROOT / "bench" / "data")
    print(f"[{n:,} customers] data: {path}", file=sys.stderr)
    load_before = os.getloadavg()[0]
    guanxi = _run([sys.executable, str(HERE / "guanxi_side.py"), str(path), str(repeat)])
    g = guanxi["times"]
    g["compress+bgnbd_fit"] = g["compress"] + g["bgnbd_fit"]
    gc = guanxi["cpu_times"]
    gc["compress+bgnbd_fit"] = gc["compress"] + gc["bgnbd_fit"]
    out: dict[str, Any] = {"customers": n, "transactions": guanxi["transactions"], "guanxi": guanxi}
    # the machine is shared: record the 1-minute load average around each side's run
    out["load_guanxi"] = [load_before, os.getloadavg()[0]]
    if with_lifetimes:
        if not LIFETIMES_PY.exists():
            raise SystemExit("run bash bench/analytics/setup_env.sh first (lifetimes venv)")
        print(f"[{n:,} customers] lifetimes 0.11.3 …", file=sys.stderr)
        cmd = [str(LIFETIMES_PY), str(HERE / "lifetimes_side.py"), str(path)]
        load_before = os.getloadavg()[0]
        lifetimes = _run([*cmd, "--skip-pareto"] if skip_pareto else cmd)
        out["load_lifetimes"] = [load_before, os.getloadavg()[0]]
        out["lifetimes"] = lifetimes
        out["param_rel_diff"] = {
            model: _rel(guanxi["params"][model], params)
            for model, params in lifetimes["params"].items()
        }
        out["speedup"] = {
            step: lifetimes["times"][lt] / g[gx]
            for step, gx, lt in STEPS
            if lt in lifetimes["times"] and g.get(gx)
        }
        out["speedup_cpu"] = {
            step: lifetimes["cpu_times"][lt] / gc[gx]
            for step, gx, lt in STEPS
            if lt in lifetimes["cpu_times"] and gc.get(gx)
        }
    return out


def _table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| customers | step | Guanxi s | lifetimes s | speed-up "
        "| Guanxi CPU s | lifetimes CPU s | CPU speed-up |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for res in results:
        g = res["guanxi"]["times"]
        gc = res["guanxi"]["cpu_times"]
        lt = res.get("lifetimes", {}).get("times", {})
        lc = res.get("lifetimes", {}).get("cpu_times", {})
        lines.append(
            f"| {res['customers']:,} | polars group-by floor | {g['polars_groupby_floor']:.3f} "
            f"| | | {gc['polars_groupby_floor']:.3f} | | |"
        )
        for step, gx, lkey in STEPS:
            lt_s = f"{lt[lkey]:.3f}" if lkey in lt else "not run"
            sp = f"{lt[lkey] / g[gx]:.1f}×" if lkey in lt else ""
            lc_s = f"{lc[lkey]:.3f}" if lkey in lc else ""
            spc = f"{lc[lkey] / gc[gx]:.1f}×" if lkey in lc and gc[gx] > 0 else ""
            lines.append(
                f"| {res['customers']:,} | {step} | {g[gx]:.3f} | {lt_s} | {sp} "
                f"| {gc[gx]:.3f} | {lc_s} | {spc} |"
            )
        mem = f"Guanxi {res['guanxi']['peak_rss_mb']:.0f} MB"
        if "lifetimes" in res:
            mem += f", lifetimes {res['lifetimes']['peak_rss_mb']:.0f} MB"
        lines.append(f"| {res['customers']:,} | peak RSS | {mem} | | | | | |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", default="100000,1000000", help="comma-separated sizes")
    parser.add_argument("--lifetimes-max-customers", type=int, default=100_000)
    parser.add_argument("--lifetimes-skip-pareto", action="store_true")
    parser.add_argument(
        "--repeat", type=int, default=3, help="Guanxi pipeline runs; each step keeps its minimum"
    )
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.customers.split(",")]
    results = [
        bench_size(
            n,
            with_lifetimes=n <= args.lifetimes_max_customers,
            skip_pareto=args.lifetimes_skip_pareto,
            repeat=args.repeat,
        )
        for n in sizes
    ]
    table = _table(results)
    print(table)
    notes: list[str] = []
    for res in results:
        load = f"load average (1 min) before/after: Guanxi {res['load_guanxi'][0]:.2f}/" + (
            f"{res['load_guanxi'][1]:.2f}"
        )
        if "load_lifetimes" in res:
            load += f", lifetimes {res['load_lifetimes'][0]:.2f}/{res['load_lifetimes'][1]:.2f}"
        notes.append(f"{res['customers']:,}: {load} (2 cores)")
        if "lifetimes" in res:
            worst = max(v for d in res["param_rel_diff"].values() for v in d.values())
            notes.append(
                f"{res['customers']:,}: max relative parameter difference vs lifetimes "
                f"{worst:.2e}; " + "; ".join(res["lifetimes"]["notes"])
            )
        else:
            notes.append(f"{res['customers']:,}: lifetimes not run (--lifetimes-max-customers)")
    for note in notes:
        print(note)
    results_dir = ROOT / "bench" / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    (results_dir / "analytics.json").write_text(json.dumps(results, indent=2))
    (results_dir / "analytics.md").write_text(
        "# Analytics benchmark\n\n"
        f"Command: `.venv/bin/python bench/analytics/run.py {' '.join(argv)}`\n\n"
        + table
        + "\n\n"
        + "\n".join(f"- {n}" for n in notes)
        + "\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
