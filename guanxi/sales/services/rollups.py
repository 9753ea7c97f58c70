"""Keeping the revenue rollups (`guanxi.sales.models.rollups`) in step with the orders.

Every service that changes what an order contributes to revenue (its status, refunds, its
customer) runs the change inside `revenue_change(order_ids)`: the orders' current contribution
is withdrawn before and the new one added after, in the same transaction. Increments are
upserts, so concurrent changes to the same day and key add up instead of overwriting each other.
`rollups_rebuild` recomputes every table from the lines (after a bulk load, or to check).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, DateField, F, Sum, Value
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from guanxi.sales.models import (
    CustomerRevenueMonth,
    Order,
    OrderLine,
    ProductRevenueMonth,
    RevenueDay,
)
from guanxi.sales.models.rollups import RevenueRollup, line_net_revenue

ROLLUPS: tuple[type[RevenueRollup], ...] = (RevenueDay, ProductRevenueMonth, CustomerRevenueMonth)
CHUNK = 500
_state = threading.local()


def _withdrawn() -> set[int]:
    ids: set[int] | None = getattr(_state, "ids", None)
    if ids is None:
        ids = _state.ids = set()
    return ids


@contextmanager
def revenue_change(order_ids: Iterable[int]) -> Iterator[None]:
    """Run a change to these orders with the rollups kept in step (in a savepoint, so a
    failed change leaves them as they were). Nested uses for the same orders do nothing."""
    withdrawn = _withdrawn()
    ids = sorted(set(order_ids) - withdrawn)
    if not ids:
        yield
        return
    with transaction.atomic():
        apply(ids, sign=-1)
        withdrawn.update(ids)
        try:
            yield
        finally:
            withdrawn.difference_update(ids)
        apply(ids, sign=1)


def _contribution(
    order_ids: list[int],
) -> dict[type[RevenueRollup], dict[tuple[Any, ...], list[Any]]]:
    """What these orders add to each rollup: {table: {key: [revenue, lines, order ids]}}."""
    out: dict[type[RevenueRollup], dict[tuple[Any, ...], list[Any]]] = {
        model: defaultdict(lambda: [Decimal(0), 0, set()]) for model in ROLLUPS
    }
    for i in range(0, len(order_ids), CHUNK):
        rows = OrderLine.objects.filter(
            order_id__in=order_ids[i : i + CHUNK], status__in=Order.REVENUE_STATUSES
        ).values_list(
            "order_id",
            "order__owner_id",
            "order__team_id",
            "placed_at",
            "region",
            "product_id",
            "account_id",
            "line_total",
            "refunded_amount",
        )
        for order_id, owner, team, placed, region, product, account, total, refunded in rows:
            day = timezone.localtime(placed).date()
            month = day.replace(day=1)
            owner, team, net = owner or 0, team or 0, total - refunded
            for model, key in (
                (RevenueDay, (day, owner, team, region or "")),
                (ProductRevenueMonth, (month, owner, team, product)),
                (CustomerRevenueMonth, (month, owner, team, account)),
            ):
                acc = out[model][key]
                acc[0] += net
                acc[1] += 1
                acc[2].add(order_id)
    return out


def apply(order_ids: list[int], *, sign: int) -> None:
    """Add (sign 1) or withdraw (sign -1) these orders' contribution to every rollup."""
    ops = connection.ops
    for model, keyed in _contribution(order_ids).items():
        if not keyed:
            continue
        table = model._meta.db_table
        cols = [*model.key, "revenue", *model.counts]
        rows = []
        for key in sorted(keyed):  # one order of row locks: concurrent changes cannot deadlock
            revenue, lines, orders = keyed[key]
            values: list[Any] = [ops.adapt_datefield_value(key[0]), *key[1:]]
            values.append(ops.adapt_decimalfield_value(sign * revenue, 18, 2))
            values.append(sign * lines)
            if "orders" in model.counts:
                values.append(sign * len(orders))
            rows.append(values)
        quoted = ", ".join(f'"{c}"' for c in cols)
        one = "(" + ", ".join(["%s"] * len(cols)) + ")"
        updates = ", ".join(
            f'"{c}" = "{table}"."{c}" + excluded."{c}"' for c in cols[len(model.key) :]
        )
        keys = ", ".join(f'"{c}"' for c in model.key)
        with connection.cursor() as cur:
            for i in range(0, len(rows), CHUNK):
                batch = rows[i : i + CHUNK]
                cur.execute(
                    f'INSERT INTO "{table}" ({quoted}) VALUES {", ".join([one] * len(batch))} '  # noqa: S608 - model metadata
                    f"ON CONFLICT ({keys}) DO UPDATE SET {updates}",
                    [v for row in batch for v in row],
                )
        if sign < 0:
            periods = sorted({k[0] for k in keyed})
            model._default_manager.filter(**{f"{model.period}__in": periods}, lines__lte=0).delete()


@transaction.atomic
def rollups_rebuild(registry: Any = None) -> dict[str, int]:
    """Recompute every rollup from the order lines; returns the rows written per table.

    `registry` is an app registry (a migration passes its historical one)."""
    from django.apps import apps as global_apps

    registry = registry or global_apps
    line_model = registry.get_model("sales", "OrderLine")
    tz = timezone.get_current_timezone()
    lines = line_model._base_manager.filter(status__in=Order.REVENUE_STATUSES)
    owner = Coalesce(F("order__owner_id"), Value(0))
    team = Coalesce(F("order__team_id"), Value(0))
    month = TruncMonth("placed_at", output_field=DateField(), tzinfo=tz)
    sources: dict[type[RevenueRollup], Any] = {
        RevenueDay: lines.values(
            "region", day=TruncDate("placed_at", tzinfo=tz), owner_id=owner, team_id=team
        ).annotate(
            revenue=Sum(line_net_revenue()),
            lines=Count("id"),
            orders=Count("order_id", distinct=True),
        ),
        ProductRevenueMonth: lines.values(
            "product_id", month=month, owner_id=owner, team_id=team
        ).annotate(revenue=Sum(line_net_revenue()), lines=Count("id")),
        CustomerRevenueMonth: lines.values(
            "account_id", month=month, owner_id=owner, team_id=team
        ).annotate(revenue=Sum(line_net_revenue()), lines=Count("id")),
    }
    written: dict[str, int] = {}
    with connection.cursor() as cur:
        for model, qs in sources.items():
            table = model._meta.db_table
            cols = [*model.key, "revenue", *model.counts]
            quoted = ", ".join(f'"{c}"' for c in cols)
            cur.execute(f'DELETE FROM "{table}"')  # noqa: S608 - model metadata
            # Group in the database; the outer SELECT names the columns, whatever order the
            # inner one has them in. A month is stored as its first day.
            sql, params = qs.order_by().query.sql_with_params()
            date = "CAST({} AS DATE)" if connection.vendor == "postgresql" else "DATE({})"
            picked = ", ".join(
                date.format(f'"{c}"') if c in ("day", "month") else f'"{c}"' for c in cols
            )
            # In period order: a range of months or days is then a range of the table, which
            # the database reads by its key index instead of scanning every period.
            cur.execute(
                f'INSERT INTO "{table}" ({quoted}) SELECT {picked} FROM ({sql}) AS src '  # noqa: S608
                f'ORDER BY "{model.period}"',
                params,
            )
            cur.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - model metadata
            written[table] = cur.fetchone()[0]
    return written
