"""Sales listens to no one yet; it registers its parts of the customer 360 and of merges."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def register_customer_hooks() -> None:
    """Orders on the timeline, lifetime revenue in the figures, sales rows follow a merge."""
    from guanxi.sales.selectors.customer import order_timeline, revenue_figures
    from guanxi.sales.services.merge import accounts_merged

    try:
        from guanxi.customers.timeline import register_figure_source, register_timeline_source
    except ImportError:  # pragma: no cover - the customers app predates its 360 hooks
        logger.info("customers.timeline missing: sales orders not on the 360 view")
    else:
        register_timeline_source("sales.orders", order_timeline)
        register_figure_source("sales.lifetime_revenue", revenue_figures)
    try:
        from guanxi.customers.services import register_merge_handler
    except ImportError:  # pragma: no cover
        logger.info("customers merge hooks missing")
    else:
        register_merge_handler(accounts_merged, key="sales.accounts_merged")
