"""Sales reports, aggregated in the database and scoped by visibility.

Revenue is the net of order lines of orders that count as revenue (paid onwards), minus
the returned share of each line.
"""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.errors import Invalid
from guanxi.core.models import Team, User
from guanxi.core.permissions import require_perm
from guanxi.core.visibility import reach, visible
from guanxi.sales.models import (
    CustomerRevenueMonth,
    Opportunity,
    Order,
    OrderLine,
    Pipeline,
    Product,
    ProductRevenueMonth,
    RevenueDay,
    Stage,
    StageChange,
)
from guanxi.sales.models.rollups import RevenueRollup, line_net_revenue
from guanxi.sales.pricing import ZERO, to_fen

# Which table answers each dimension, and the key column the rows are grouped by.
DIMENSIONS: dict[str, tuple[type[RevenueRollup], str]] = {
    "rep": (RevenueDay, "owner_id"),
    "team": (RevenueDay, "team_id"),
    "region": (RevenueDay, "region"),
    "product": (ProductRevenueMonth, "product_id"),
    "category": (ProductRevenueMonth, "product__category"),
    "customer": (CustomerRevenueMonth, "account_id"),
}

NET = line_net_revenue()
MAX_MONTHS = 60
# Memory PostgreSQL may use to group one report's rows (per sort or hash, per worker).
REPORT_WORK_MEM = "64MB"


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def default_range(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    today = today or timezone.localdate()
    return dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)


def _check_range(actor: User, start: dt.date, end: dt.date) -> None:
    require_perm(actor, Order.resource, "view")
    if end < start:
        raise Invalid(fields={"end": [_("The end must not be before the start.")]})


def revenue_lines(*, actor: User, start: dt.date, end: dt.date) -> QuerySet[OrderLine]:
    """Order lines that count as revenue, placed between start and end (inclusive)."""
    _check_range(actor, start, end)
    window = {
        "placed_at__gte": _aware(start),
        "placed_at__lt": _aware(end + dt.timedelta(days=1)),
        "status__in": Order.REVENUE_STATUSES,
    }
    lines = visible(actor, OrderLine).filter(**window)
    if not reach(actor).everything:
        # Scoped actors see lines through their orders: the same window on the orders lets the
        # database pick the visible orders of the period by index instead of hashing them all.
        lines = lines.filter(**{f"order__{k}": v for k, v in window.items()})
    return lines


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def split_months(
    start: dt.date, end: dt.date
) -> tuple[tuple[dt.date, dt.date] | None, list[tuple[dt.date, dt.date]]]:
    """The whole months inside [start, end] (first and last month start), and the parts of a
    month left at either end (inclusive day ranges)."""
    first = start if start.day == 1 else _next_month(start)
    after = (
        _next_month(end) if _next_month(end) - dt.timedelta(days=1) == end else end.replace(day=1)
    )
    if first >= after:
        return None, [(start, end)]
    edges = []
    if start < first:
        edges.append((start, first - dt.timedelta(days=1)))
    if after <= end:
        edges.append((after, end))
    last = (after - dt.timedelta(days=1)).replace(day=1)
    return (first, last), edges


def _grouped(
    actor: User, model: type[RevenueRollup], key: str, start: dt.date, end: dt.date
) -> list[QuerySet[Any]]:
    """Querysets of (k, r, n): key, revenue and count, that together cover [start, end]: the
    rollup for the days or whole months it holds, the lines for the parts of a month at either
    end. Summed per key by `_top`."""
    count = "orders" if key in ("owner_id", "team_id") else "lines"
    rollup: QuerySet[Any] = visible(actor, model)
    if model.period == "day":
        return [
            rollup.filter(day__gte=start, day__lte=end)
            .values(k=F(key))
            .annotate(r=Sum("revenue"), n=Sum(count))
        ]
    months, edges = split_months(start, end)
    parts: list[QuerySet[Any]] = []
    if months:
        # Month rows as they are: most keys (customers above all) have one row per month, so
        # grouping them here first would only sort them twice.
        parts.append(
            rollup.filter(month__gte=months[0], month__lte=months[1]).values(
                k=F(key), r=F("revenue"), n=F(count)
            )
        )
    for a, b in edges:
        parts.append(
            revenue_lines(actor=actor, start=a, end=b)
            .values(k=F(key))
            .annotate(r=Sum(NET), n=Count("id"))
        )
    return parts


