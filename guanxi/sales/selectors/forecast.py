"""Forecast per period: closed won + weighted open pipeline, against the target, with run rate."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, ExpressionWrapper, F, QuerySet, Sum
from django.utils import timezone

from guanxi.core.models import User
from guanxi.core.permissions import require_perm
from guanxi.core.visibility import visible
from guanxi.sales.models import Opportunity, SalesTarget
from guanxi.sales.pricing import ZERO, to_fen


def period_bounds(kind: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of the month, quarter or year containing `day`."""
    if kind == "month":
        start = day.replace(day=1)
        end = day.replace(day=calendar.monthrange(day.year, day.month)[1])
    elif kind == "quarter":
        first = (day.month - 1) // 3 * 3 + 1
        start = dt.date(day.year, first, 1)
        last = first + 2
        end = dt.date(day.year, last, calendar.monthrange(day.year, last)[1])
    else:
        start, end = dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    return start, end


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass
class Forecast:
    kind: str
    start: dt.date
    end: dt.date
    target: Decimal
    won: Decimal
    pipeline: Decimal
    weighted: Decimal
    forecast: Decimal
    run_rate: Decimal
    attainment: Decimal | None
    won_deals: list[Opportunity] = field(default_factory=list)
    open_deals: list[Opportunity] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "start": self.start,
            "end": self.end,
            "target": self.target,
            "won": self.won,
            "pipeline": self.pipeline,
            "weighted": self.weighted,
            "forecast": self.forecast,
            "run_rate": self.run_rate,
            "attainment": self.attainment,
        }


def forecast_deals(
    *,
    actor: User,
    kind: str,
    day: dt.date,
    rep_id: int | None = None,
    team_id: int | None = None,
) -> tuple[QuerySet[Opportunity], QuerySet[Opportunity]]:
    """The deals behind the figures: won in the period, and open ones expected to close in it."""
    require_perm(actor, Opportunity.resource, "view")
    start, end = period_bounds(kind, day)
    qs = visible(actor, Opportunity).select_related("account", "owner", "stage")
    if rep_id:
        qs = qs.filter(owner_id=rep_id)
    if team_id:
        qs = qs.filter(team_id=team_id)
    won = qs.filter(
        status=Opportunity.Status.WON,
        closed_at__gte=_aware(start),
        closed_at__lt=_aware(end + dt.timedelta(days=1)),
    )
    open_ = qs.filter(
        status=Opportunity.Status.OPEN,
        stage__active=True,
        expected_close_date__gte=start,
        expected_close_date__lte=end,
    )
    return won, open_


def forecast(
    *,
    actor: User,
    kind: str = "month",
    day: dt.date | None = None,
    rep_id: int | None = None,
    team_id: int | None = None,
    today: dt.date | None = None,
    with_deals: bool = False,
) -> Forecast:
    """Won + probability-weighted open pipeline; run rate = won so far extrapolated to the end."""
    today = today or timezone.localdate()
    day = day or today
    start, end = period_bounds(kind, day)
    won_qs, open_qs = forecast_deals(
        actor=actor, kind=kind, day=day, rep_id=rep_id, team_id=team_id
    )
    won = won_qs.aggregate(s=Sum("amount"))["s"] or ZERO
    weighted_expr = ExpressionWrapper(
        F("amount") * F("stage__probability") / 100,
        output_field=DecimalField(max_digits=20, decimal_places=4),
    )
    agg = open_qs.aggregate(total=Sum("amount"), weighted=Sum(weighted_expr))
    pipeline = agg["total"] or ZERO
    weighted = to_fen(Decimal(agg["weighted"] or 0))
    targets = visible(actor, SalesTarget).filter(period_kind=kind, period_start=start)
    if rep_id:
        targets = targets.filter(scope=SalesTarget.Scope.REP, owner_id=rep_id)
    elif team_id:
        targets = targets.filter(scope=SalesTarget.Scope.TEAM, team_id=team_id)
    else:
        targets = targets.filter(scope=SalesTarget.Scope.TEAM)
    target = targets.aggregate(s=Sum("amount"))["s"] or ZERO
    total_days = (end - start).days + 1
    if today < start:
        run_rate = ZERO
    elif today > end:
        run_rate = won
    else:
        elapsed = (today - start).days + 1
        run_rate = to_fen(Decimal(won) * total_days / elapsed)
    fc = to_fen(Decimal(won) + weighted)
    result = Forecast(
        kind=kind,
        start=start,
        end=end,
        target=target,
        won=won,
        pipeline=pipeline,
        weighted=weighted,
        forecast=fc,
        run_rate=run_rate,
        attainment=(to_fen(Decimal(won) * 100 / target) if target else None),
    )
    if with_deals:
        result.won_deals = list(won_qs.order_by("-closed_at")[:200])
        result.open_deals = list(open_qs.order_by("expected_close_date")[:200])
    return result
