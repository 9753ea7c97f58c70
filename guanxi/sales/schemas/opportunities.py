"""Opportunity shapes, with their product lines and stage history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import Field

from guanxi.sales.schemas.catalogue import LineOut


class OpportunityLineIn(Schema):
    product_id: int
    quantity: Decimal
    unit_price: Decimal | None = None
    discount_percent: Decimal | None = None
    description: str = ""


class OpportunityLinesIn(Schema):
    lines: list[OpportunityLineIn] = Field(default_factory=list)
    price_list_id: int | None = None


class OpportunityIn(Schema):
    account_id: int
    name: str = Field(min_length=1, max_length=200)
    pipeline_id: int | None = None
    stage_id: int | None = None
    amount: Decimal | None = None
    currency: str = "CNY"
    expected_close_date: dt.date | None = None
    lines: list[OpportunityLineIn] = Field(default_factory=list)
    price_list_id: int | None = None
    contact_name: str = ""
    contact_email: str = ""
    contact_mobile: str = ""
    notes: str = ""


class OpportunityPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    amount: Decimal | None = None
    currency: str | None = None
    expected_close_date: dt.date | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    contact_mobile: str | None = None
    notes: str | None = None


class OpportunityMoveIn(Schema):
    stage_id: int | None = None
    amount: Decimal | None = None
    lost_reason: str = ""


class OpportunityWinIn(Schema):
    amount: Decimal | None = None


class OpportunityLoseIn(Schema):
    lost_reason: str = ""


class OpportunityOut(Schema):
    id: int
    name: str
    account_id: int
    pipeline_id: int
    stage_id: int
    status: str
    amount: Decimal | None
    currency: str
    expected_close_date: dt.date | None
    closed_at: dt.datetime | None
    lost_reason: str
    lead_id: int | None
    price_list_id: int | None
    owner_id: int
    team_id: int | None
    created_at: dt.datetime
    version: int


class StageChangeOut(Schema):
    from_stage_id: int | None
    to_stage_id: int
    changed_at: dt.datetime
    changed_by_id: int | None


class OpportunityLineOut(LineOut):
    discount_percent: Decimal
    manual_price: bool
    position: int


class OpportunityDetailOut(OpportunityOut):
    """An opportunity with its product lines; with lines, `amount` is their total."""

    lines: list[OpportunityLineOut]

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.lines.all())
