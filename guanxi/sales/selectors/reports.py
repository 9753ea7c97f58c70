"""Sales reports, aggregated in the database and scoped by visibility.

Revenue is the net of order lines of orders that count as revenue (paid onwards), minus
the returned share of each line.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import (
    Avg,
    Count,
    DecimalField,
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
from guanxi.core.models import User
from guanxi.core.permissions import require_perm
from guanxi.core.visibility import visible
from guanxi.sales.models import Opportunity, Order, OrderLine, Pipeline, Stage, StageChange
from guanxi.sales.pricing import ZERO, to_fen

# Rep and team are order-level facts: they are summed over orders (whose totals are the sums
# of their lines), so the reports never join millions of lines to their orders.
ORDER_DIMENSIONS: dict[str, tuple[str, ...]] = {
    "rep": ("owner_id", "owner__display_name", "owner__username"),
    "team": ("team_id", "team__name"),
}
DIMENSIONS: dict[str, tuple[str, ...]] = {
    **ORDER_DIMENSIONS,
    "product": ("product_id", "product__sku", "product__name_zh", "product__name_en"),
    "category": ("product__category",),
    "region": ("region",),
    "customer": ("account_id",),
}

# Net revenue of a line: its total less what was refunded for it (exact to the fen).
NET = ExpressionWrapper(
    F("line_total") - F("refunded_amount"),
    output_field=DecimalField(max_digits=18, decimal_places=2),
)
MAX_MONTHS = 60


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def default_range(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    today = today or timezone.localdate()
    return dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)


def revenue_lines(*, actor: User, start: dt.date, end: dt.date) -> QuerySet[OrderLine]:
    """Order lines that count as revenue, placed between start and end (inclusive)."""
    require_perm(actor, Order.resource, "view")
    if end < start:
        raise Invalid(fields={"end": [_("The end must not be before the start.")]})
    return visible(actor, OrderLine).filter(
        placed_at__gte=_aware(start),
        placed_at__lt=_aware(end + dt.timedelta(days=1)),
        status__in=Order.REVENUE_STATUSES,
    )


def revenue_orders(*, actor: User, start: dt.date, end: dt.date) -> QuerySet[Order]:
    """Orders that count as revenue, placed between start and end (inclusive)."""
    require_perm(actor, Order.resource, "view")
    if end < start:
        raise Invalid(fields={"end": [_("The end must not be before the start.")]})
    return visible(actor, Order).filter(
        placed_at__gte=_aware(start),
        placed_at__lt=_aware(end + dt.timedelta(days=1)),
        status__in=Order.REVENUE_STATUSES,
    )


def revenue_by(
    *, actor: User, dimension: str, start: dt.date, end: dt.date, limit: int = 50
) -> list[dict[str, Any]]:
    """Revenue per rep, team, product, category, region, customer or month.

    `count` is the number of order lines behind a row (orders, for rep and team).
    """
    qs = revenue_lines(actor=actor, start=start, end=end)
    if dimension == "month":
        return _revenue_by_month(qs, start, end)
    if dimension in ORDER_DIMENSIONS:
        qs = revenue_orders(actor=actor, start=start, end=end)  # type: ignore[assignment]
        net: Any = ExpressionWrapper(
            F("total") - F("refunded_amount"),
            output_field=DecimalField(max_digits=18, decimal_places=2),
        )
    else:
        net = NET
    if dimension not in DIMENSIONS:
        raise Invalid(
            fields={"by": [_("One of: %(names)s") % {"names": ", ".join([*DIMENSIONS, "month"])}]}
        )
    fields = DIMENSIONS[dimension]
    top: list[dict[str, Any]] = list(
        qs.values(*fields)
        .annotate(revenue=Sum(net), count=Count("id"))
        .order_by("-revenue")[:limit]
    )
    names: dict[Any, str] = {}
    if dimension == "customer":
        # Name only the top rows: joining every line to its account would read them all.
        from guanxi.customers.models import Account

        ids = [r["account_id"] for r in top]
        names = dict(Account.all_objects.filter(pk__in=ids).values_list("pk", "name"))
    result = []
    for r in top:
        key = r[fields[0]]
        if dimension == "rep":
            label = r[fields[1]] or r[fields[2]]
        elif dimension == "product":
            label = f"{r[fields[1]]} {r[fields[2]]}"
        elif dimension == "customer":
            label = names.get(key, "")
        elif len(fields) > 1:
            label = r[fields[1]]
        else:
            label = key
        result.append(
            {
                "key": key,
                "label": label or _("(none)"),
                "revenue": to_fen(Decimal(r["revenue"] or 0)),
                "count": r["count"],
            }
        )
    return result


def _month_starts(start: dt.date, end: dt.date) -> list[dt.date]:
    months = []
    day = start.replace(day=1)
    while day <= end:
        months.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months


def _revenue_by_month(
    qs: QuerySet[OrderLine], start: dt.date, end: dt.date
) -> list[dict[str, Any]]:
    """One pass with a filtered sum per local-time month. No per-row date function: on SQLite
    it is a Python call with a time-zone conversion for every line, and on PostgreSQL grouping
    by `date_trunc` sorts millions of lines (10M lines, year to date: 2.4 s against 5.5 s)."""
    months = _month_starts(start, end)
    if len(months) > MAX_MONTHS:
        raise Invalid(fields={"start": [_("At most 60 months at a time.")]})
    aggregates: dict[str, Any] = {}
    for i, month in enumerate(months):
        following = (month + dt.timedelta(days=32)).replace(day=1)
        window = Q(placed_at__gte=_aware(max(month, start)), placed_at__lt=_aware(following))
        aggregates[f"r{i}"] = Sum(NET, filter=window)
        aggregates[f"n{i}"] = Count("id", filter=window)
    totals = qs.aggregate(**aggregates)
    return [
        {
            "key": f"{month:%Y-%m}",
            "label": f"{month:%Y-%m}",
            "revenue": to_fen(Decimal(totals[f"r{i}"] or 0)),
            "count": totals[f"n{i}"],
        }
        for i, month in enumerate(months)
        if totals[f"n{i}"]
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
