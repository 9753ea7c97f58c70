"""RFM scores, the named recency × frequency segments, and segment migration.

Scores. R, F and M are quintile scores 1–5 (5 = best: most recent, most purchase days,
highest total spend). Ties are handled deterministically and independently of row order:
a customer's score is 1 + floor(5 · w / n), where w is the number of customers with a
strictly worse value and n the number of customers. Tied customers therefore always share a
score, and a value shared by many customers (say, the 60 % who bought once) can leave some
scores unused rather than splitting equal customers arbitrarily.

Segments. A segment map is data: a list of ``SegmentRule`` (R range × F range → key, English
and zh-Hans names). Rules are matched in order, the first match wins, and the map must cover
all 25 (R, F) cells. ``DEFAULT_SEGMENTS`` is the widely used 11-segment grid.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from guanxi.analytics.compute.errors import AnalyticsInputError
from guanxi.analytics.compute.io import AMOUNT, CUSTOMER, DATE


@dataclass(frozen=True)
class SegmentRule:
    """Customers with R in [r_min, r_max] and F in [f_min, f_max] belong to this segment."""

    key: str
    name_en: str
    name_zh: str
    r_min: int
    r_max: int
    f_min: int
    f_max: int


DEFAULT_SEGMENTS: tuple[SegmentRule, ...] = (
    SegmentRule("champions", "Champions", "冠军客户", 5, 5, 4, 5),
    SegmentRule("loyal", "Loyal", "忠诚客户", 3, 4, 4, 5),
    SegmentRule("potential_loyalist", "Potential Loyalist", "潜在忠诚客户", 4, 5, 2, 3),
    SegmentRule("new_customers", "New Customers", "新客户", 5, 5, 1, 1),
    SegmentRule("promising", "Promising", "有潜力客户", 4, 4, 1, 1),
    SegmentRule("need_attention", "Need Attention", "需要关注", 3, 3, 3, 3),
    SegmentRule("about_to_sleep", "About to Sleep", "即将沉睡", 3, 3, 1, 2),
    SegmentRule("at_risk", "At Risk", "有流失风险", 1, 2, 3, 4),
    SegmentRule("cannot_lose", "Cannot Lose Them", "不能失去", 1, 2, 5, 5),
    SegmentRule("lost", "Lost", "已流失", 1, 1, 1, 1),
    SegmentRule("hibernating", "Hibernating", "休眠客户", 1, 2, 1, 2),
)


def segment_grid(rules: Sequence[SegmentRule] = DEFAULT_SEGMENTS) -> pl.DataFrame:
    """The 25-cell (r_score, f_score) → segment table; incomplete maps are refused."""
    rows: list[dict[str, object]] = []
    missing: list[tuple[int, int]] = []
    for r in range(1, 6):
        for f in range(1, 6):
            rule = next(
                (x for x in rules if x.r_min <= r <= x.r_max and x.f_min <= f <= x.f_max), None
            )
            if rule is None:
                missing.append((r, f))
                continue
            rows.append(
                {
                    "r_score": r,
                    "f_score": f,
                    "segment": rule.key,
                    "segment_en": rule.name_en,
                    "segment_zh": rule.name_zh,
                }
            )
    if missing:
        raise AnalyticsInputError(
            "segment map does not cover every (R, F) cell",
            count=len(missing),
            examples=missing,
        )
    return pl.DataFrame(rows, schema_overrides={"r_score": pl.Int8, "f_score": pl.Int8})


def quintile_score(column: str, *, higher_is_better: bool = True) -> pl.Expr:
    """1 + floor(5 · (customers strictly worse) / n): ties share a score, row order is irrelevant."""
    value = pl.col(column) if higher_is_better else -pl.col(column)
    worse = value.rank(method="min") - 1
    return (1 + (5 * worse // pl.len())).clip(1, 5).cast(pl.Int8)


def rfm_table(
    transactions: pl.DataFrame,
    *,
    as_of: dt.date | None = None,
    rules: Sequence[SegmentRule] = DEFAULT_SEGMENTS,
) -> pl.DataFrame:
    """Recency (days), frequency (purchase days), monetary (total spend), scores and segment."""
    if transactions.height == 0:
        raise AnalyticsInputError("the transactions table is empty", count=0)
    last = transactions.get_column(DATE).max()
    assert isinstance(last, dt.date)
    as_of = as_of or last
    future = transactions.get_column(DATE) > as_of
    if future.any():
        raise AnalyticsInputError(
            f"purchases dated after as_of {as_of}; filter them or choose a later as_of",
            column=DATE,
            count=int(future.sum()),
        )
    has_amount = AMOUNT in transactions.columns
    monetary = pl.col(AMOUNT).sum() if has_amount else pl.len().cast(pl.Float64)
    per_customer = (
        transactions.lazy()
        .group_by(CUSTOMER)
        .agg(
            (pl.lit(as_of) - pl.col(DATE).max()).dt.total_days().alias("recency_days"),
            pl.col(DATE).n_unique().alias("frequency"),
            monetary.alias("monetary"),
        )
    )
    scored = per_customer.with_columns(
        quintile_score("recency_days", higher_is_better=False).alias("r_score"),
        quintile_score("frequency").alias("f_score"),
        quintile_score("monetary").alias("m_score"),
    ).with_columns(
        pl.concat_str([pl.col("r_score"), pl.col("f_score"), pl.col("m_score")]).alias("rfm_score")
    )
    return (
        scored.join(segment_grid(rules).lazy(), on=["r_score", "f_score"], how="left")
        .sort(CUSTOMER)
        .collect()
    )


def segment_migration(
    transactions: pl.DataFrame,
    *,
    start: dt.date,
    end: dt.date,
    rules: Sequence[SegmentRule] = DEFAULT_SEGMENTS,
) -> pl.DataFrame:
    """Transition matrix between segments at start and at end (rows: from, share sums to 1).

    Customers whose first purchase is after ``start`` come from the pseudo-segment ``new``.
    """
    if end <= start:
        raise AnalyticsInputError(f"migration end {end} must be after start {start}")
    before = rfm_table(transactions.filter(pl.col(DATE) <= start), as_of=start, rules=rules)
    after = rfm_table(transactions.filter(pl.col(DATE) <= end), as_of=end, rules=rules)
    joined = after.select(CUSTOMER, pl.col("segment").alias("to_segment")).join(
        before.select(CUSTOMER, pl.col("segment").alias("from_segment")), on=CUSTOMER, how="left"
    )
    counts = (
        joined.with_columns(pl.col("from_segment").fill_null("new"))
        .group_by("from_segment", "to_segment")
        .agg(pl.len().alias("customers"))
    )
    return counts.with_columns(
        (pl.col("customers") / pl.col("customers").sum().over("from_segment")).alias("share")
    ).sort("from_segment", "to_segment")


def migration_matrix(migration: pl.DataFrame, *, value: str = "customers") -> pl.DataFrame:
    """Pivot a migration table into a from × to matrix (missing transitions are 0)."""
    return (
        migration.pivot(on="to_segment", index="from_segment", values=value)
        .fill_null(0)
        .sort("from_segment")
    )
