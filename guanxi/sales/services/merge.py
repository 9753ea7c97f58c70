"""When the customers app merges two accounts, sales rows follow the survivor."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from guanxi.core.audit import audit_log
from guanxi.sales.models import Contract, Lead, Opportunity, Order, OrderLine, Quote
from guanxi.sales.services.rollups import revenue_change


@transaction.atomic
def accounts_merged(actor: Any, survivor: Any, merged: Any) -> None:
    """Move every sales row of `merged` to `survivor` (the customers app calls this)."""
    moved = {
        "leads": Lead.all_objects.filter(converted_account=merged).update(
            converted_account=survivor
        ),
        "opportunities": Opportunity.all_objects.filter(account=merged).update(account=survivor),
        "quotes": Quote.all_objects.filter(account=merged).update(account=survivor),
    }
    # Top-customer revenue moves with the orders.
    order_ids = list(Order.all_objects.filter(account=merged).values_list("pk", flat=True))
    with revenue_change(order_ids):
        moved["orders"] = Order.all_objects.filter(account=merged).update(account=survivor)
        moved["order_lines"] = OrderLine.objects.filter(account=merged).update(account=survivor)
    moved |= {
        "contracts": Contract.all_objects.filter(account=merged).update(account=survivor),
    }
    audit_log(
        actor=actor,
        action="merge",
        obj=survivor,
        changes={"sales_rows_from": [merged.pk, moved]},
    )
