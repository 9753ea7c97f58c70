"""Contract and sales target shapes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema
from pydantic import Field


class ContractIn(Schema):
    account_id: int
    title: str = Field(min_length=1, max_length=200)
    start_date: dt.date
    end_date: dt.date
    value: Decimal
    renewal_date: dt.date | None = None
    remind_days_before: int = Field(30, ge=0, le=365)
    order_id: int | None = None
    notes: str = ""


class ContractPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    status: str | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    renewal_date: dt.date | None = None
    remind_days_before: int | None = Field(None, ge=0, le=365)
    value: Decimal | None = None
    notes: str | None = None


class ContractOut(Schema):
    id: int
    number: str
    title: str
    account_id: int
    order_id: int | None
    status: str
    start_date: dt.date
    end_date: dt.date
    renewal_date: dt.date
    remind_days_before: int
    reminder_sent_at: dt.datetime | None
    value: Decimal
    currency: str
    owner_id: int
    version: int


class TargetIn(Schema):
    period_kind: str
    period_start: dt.date
    amount: Decimal
    rep_id: int | None = None
    team_id: int | None = None


class TargetOut(Schema):
    id: int
    scope: str
    period_kind: str
    period_start: dt.date
    amount: Decimal
    currency: str
    owner_id: int
    team_id: int | None
    version: int