def _top(parts: list[QuerySet[Any]], limit: int) -> list[dict[str, Any]]:
    """The `limit` keys with the most revenue over the parts, summed per key in the database."""
    compiled = [qs.order_by().query.sql_with_params() for qs in parts]
    union = " UNION ALL ".join(
        f'SELECT "k", "r", "n" FROM ({sql}) AS p{i}'  # noqa: S608 - compiled querysets
        for i, (sql, _p) in enumerate(compiled)
    )
    sql = (
        f'SELECT "k", SUM("r"), SUM("n") FROM ({union}) AS u '  # noqa: S608 - compiled querysets
        'GROUP BY "k" HAVING SUM("n") > 0 ORDER BY 2 DESC, 1 LIMIT %s'
    )
    params = [p for _sql, ps in compiled for p in ps]
    pg = connection.vendor == "postgresql"
    with transaction.atomic() if pg else nullcontext(), connection.cursor() as cur:
        if pg:
            # Summing per customer groups hundreds of thousands of keys: give this one query
            # room to hash them in memory instead of spilling batches to disk.
            cur.execute(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'")
        cur.execute(sql, [*params, limit])
        return [
            {"k": k, "revenue": Decimal(str(revenue or 0)), "count": int(count or 0)}
            for k, revenue, count in cur.fetchall()
        ]


def _labels(dimension: str, keys: list[Any]) -> dict[Any, str]:
    if dimension == "rep":
        users = User.objects.filter(pk__in=keys).values_list("pk", "display_name", "username")
        return {pk: name or username for pk, name, username in users}
    if dimension == "team":
        return dict(Team.objects.filter(pk__in=keys).values_list("pk", "name"))
    if dimension == "product":
        products = Product.objects.filter(pk__in=keys).values_list(
            "pk", "sku", "name_zh", "name_en"
        )
        return {pk: f"{sku} {zh}" for pk, sku, zh, _en in products}
    if dimension == "customer":
        # Name only the top rows: joining every row to its account would read them all.
        from guanxi.customers.models import Account

        return dict(Account.all_objects.filter(pk__in=keys).values_list("pk", "name"))
    return {k: k for k in keys}


def revenue_by(
    *, actor: User, dimension: str, start: dt.date, end: dt.date, limit: int = 50
) -> list[dict[str, Any]]:
    """Revenue per rep, team, product, category, region, customer or month.

    `count` is the number of order lines behind a row (orders, for rep and team). Reports read
    the revenue rollups (`guanxi.sales.models.rollups`), never millions of lines.
    """
    _check_range(actor, start, end)
    if dimension == "month":
        return _revenue_by_month(actor, start, end)
    if dimension not in DIMENSIONS:
        raise Invalid(
            fields={"by": [_("One of: %(names)s") % {"names": ", ".join([*DIMENSIONS, "month"])}]}
        )
    model, key = DIMENSIONS[dimension]
    top = _top(_grouped(actor, model, key, start, end), limit)
    if key in ("owner_id", "team_id"):
        for r in top:
            r["k"] = r["k"] or None  # 0 is "none" in the rollups
    labels = _labels(dimension, [r["k"] for r in top])
    return [
        {
            "key": r["k"],
            "label": labels.get(r["k"]) or _("(none)"),
            "revenue": to_fen(Decimal(r["revenue"] or 0)),
            "count": r["count"],
        }
        for r in top
    ]


def _month_starts(start: dt.date, end: dt.date) -> list[dt.date]:
    months = []
    day = start.replace(day=1)
    while day <= end:
        months.append(day)
        day = _next_month(day)
    return months


def _revenue_by_month(actor: User, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Daily sums from the rollup, added up per local month here (a few hundred rows)."""
    months = _month_starts(start, end)
    if len(months) > MAX_MONTHS:
        raise Invalid(fields={"start": [_("At most 60 months at a time.")]})
    days = (
        visible(actor, RevenueDay)
        .filter(day__gte=start, day__lte=end)
        .values("day")
        .annotate(revenue=Sum("revenue"), count=Sum("lines"))
        .order_by()
    )
    totals: dict[dt.date, list[Any]] = {m: [Decimal(0), 0] for m in months}
    for row in days:
        acc = totals[row["day"].replace(day=1)]
        acc[0] += Decimal(row["revenue"] or 0)
        acc[1] += row["count"] or 0
    return [
        {
            "key": f"{month:%Y-%m}",
            "label": f"{month:%Y-%m}",
            "revenue": to_fen(revenue),
            "count": count,
        }
        for month, (revenue, count) in totals.items()
        if count
    ]


def top_customers(
    *, actor: User, start: dt.date, end: dt.date, limit: int = 10
) -> list[dict[str, Any]]:
    return revenue_by(actor=actor, dimension="customer", start=start, end=end, limit=limit)


def revenue_yoy(*, actor: User, year: int) -> dict[str, Any]:
    """Revenue per month of a year next to the year before, and the growth."""
    rows = revenue_by(
        actor=actor, dimension="month", start=dt.date(year - 1, 1, 1), end=dt.date(year, 12, 31)
    )
    by_month = {r["key"]: r["revenue"] for r in rows}
    months = []
    for m in range(1, 13):
        this = by_month.get(f"{year}-{m:02d}", ZERO)
        last = by_month.get(f"{year - 1}-{m:02d}", ZERO)
        growth = to_fen((this - last) * 100 / last) if last else None
        months.append({"month": m, "this_year": this, "last_year": last, "growth": growth})
    total_this = sum((m["this_year"] for m in months), ZERO)
    total_last = sum((m["last_year"] for m in months), ZERO)
    return {
        "year": year,
        "months": months,
        "this_year": total_this,
        "last_year": total_last,
        "growth": to_fen((total_this - total_last) * 100 / total_last) if total_last else None,
    }


def _closed(actor: User, start: dt.date, end: dt.date) -> QuerySet[Opportunity]:
    require_perm(actor, Opportunity.resource, "view")
    return visible(actor, Opportunity).filter(
        status__in=[Opportunity.Status.WON, Opportunity.Status.LOST],
        closed_at__gte=_aware(start),
        closed_at__lt=_aware(end + dt.timedelta(days=1)),
    )


def win_rate(*, actor: User, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Won ÷ (won + lost) among deals closed in the range."""
    agg = _closed(actor, start, end).aggregate(
        won=Count("id", filter=Q(status=Opportunity.Status.WON)),
        lost=Count("id", filter=Q(status=Opportunity.Status.LOST)),
        won_amount=Coalesce(Sum("amount", filter=Q(status=Opportunity.Status.WON)), ZERO),
    )
    closed = agg["won"] + agg["lost"]
    rate = to_fen(Decimal(agg["won"]) * 100 / closed) if closed else None
    return {**agg, "closed": closed, "rate": rate}


def cycle_length(*, actor: User, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Average days from opening to winning, for deals won in the range."""
    duration = ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField())
    agg = (
        _closed(actor, start, end)
        .filter(status=Opportunity.Status.WON)
        .aggregate(avg=Avg(duration), n=Count("id"))
    )
    avg = agg["avg"]
    if avg is None:
        days = None
    elif isinstance(avg, dt.timedelta):
        days = round(avg.total_seconds() / 86400, 1)
    else:  # some backends return microseconds
        days = round(float(avg) / 86_400_000_000, 1)
    return {"days": days, "deals": agg["n"]}


def funnel(
    *, actor: User, pipeline: Pipeline, start: dt.date, end: dt.date
) -> list[dict[str, Any]]:
    """Deals (opened in the range) that entered each stage, and the conversion to the next.

    Active stages come in board order; archived stages that deals entered follow them (with
    no conversion: they are no longer a step of the board)."""
    require_perm(actor, Opportunity.resource, "view")
    deals = visible(actor, Opportunity).filter(
        pipeline=pipeline,
        created_at__gte=_aware(start),
        created_at__lt=_aware(end + dt.timedelta(days=1)),
    )
    entered = dict(
        StageChange.objects.filter(opportunity__in=deals.values("pk"))
        .values("to_stage")
        .annotate(n=Count("opportunity", distinct=True))
        .values_list("to_stage", "n")
    )
    every = [s for s in pipeline.stages.order_by("position") if s.kind != Stage.Kind.LOST]
    stages = [s for s in every if s.active]
    rows = []
    for i, stage in enumerate(stages):
        n = entered.get(stage.pk, 0)
        nxt = entered.get(stages[i + 1].pk, 0) if i + 1 < len(stages) else None
        rows.append(
            {
                "stage_id": stage.pk,
                "stage": stage.name,
                "probability": stage.probability,
                "entered": n,
                "to_next": (to_fen(Decimal(nxt) * 100 / n) if n and nxt is not None else None),
                "active": True,
            }
        )
    for stage in every:
        if not stage.active and entered.get(stage.pk):
            rows.append(
                {
                    "stage_id": stage.pk,
                    "stage": stage.name,
                    "probability": stage.probability,
                    "entered": entered[stage.pk],
                    "to_next": None,
                    "active": False,
                }
            )
    return rows
