"""Forecast and report shapes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import Field


class ForecastOut(Schema):
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
    won_deal_ids: list[int] = Field(default_factory=list)
    open_deal_ids: list[int] = Field(default_factory=list)


class RevenueRowOut(Schema):
    key: Any
    label: str
    revenue: Decimal
    count: int
