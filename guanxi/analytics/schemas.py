from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import Field


class RunOut(Schema):
    id: int
    status: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    as_of: dt.date
    customers: int
    transactions: int
    fits: dict[str, Any]
    churn_auc: dict[str, float]
    holdout: dict[str, Any]
    segments: dict[str, int]
    bands: dict[str, int]
    clusters: list[dict[str, Any]]
    lifecycle_moves: dict[str, int]
    seconds: float
    error: str


class RunSummaryOut(Schema):
    id: int
    status: str
    started_at: dt.datetime
    as_of: dt.date
    customers: int
    seconds: float


class DistributionItem(Schema):
    key: str
    customers: int


class DistributionOut(Schema):
    segments: list[DistributionItem]
    bands: list[DistributionItem]
    clusters: list[DistributionItem]


class KpiOut(Schema):
    start: dt.date
    end: dt.date
    summary: dict[str, float | int | None]
    cohorts: list[dict[str, Any]]
    growth: list[dict[str, Any]]


class PolicyOut(Schema):
    horizon_days: int
    clv_horizon_months: int
    monthly_discount_rate: Decimal
    medium_risk: float
    high_risk: float
    move_lifecycle: bool
    at_risk_from: float
    churned_from: float
    version: int


class PolicyPatch(Schema):
    horizon_days: int | None = Field(None, ge=7, le=730)
    clv_horizon_months: int | None = Field(None, ge=1, le=120)
    monthly_discount_rate: Decimal | None = Field(None, ge=0, le=Decimal("0.2"))
    medium_risk: float | None = Field(None, gt=0, lt=1)
    high_risk: float | None = Field(None, gt=0, le=1)
    move_lifecycle: bool | None = None
    at_risk_from: float | None = Field(None, gt=0, le=1)
    churned_from: float | None = Field(None, gt=0, le=1)
