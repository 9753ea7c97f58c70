"""Customer clusters (一对一类): k-means on standardised features with automatic k and profiles.

Features are behaviour (from transactions) plus any numeric, boolean or low-cardinality text
attributes joined by the caller. Non-negative, right-skewed columns (skewness > 1) are
log1p-transformed before standardising so that a few big spenders do not form clusters of
their own; constant columns are dropped. k is chosen in ``k_range`` by the silhouette score
on a seeded sample, then k-means is fitted on everyone. Each cluster gets a profile (size,
feature means next to the population's, z-scores) and a bilingual name built from the
features that are clearly high or low (|z| ≥ 0.5).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

from guanxi.analytics.compute.errors import AnalyticsInputError
from guanxi.analytics.compute.io import AMOUNT, CUSTOMER, DATE

FloatArray = npt.NDArray[np.float64]

# (zh when high, en when high, zh when low, en when low)
VOCABULARY: dict[str, tuple[str, str, str, str]] = {
    "frequency": ("高频", "frequent", "低频", "infrequent"),
    "recency_days": ("久未购买", "lapsed", "近期活跃", "recently active"),
    "tenure_days": ("老", "long-standing", "新近", "new"),
    "total_spend": ("高消费", "big-spending", "低消费", "low-spending"),
    "average_order_value": ("高额", "big-basket", "低额", "small"),
}
MAX_CATEGORIES = 20


def customer_features(transactions: pl.DataFrame, *, as_of: dt.date | None = None) -> pl.DataFrame:
    """Behaviour per customer: purchase days, days since last, tenure, total spend, AOV."""
    if transactions.height == 0:
        raise AnalyticsInputError("the transactions table is empty", count=0)
    last = transactions.get_column(DATE).max()
    assert isinstance(last, dt.date)
    as_of = as_of or last
    spend = pl.col(AMOUNT) if AMOUNT in transactions.columns else pl.lit(0.0)
    return (
        transactions.lazy()
        .filter(pl.col(DATE) <= as_of)
        .with_columns(spend.alias("_spend"))
        .group_by(CUSTOMER)
        .agg(
            pl.col(DATE).n_unique().cast(pl.Float64).alias("frequency"),
            (pl.lit(as_of) - pl.col(DATE).max())
            .dt.total_days()
            .cast(pl.Float64)
            .alias("recency_days"),
            (pl.lit(as_of) - pl.col(DATE).min())
            .dt.total_days()
            .cast(pl.Float64)
            .alias("tenure_days"),
            pl.col("_spend").sum().alias("total_spend"),
            pl.col("_spend").mean().alias("average_order_value"),
        )
        .sort(CUSTOMER)
        .collect()
    )


def _design_matrix(
    features: pl.DataFrame, columns: Sequence[str]
) -> tuple[FloatArray, list[str], pl.DataFrame]:
    """Numeric matrix (log1p for skewed non-negative columns), its names and the raw numbers."""
    frames: list[pl.DataFrame] = []
    for col in columns:
        series = features.get_column(col)
        if series.null_count():
            raise AnalyticsInputError("missing values", column=col, count=series.null_count())
        if series.dtype == pl.Boolean or series.dtype.is_numeric():
            frames.append(series.cast(pl.Float64).to_frame())
        elif series.dtype in (pl.String, pl.Categorical, pl.Enum):
            if series.n_unique() > MAX_CATEGORIES:
                raise AnalyticsInputError(
                    f"text attribute with more than {MAX_CATEGORIES} categories",
                    column=col,
                    count=series.n_unique(),
                )
            frames.append(series.cast(pl.String).to_dummies().cast(pl.Float64))
        else:
            raise AnalyticsInputError(f"cannot cluster on type {series.dtype}", column=col)
    raw = pl.concat(frames, how="horizontal")
    matrix = raw.to_numpy().astype(np.float64)
    if not np.isfinite(matrix).all():
        raise AnalyticsInputError(
            "features must be finite", count=int((~np.isfinite(matrix)).sum())
        )
    keep = matrix.std(axis=0) > 0
    if not keep.any():
        raise AnalyticsInputError("every feature is constant; nothing to cluster on")
    names = [n for n, k in zip(raw.columns, keep, strict=True) if k]
    matrix = matrix[:, keep]
    from scipy.stats import skew

    for j in range(matrix.shape[1]):
        values = matrix[:, j]
        if values.min() >= 0 and float(skew(values)) > 1:
            matrix[:, j] = np.log1p(values)
    return matrix, names, raw.select(names)


@dataclass(frozen=True)
class ClusterResult:
    """Cluster of every customer, one profile row per cluster, and the silhouette per k."""

    assignments: pl.DataFrame
    profiles: pl.DataFrame
    k: int
    silhouette: dict[int, float]


def _name(z: dict[str, float]) -> tuple[str, str]:
    strong = sorted((f for f in z if abs(z[f]) >= 0.5), key=lambda f: -abs(z[f]))[:2]
    # words read naturally in vocabulary order ("高频低额"), whatever is strongest
    order = list(VOCABULARY)
    strong.sort(key=lambda f: order.index(f) if f in order else len(order))
    zh_parts, en_parts = [], []
    for feature in strong:
        words = VOCABULARY.get(feature)
        high = z[feature] > 0
        if words is None:
            zh_parts.append(f"{feature}{'高' if high else '低'}")
            en_parts.append(f"{'high' if high else 'low'} {feature}")
        else:
            zh_parts.append(words[0] if high else words[2])
            en_parts.append(words[1] if high else words[3])
    if not strong:
        return "普通客户", "typical buyers"
    return "".join(zh_parts) + "客户", " ".join(en_parts) + " buyers"


def cluster_customers(
    features: pl.DataFrame,
    *,
    columns: Sequence[str] | None = None,
    k_range: Sequence[int] = range(2, 9),
    sample_size: int = 5000,
    seed: int = 0,
) -> ClusterResult:
    """k-means with k chosen by silhouette on a sample; readable bilingual profiles."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    columns = list(columns or [c for c in features.columns if c != CUSTOMER])
    missing = [c for c in [CUSTOMER, *columns] if c not in features.columns]
    if missing:
        raise AnalyticsInputError(f"missing column(s) {missing}", column=missing[0])
    matrix, names, raw = _design_matrix(features, columns)
    n = matrix.shape[0]
    ks = [k for k in k_range if 2 <= k < n]
    if not ks:
        raise AnalyticsInputError(f"too few customers ({n}) to form clusters", count=n)
    z = (matrix - matrix.mean(axis=0)) / matrix.std(axis=0)
    rng = np.random.default_rng(seed)
    sample = z[rng.choice(n, size=min(n, sample_size), replace=False)]
    scores: dict[int, float] = {}
    for k in ks:
        if k >= len(sample):
            continue
        labels = KMeans(n_clusters=k, n_init=4, random_state=seed).fit_predict(sample)
        if len(set(labels.tolist())) < 2:
            continue
        scores[k] = float(silhouette_score(sample, labels))
    if not scores:
        raise AnalyticsInputError("no k gave at least two distinct clusters")
    best = max(scores, key=lambda k: (scores[k], -k))
    model = KMeans(n_clusters=best, n_init=4, random_state=seed).fit(z)
    labels = np.asarray(model.labels_, dtype=np.int64)
    assignments = features.select(CUSTOMER).with_columns(pl.Series("cluster", labels))
    raw_matrix = raw.to_numpy().astype(np.float64)
    population = raw_matrix.mean(axis=0)
    rows: list[dict[str, object]] = []
    seen: dict[str, int] = {}
    for c in range(best):
        members = labels == c
        zc = {name: float(z[members, j].mean()) for j, name in enumerate(names)}
        name_zh, name_en = _name(zc)
        seen[name_en] = seen.get(name_en, 0) + 1
        if seen[name_en] > 1:
            name_zh, name_en = f"{name_zh} ({seen[name_en]})", f"{name_en} ({seen[name_en]})"
        row: dict[str, object] = {
            "cluster": c,
            "size": int(members.sum()),
            "share": float(members.mean()),
            "name_zh": name_zh,
            "name_en": name_en,
        }
        for j, feat in enumerate(names):
            row[f"{feat}_mean"] = float(raw_matrix[members, j].mean())
            row[f"{feat}_population"] = float(population[j])
            row[f"{feat}_z"] = zc[feat]
        rows.append(row)
    return ClusterResult(assignments, pl.DataFrame(rows), best, scores)
