"""What sales contributes to the customer 360 view: orders on the timeline, lifetime revenue."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from guanxi.core.models import User
from guanxi.core.permissions import has_perm
from guanxi.core.visibility import visible
from guanxi.sales.models import Order
from guanxi.sales.pricing import ZERO


def order_timeline(actor: User, account: Any, before: dt.datetime | None, limit: int) -> list[Any]:
    """The account's orders the actor may see, newest first, strictly older than `before`."""
    from guanxi.customers.timeline import TimelineEntry

    if not has_perm(actor, Order.resource, "view"):
        return []
    qs = visible(actor, Order).filter(account_id=account.pk)
    if before is not None:
        qs = qs.filter(placed_at__lt=before)
    entries = []
    for order in qs.order_by("-placed_at", "-pk")[:limit]:
        entries.append(
            TimelineEntry(
                at=order.placed_at,
                kind="order",
                title=_("Order %(number)s") % {"number": order.number},
                source="sales.orders",
                ref_id=str(order.pk),
                detail=order.get_status_display(),
                url=reverse("sales:order-detail", args=[order.pk]),
                icon="bag",
                amount=order.total,
                currency=order.currency,
            )
        )
    return entries


def lifetime_revenue(*, actor: User, account: Any) -> Decimal:
    """Paid (and later) orders' totals minus refunds, over the orders the actor may see."""
    agg = (
        visible(actor, Order)
        .filter(account_id=account.pk, status__in=Order.REVENUE_STATUSES)
        .aggregate(total=Sum("total"), refunded=Sum("refunded_amount"))
    )
    return (agg["total"] or ZERO) - (agg["refunded"] or ZERO)


def revenue_figures(actor: User, account: Any) -> list[Any]:
    from guanxi.customers.timeline import Figure

    if not has_perm(actor, Order.resource, "view"):
        return []
    value = lifetime_revenue(actor=actor, account=account)
    return [
        Figure(
            key="lifetime_revenue",
            label=str(_("Lifetime revenue")),
            value=value,
            display=f"¥{number_format(value, 2, force_grouping=True)}",
            hint=_("Paid and completed orders minus refunds"),
            url=reverse("sales:order-list") + f"?account={account.pk}",
        )
    ]
