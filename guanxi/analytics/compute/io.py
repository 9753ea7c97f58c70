"""Read transactions (CSV, Parquet, polars or pandas) into one validated polars frame.

The validated frame always has the columns ``customer_id``, ``date`` (``pl.Date``) and,
when asked for, ``amount`` (``Float64``) and ``product``.

Returns and refunds (negative amounts) are rejected by default (``returns="reject"``);
``returns="drop"`` ignores negative rows, and ``returns="net_daily"`` nets every customer's
amounts per day and keeps only days whose net spend is positive — a refund on a later day
therefore removes that later day, it does not reduce the earlier purchase.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any, Literal

import polars as pl

from guanxi.analytics.compute.errors import AnalyticsInputError

ReturnsPolicy = Literal["reject", "drop", "net_daily"]
TransactionSource = str | os.PathLike[str] | pl.DataFrame | pl.LazyFrame | Any

CUSTOMER = "customer_id"
DATE = "date"
AMOUNT = "amount"
PRODUCT = "product"


def _to_polars(source: TransactionSource) -> pl.DataFrame:
    """Load any supported source as an eager polars frame."""
    if isinstance(source, pl.DataFrame):
        return source
    if isinstance(source, pl.LazyFrame):
        return source.collect()
    if isinstance(source, str | os.PathLike):
        return read_table(Path(source))
    # pandas is optional: only touch it when we are handed something that looks like it
    if type(source).__module__.startswith("pandas"):
        return _from_pandas(source)
    raise AnalyticsInputError(
        f"unsupported transactions source of type {type(source).__name__}; "
        "pass a CSV/Parquet path, a polars frame or a pandas frame"
    )


def _from_pandas(frame: Any) -> pl.DataFrame:
    """Convert a pandas frame column by column (no pyarrow needed)."""
    # pandas is optional (and untyped here): imported only when a pandas frame is handed in
    pd: Any = importlib.import_module("pandas")

    if not isinstance(frame, pd.DataFrame):
        raise AnalyticsInputError(f"unsupported pandas object {type(frame).__name__}")
    frame = frame.reset_index(drop=frame.index.name is None)
    columns: dict[str, pl.Series] = {}
    for name in frame.columns:
        col = frame[name]
        if pd.api.types.is_datetime64_any_dtype(col):
            columns[str(name)] = pl.Series(str(name), col.dt.tz_localize(None).to_numpy())
        elif pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
            columns[str(name)] = pl.Series(str(name), col.to_numpy())
        else:
            columns[str(name)] = pl.Series(
                str(name), [None if v is None or v != v else v for v in col.tolist()]
            )
    return pl.DataFrame(columns)


def read_table(path: Path) -> pl.DataFrame:
    """Read a CSV or Parquet file, chosen by extension, with a clear error when unreadable."""
    if not path.exists():
        raise AnalyticsInputError(f"transactions file {str(path)!r} does not exist")
    suffix = path.suffix.lower()
    try:
        if suffix in {".parquet", ".pq"}:
            return pl.read_parquet(path)
        if suffix in {".csv", ".txt", ".tsv"}:
            # everything as text first so that type errors are reported by column, not by parser
            sep = "\t" if suffix == ".tsv" else ","
            return pl.read_csv(path, separator=sep, infer_schema=False)
    except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError) as exc:
        raise AnalyticsInputError(f"cannot read transactions file {str(path)!r}: {exc}") from exc
    raise AnalyticsInputError(
        f"unsupported file type {suffix!r} for {str(path)!r}; use .csv or .parquet"
    )


def _examples(frame: pl.DataFrame, column: str, mask: pl.Series) -> list[Any]:
    return frame.filter(mask).get_column(column).head(5).to_list()


def _parse_dates(frame: pl.DataFrame, column: str, date_format: str | None) -> pl.Series:
    """Turn the date column into ``pl.Date``; datetimes keep their own (local) calendar date."""
    col = frame.get_column(column)
    dtype = col.dtype
    if dtype == pl.Date:
        parsed = col
    elif isinstance(dtype, pl.Datetime):
        parsed = col.dt.date()
    elif dtype == pl.String:
        stripped = col.str.strip_chars()
        if date_format is not None:
            parsed = stripped.str.to_datetime(date_format, strict=False).dt.date()
        else:
            parsed = stripped.str.to_date(strict=False)
            # fall back to full timestamps ("2024-01-02 10:00:00") when plain dates fail
            missing = parsed.is_null() & stripped.is_not_null()
            if missing.any():
                as_dt = stripped.str.to_datetime(strict=False).dt.date()
                parsed = pl.select(pl.when(missing).then(as_dt).otherwise(parsed)).to_series()
    else:
        raise AnalyticsInputError(
            f"dates must be dates, datetimes or ISO strings, got {dtype}",
            column=column,
            count=frame.height,
            examples=col.head(3).to_list(),
        )
    bad = parsed.is_null() & col.is_not_null()
    if bad.any():
        raise AnalyticsInputError(
            "unparsable dates",
            column=column,
            count=int(bad.sum()),
            examples=_examples(frame, column, bad),
        )
    if col.null_count():
        raise AnalyticsInputError(
            "missing dates",
            column=column,
            count=col.null_count(),
        )
    return parsed.alias(DATE)


def _parse_amounts(frame: pl.DataFrame, column: str) -> pl.Series:
    """Turn the amount column into finite ``Float64`` values or explain which rows are wrong."""
    col = frame.get_column(column)
    if col.dtype == pl.String:
        cleaned = col.str.strip_chars().str.replace_all(",", "")
        parsed = cleaned.cast(pl.Float64, strict=False)
        bad = parsed.is_null() & col.is_not_null()
        if bad.any():
            raise AnalyticsInputError(
                "amounts are not numbers",
                column=column,
                count=int(bad.sum()),
                examples=_examples(frame, column, bad),
            )
    elif col.dtype.is_numeric():
        parsed = col.cast(pl.Float64)
    else:
        raise AnalyticsInputError(
            f"amounts must be numeric, got {col.dtype}",
            column=column,
            count=frame.height,
            examples=col.head(3).to_list(),
        )
    if parsed.null_count():
        raise AnalyticsInputError("missing amounts", column=column, count=parsed.null_count())
    not_finite = ~parsed.is_finite()
    if not_finite.any():
        raise AnalyticsInputError(
            "amounts are not finite",
            column=column,
            count=int(not_finite.sum()),
            examples=_examples(frame, column, not_finite),
        )
    return parsed.alias(AMOUNT)


def read_transactions(
    source: TransactionSource,
    *,
    customer_col: str = CUSTOMER,
    date_col: str = DATE,
    amount_col: str | None = None,
    product_col: str | None = None,
    date_format: str | None = None,
    returns: ReturnsPolicy = "reject",
) -> pl.DataFrame:
    """Validate transactions and rename them to customer_id/date[/amount][/product]; bad rows raise."""
    frame = _to_polars(source)
    wanted = [c for c in (customer_col, date_col, amount_col, product_col) if c is not None]
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise AnalyticsInputError(
            f"missing column(s) {missing}; available: {frame.columns}",
            column=missing[0],
        )
    if frame.height == 0:
        raise AnalyticsInputError("the transactions table is empty", count=0)
    customers = frame.get_column(customer_col)
    if customers.null_count():
        raise AnalyticsInputError(
            "missing customer ids", column=customer_col, count=customers.null_count()
        )
    out: list[pl.Series] = [customers.alias(CUSTOMER), _parse_dates(frame, date_col, date_format)]
    if amount_col is not None:
        out.append(_parse_amounts(frame, amount_col))
    if product_col is not None:
        products = frame.get_column(product_col)
        if products.null_count():
            raise AnalyticsInputError(
                "missing products", column=product_col, count=products.null_count()
            )
        out.append(products.alias(PRODUCT))
    result = pl.DataFrame(out)
    if amount_col is not None:
        result = _apply_returns_policy(result, amount_col, returns)
    return result


def _apply_returns_policy(frame: pl.DataFrame, column: str, policy: ReturnsPolicy) -> pl.DataFrame:
    """Handle negative amounts (returns/refunds) as documented in the module docstring."""
    negative = frame.get_column(AMOUNT) < 0
    if not negative.any():
        return frame
    if policy == "reject":
        raise AnalyticsInputError(
            "negative amounts (returns/refunds) are rejected; "
            "pass returns='drop' or returns='net_daily' to accept them",
            column=column,
            count=int(negative.sum()),
            examples=frame.filter(negative).get_column(AMOUNT).head(5).to_list(),
        )
    if policy == "drop":
        kept = frame.filter(~negative)
    else:
        keys = [CUSTOMER, DATE] + ([PRODUCT] if PRODUCT in frame.columns else [])
        kept = (
            frame.group_by(keys, maintain_order=True)
            .agg(pl.col(AMOUNT).sum())
            .filter(pl.col(AMOUNT) > 0)
            .select(frame.columns)
        )
    if kept.height == 0:
        raise AnalyticsInputError("no purchases left after removing returns", column=column)
    return kept
