"""Rows → polars: Guanxi's own orders as a transaction table for the compute library."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import polars as pl
from django.conf import settings
from django.db.models import QuerySet

from guanxi.customers.models import Account
from guanxi.sales.models import Order

CHUNK = 50_000
SCHEMA = {"customer_id": pl.Int64, "date": pl.Date, "amount": pl.Float64}


def order_transactions(
    *, until: dt.date | None = None, accounts: QuerySet[Account] | None = None
) -> pl.DataFrame:
    """Revenue orders net of refunds as (customer_id, date, amount), dates in the company zone.

    Cancelled and deleted orders and orders of deleted customers are left out; a fully
    refunded order counts as a purchase day with zero spend.
    """
    qs = Order.objects.filter(status__in=Order.REVENUE_STATUSES, account__deleted_at__isnull=True)
    if accounts is not None:
        qs = qs.filter(account__in=accounts.values("pk"))
    zone = ZoneInfo(settings.TIME_ZONE)
    if until is not None:
        end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        qs = qs.filter(placed_at__lt=end)
    rows = qs.order_by().values_list("account_id", "placed_at", "total", "refunded_amount")
    frames: list[pl.DataFrame] = []
    ids: list[int] = []
    days: list[dt.date] = []
    amounts: list[float] = []
    for account_id, placed_at, total, refunded in rows.iterator(chunk_size=CHUNK):
        ids.append(account_id)
        days.append(placed_at.astimezone(zone).date())
        amounts.append(float(max(total - refunded, 0)))
        if len(ids) >= CHUNK:
            frames.append(
                pl.DataFrame({"customer_id": ids, "date": days, "amount": amounts}, schema=SCHEMA)
            )
            ids, days, amounts = [], [], []
    frames.append(
        pl.DataFrame({"customer_id": ids, "date": days, "amount": amounts}, schema=SCHEMA)
    )
    return pl.concat(frames)
