"""Next products from co-purchases: item-to-item association rules on sparse matrices.

A basket is a customer's whole purchase history up to ``as_of`` (co-purchase = bought by
the same customer). For a rule i → j: support = customers who bought both / customers,
confidence = both / customers who bought i, lift = confidence / share who bought j. A
customer's score for product j is the sum of the confidences of the rules i → j over the
products i they bought; products they bought in the last ``exclude_days`` (all of their
products when ``exclude_days`` is None) are not recommended. Ties are broken by product.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
from scipy import sparse

from guanxi.analytics.compute.errors import AnalyticsInputError
from guanxi.analytics.compute.io import CUSTOMER, DATE, PRODUCT


def _codes(transactions: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Dense integer codes for customers and products, and the distinct pairs."""
    if PRODUCT not in transactions.columns:
        raise AnalyticsInputError("recommendations need a product column", column=PRODUCT)
    if transactions.height == 0:
        raise AnalyticsInputError("the transactions table is empty", count=0)
    customers = transactions.select(pl.col(CUSTOMER).unique().sort()).with_row_index("c")
    products = transactions.select(pl.col(PRODUCT).unique().sort()).with_row_index("p")
    pairs = (
        transactions.select(CUSTOMER, PRODUCT, DATE)
        .group_by(CUSTOMER, PRODUCT)
        .agg(pl.col(DATE).max().alias("last_bought"))
        .join(customers, on=CUSTOMER)
        .join(products, on=PRODUCT)
    )
    return customers, products, pairs


def _matrix(pairs: pl.DataFrame, n_c: int, n_p: int) -> sparse.csr_matrix:
    ones = np.ones(pairs.height, dtype=np.float64)
    rows = pairs.get_column("c").to_numpy()
    cols = pairs.get_column("p").to_numpy()
    return sparse.csr_matrix((ones, (rows, cols)), shape=(n_c, n_p))


def _rules_matrix(
    basket: sparse.csr_matrix, *, min_support: float, min_count: int
) -> tuple[sparse.coo_matrix, np.ndarray, int]:
    n = basket.shape[0]
    co = (basket.T @ basket).tocoo()
    counts = np.asarray(basket.sum(axis=0)).ravel()
    keep = (co.row != co.col) & (co.data >= max(min_count, min_support * n))
    co = sparse.coo_matrix((co.data[keep], (co.row[keep], co.col[keep])), shape=co.shape)
    return co, counts, n


def association_rules(
    transactions: pl.DataFrame,
    *,
    min_support: float = 0.0,
    min_confidence: float = 0.0,
    min_count: int = 2,
) -> pl.DataFrame:
    """All rules antecedent → consequent with count, support, confidence and lift."""
    customers, products, pairs = _codes(transactions)
    basket = _matrix(pairs, customers.height, products.height)
    co, counts, n = _rules_matrix(basket, min_support=min_support, min_count=min_count)
    confidence = co.data / counts[co.row]
    names = products.get_column(PRODUCT)
    frame = pl.DataFrame(
        {
            "antecedent": names.gather(co.row),
            "consequent": names.gather(co.col),
            "count": co.data.astype(np.int64),
            "support": co.data / n,
            "confidence": confidence,
            "lift": confidence / (counts[co.col] / n),
        }
    )
    return frame.filter(pl.col("confidence") >= min_confidence).sort(
        ["lift", "antecedent", "consequent"], descending=[True, False, False]
    )


def recommend_products(
    transactions: pl.DataFrame,
    *,
    as_of: dt.date | None = None,
    top_n: int = 5,
    exclude_days: int | None = 90,
    min_support: float = 0.0,
    min_count: int = 2,
) -> pl.DataFrame:
    """Top-n products per customer by summed rule confidence, without recent purchases."""
    if top_n < 1:
        raise AnalyticsInputError(f"top_n must be at least 1, got {top_n}")
    if as_of is not None:
        transactions = transactions.filter(pl.col(DATE) <= as_of)
    customers, products, pairs = _codes(transactions)
    last = transactions.get_column(DATE).max()
    assert isinstance(last, dt.date)
    as_of = as_of or last
    basket = _matrix(pairs, customers.height, products.height)
    co, counts, _ = _rules_matrix(basket, min_support=min_support, min_count=min_count)
    rules = sparse.csr_matrix((co.data / counts[co.row], (co.row, co.col)), shape=co.shape)
    scores = (basket @ rules).tocsr()
    if exclude_days is None:
        excluded = pairs
    else:
        since = as_of - dt.timedelta(days=exclude_days)
        excluded = pairs.filter(pl.col("last_bought") > since)
    # zero out excluded cells without densifying: multiply by a 0/1 mask of the same pattern
    mask = _matrix(excluded, customers.height, products.height)
    scores = (scores - scores.multiply(mask)).tocoo()
    scores.eliminate_zeros()
    frame = pl.DataFrame(
        {"c": scores.row.astype(np.uint32), "p": scores.col.astype(np.uint32), "score": scores.data}
    )
    return (
        frame.filter(pl.col("score") > 0)
        .sort(["c", "score", "p"], descending=[False, True, False])
        .with_columns(pl.int_range(pl.len()).over("c").add(1).alias("rank"))
        .filter(pl.col("rank") <= top_n)
        .join(customers, on="c")
        .join(products, on="p")
        .select(CUSTOMER, "rank", PRODUCT, "score")
        .sort(CUSTOMER, "rank")
    )
