"""Forecast and sales reports."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.errors import Invalid
from guanxi.core.http import actor_of
from guanxi.sales import selectors, services
from guanxi.sales.api.common import SalesRouter, active_pipeline
from guanxi.sales.schemas import ForecastOut, RevenueRowOut
from guanxi.sales.selectors.reports import default_range

router = SalesRouter()


@router.get("/forecast", response=ForecastOut)
def forecast(
    request: HttpRequest,
    kind: str = "month",
    day: dt.date | None = None,
    rep_id: int | None = None,
    team_id: int | None = None,
) -> dict[str, Any]:
    if kind not in {"month", "quarter", "year"}:
        raise Invalid(fields={"kind": [_("Choose month, quarter or year.")]})
    fc = selectors.forecast(
        actor=actor_of(request), kind=kind, day=day, rep_id=rep_id, team_id=team_id, with_deals=True
    )
    return {
        **fc.as_dict(),
        "won_deal_ids": [d.pk for d in fc.won_deals],
        "open_deal_ids": [d.pk for d in fc.open_deals],
    }


def _range(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    d_start, d_end = default_range(timezone.localdate())
    return start or d_start, end or d_end


@router.get("/reports/revenue", response=list[RevenueRowOut])
def report_revenue(
    request: HttpRequest,
    by: str = "month",
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> list[dict[str, Any]]:
    s, e = _range(start, end)
    return selectors.revenue_by(actor=actor_of(request), dimension=by, start=s, end=e)


@router.get("/reports/summary")
def report_summary(
    request: HttpRequest,
    start: dt.date | None = None,
    end: dt.date | None = None,
    pipeline_id: int | None = None,
) -> dict[str, Any]:
    actor = actor_of(request)
    s, e = _range(start, end)
    pipeline = active_pipeline(pipeline_id) or services.default_pipeline()
    return {
        "start": s,
        "end": e,
        "funnel": selectors.funnel(actor=actor, pipeline=pipeline, start=s, end=e),
        "win_rate": selectors.win_rate(actor=actor, start=s, end=e),
        "cycle_length": selectors.cycle_length(actor=actor, start=s, end=e),
        "yoy": selectors.revenue_yoy(actor=actor, year=e.year),
        "top_customers": selectors.top_customers(actor=actor, start=s, end=e),
    }
