"""Analytical CRM as pure functions over polars frames and numpy arrays (no ORM, no Django).

Typical use::

    tx = read_transactions("orders.csv", customer_col="cid", date_col="day", amount_col="total")
    summary = summarize_transactions(tx, period="week", calibration_end=date(2024, 9, 30))
    stats = compress_summary(summary)
    bg = fit_bgnbd(stats); pn = fit_pareto_nbd(stats)
    gg = fit_gamma_gamma(summary["frequency"], summary["monetary_value"])
    table, _, _ = clv_table(summary, period="week", fit=bg, spend_fit=gg)
"""

from guanxi.analytics.compute.bgnbd import (
    bgnbd_expected_purchases,
    bgnbd_expected_purchases_new,
    bgnbd_probability_alive,
    bgnbd_probability_no_purchase,
    fit_bgnbd,
)
from guanxi.analytics.compute.churn import (
    SupervisedChurn,
    churn_features,
    churn_holdout_auc,
    churn_risk,
    supervised_churn,
)
from guanxi.analytics.compute.clusters import ClusterResult, cluster_customers, customer_features
from guanxi.analytics.compute.clv import (
    clv_table,
    customer_lifetime_value,
    expected_purchases,
    holdout_check,
    probability_alive,
)
from guanxi.analytics.compute.errors import AnalyticsInputError
from guanxi.analytics.compute.fitting import FitResult
from guanxi.analytics.compute.gamma_gamma import (
    fit_gamma_gamma,
    gamma_gamma_expected_spend,
    gamma_gamma_population_mean,
)
from guanxi.analytics.compute.io import read_transactions
from guanxi.analytics.compute.kpis import (
    churn_rate,
    cohort_matrix,
    cohort_retention,
    kpi_summary,
    restrict_customers,
    retention_rate,
    revenue_growth,
)
from guanxi.analytics.compute.pareto_nbd import (
    fit_pareto_nbd,
    pareto_nbd_expected_purchases,
    pareto_nbd_expected_purchases_new,
    pareto_nbd_probability_alive,
    pareto_nbd_probability_alive_at,
)
from guanxi.analytics.compute.recommend import association_rules, recommend_products
from guanxi.analytics.compute.rfm import (
    DEFAULT_SEGMENTS,
    SegmentRule,
    migration_matrix,
    rfm_table,
    segment_grid,
    segment_migration,
)
from guanxi.analytics.compute.summary import (
    SufficientStats,
    compress,
    compress_summary,
    summarize_transactions,
    summary_lazy,
)

__all__ = [
    "DEFAULT_SEGMENTS",
    "AnalyticsInputError",
    "ClusterResult",
    "FitResult",
    "SegmentRule",
    "SufficientStats",
    "SupervisedChurn",
    "association_rules",
    "bgnbd_expected_purchases",
    "bgnbd_expected_purchases_new",
    "bgnbd_probability_alive",
    "bgnbd_probability_no_purchase",
    "churn_features",
    "churn_holdout_auc",
    "churn_rate",
    "churn_risk",
    "cluster_customers",
    "clv_table",
    "cohort_matrix",
    "cohort_retention",
    "compress",
    "compress_summary",
    "customer_features",
    "customer_lifetime_value",
    "expected_purchases",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "fit_pareto_nbd",
    "gamma_gamma_expected_spend",
    "gamma_gamma_population_mean",
    "holdout_check",
    "kpi_summary",
    "migration_matrix",
    "pareto_nbd_expected_purchases",
    "pareto_nbd_expected_purchases_new",
    "pareto_nbd_probability_alive",
    "pareto_nbd_probability_alive_at",
    "probability_alive",
    "read_transactions",
    "recommend_products",
    "restrict_customers",
    "retention_rate",
    "revenue_growth",
    "rfm_table",
    "segment_grid",
    "segment_migration",
    "summarize_transactions",
    "summary_lazy",
    "supervised_churn",
]
