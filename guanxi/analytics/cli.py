"""`guanxi analytics …`: fit models and write per-customer results from a transactions file.

Imports no Django: the project's `guanxi` command dispatches here with the remaining argv.
Exit codes: 0 success, 2 bad input (missing columns, unreadable file, bad values).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl

from guanxi.analytics.compute import (
    AnalyticsInputError,
    FitResult,
    churn_risk,
    cluster_customers,
    clv_table,
    compress_summary,
    customer_features,
    fit_bgnbd,
    fit_gamma_gamma,
    fit_pareto_nbd,
    read_transactions,
    recommend_products,
    rfm_table,
    summarize_transactions,
)
from guanxi.analytics.compute.summary import Period

MODELS = {"bgnbd": "bgnbd", "pnbd": "pareto_nbd", "gg": "gamma_gamma"}


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date (YYYY-MM-DD): {text!r}") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="guanxi analytics", description="Analytical CRM on a transactions file."
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--transactions", required=True, type=Path, help="CSV or Parquet file")
    common.add_argument("--customer-col", default="customer_id")
    common.add_argument("--date-col", default="date")
    common.add_argument("--amount-col", default=None)
    common.add_argument("--date-format", default=None, help="strftime format, default ISO")
    common.add_argument(
        "--returns",
        choices=["reject", "drop", "net_daily"],
        default="reject",
        help="what to do with negative amounts (default: reject)",
    )
    common.add_argument("--period", choices=["day", "week", "month"], default="day")
    common.add_argument("--calibration-end", type=_date, default=None)
    common.add_argument("--observation-end", type=_date, default=None)
    common.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    output = argparse.ArgumentParser(add_help=False)
    output.add_argument("--output", required=True, type=Path, help=".csv or .parquet")

    sub = parser.add_subparsers(dest="command", required=True)
    fit = sub.add_parser("fit", parents=[common], help="fit a model, print JSON")
    fit.add_argument("--model", choices=sorted(MODELS), required=True)
    rfm = sub.add_parser("rfm", parents=[common, output], help="RFM scores and segments")
    rfm.add_argument("--as-of", type=_date, default=None)
    clv = sub.add_parser("clv", parents=[common, output], help="CLV per customer")
    clv.add_argument("--model", choices=["bgnbd", "pnbd"], default="bgnbd")
    clv.add_argument("--horizon", type=int, default=12, help="months")
    clv.add_argument("--discount-rate", type=float, default=0.01, help="per month")
    churn = sub.add_parser("churn", parents=[common, output], help="churn risk per customer")
    churn.add_argument("--horizon", type=float, default=90, help="in --period units")
    clusters = sub.add_parser("clusters", parents=[common, output], help="customer clusters")
    clusters.add_argument("--k-min", type=int, default=2)
    clusters.add_argument("--k-max", type=int, default=8)
    clusters.add_argument("--profiles", type=Path, default=None, help="also write profiles here")
    recommend = sub.add_parser("recommend", parents=[common, output], help="next products")
    recommend.add_argument("--product-col", required=True)
    recommend.add_argument("--top-n", type=int, default=5)
    recommend.add_argument("--exclude-days", type=int, default=90)
    return parser


@contextmanager
def _progress(total: int, enabled: bool) -> Iterator[Callable[[str], None]]:
    from tqdm import tqdm

    bar = tqdm(total=total, file=sys.stderr, disable=not enabled, unit="step")

    def step(label: str) -> None:
        bar.set_description(label)
        bar.update(1)

    try:
        yield step
    finally:
        bar.close()


def _write(frame: pl.DataFrame, path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        frame.write_csv(path)
    elif suffix in {".parquet", ".pq"}:
        frame.write_parquet(path)
    else:
        raise AnalyticsInputError(f"output must end in .csv or .parquet, got {str(path)!r}")


def _read(args: argparse.Namespace, *, amount: bool, product: str | None = None) -> pl.DataFrame:
    if amount and args.amount_col is None:
        raise AnalyticsInputError(f"`{args.command}` needs --amount-col")
    return read_transactions(
        args.transactions,
        customer_col=args.customer_col,
        date_col=args.date_col,
        amount_col=args.amount_col,
        product_col=product,
        date_format=args.date_format,
        returns=args.returns,
    )


def _summary(args: argparse.Namespace, tx: pl.DataFrame) -> pl.DataFrame:
    period: Period = args.period
    return summarize_transactions(
        tx,
        period=period,
        calibration_end=args.calibration_end,
        observation_end=args.observation_end or args.calibration_end,
        drop_after_end=args.observation_end is None and args.calibration_end is not None,
    )


def _fit(args: argparse.Namespace, show: bool) -> dict[str, Any]:
    model = MODELS[args.model]
    with _progress(3, show) as step:
        tx = _read(args, amount=model == "gamma_gamma")
        step("read")
        summary = _summary(args, tx)
        step("summary")
        result: FitResult
        if model == "gamma_gamma":
            result = fit_gamma_gamma(
                summary.get_column("frequency").to_numpy(),
                summary.get_column("monetary_value").to_numpy(),
            )
        else:
            stats = compress_summary(summary)
            result = fit_bgnbd(stats) if model == "bgnbd" else fit_pareto_nbd(stats)
        step("fit")
    return {**result.to_dict(), "period": args.period}


def _run(args: argparse.Namespace) -> int:
    show = not args.no_progress
    if args.command == "fit":
        print(json.dumps(_fit(args, show), indent=2, ensure_ascii=False))
        return 0
    with _progress(3, show) as step:
        if args.command == "rfm":
            tx = _read(args, amount=False)
            step("read")
            result = rfm_table(tx, as_of=args.as_of)
        elif args.command == "clv":
            tx = _read(args, amount=True)
            step("read")
            result, _, _ = clv_table(
                _summary(args, tx),
                period=args.period,
                horizon_months=args.horizon,
                discount_rate=args.discount_rate,
                model=MODELS[args.model],
            )
        elif args.command == "churn":
            tx = _read(args, amount=False)
            step("read")
            summary = _summary(args, tx)
            result = churn_risk(
                summary,
                fit_pareto_nbd(compress_summary(summary)),
                horizon=args.horizon,
                period=args.period,
            )
        elif args.command == "clusters":
            tx = _read(args, amount=False)
            step("read")
            clustered = cluster_customers(
                customer_features(tx, as_of=args.observation_end),
                k_range=range(args.k_min, args.k_max + 1),
            )
            result = clustered.assignments
            if args.profiles is not None:
                _write(clustered.profiles, args.profiles)
        else:
            tx = _read(args, amount=False, product=args.product_col)
            step("read")
            result = recommend_products(
                tx, as_of=args.observation_end, top_n=args.top_n, exclude_days=args.exclude_days
            )
        step(args.command)
        _write(result, args.output)
        step("write")
    print(f"wrote {result.height} rows to {args.output}", file=sys.stderr)
    return 0


def main(argv: list[str]) -> int:
    """Run `guanxi analytics <argv>`; 0 on success, 2 on bad input or usage."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0) if isinstance(exc.code, int) else 2
    try:
        return _run(args)
    except AnalyticsInputError as exc:
        print(f"guanxi analytics: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"guanxi analytics: error: cannot write output: {exc}", file=sys.stderr)
        return 2
