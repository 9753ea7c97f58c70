"""Lead shapes: records, conversion, score weights."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import Field

from guanxi.core.privacy import protect


class LeadIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    company: str = ""
    title: str = ""
    email: str = ""
    mobile: str = ""
    region: str = ""
    source: str = "other"
    campaign: str | None = None
    notes: str = ""
    in_pool: bool = False


class LeadPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    company: str | None = None
    title: str | None = None
    email: str | None = None
    mobile: str | None = None
    region: str | None = None
    source: str | None = None
    campaign: str | None = None
    status: str | None = None
    qualification_note: str | None = None
    notes: str | None = None


class LeadOut(Schema):
    id: int
    name: str
    company: str
    title: str
    email: str
    mobile: str
    region: str
    source: str
    campaign: str | None
    status: str
    score: int
    qualification_note: str
    in_pool: bool
    engagement_count: int
    last_activity_at: dt.datetime | None
    converted_account_id: int | None
    owner_id: int
    team_id: int | None
    created_at: dt.datetime
    version: int

    @staticmethod
    def resolve_name(obj: Any, context: Any) -> Any:
        return protect(context["request"].auth, "name", obj.name)

    @staticmethod
    def resolve_email(obj: Any, context: Any) -> Any:
        return protect(context["request"].auth, "email", obj.email)

    @staticmethod
    def resolve_mobile(obj: Any, context: Any) -> Any:
        return protect(context["request"].auth, "mobile", obj.mobile)


class LeadInteractionIn(Schema):
    note: str = ""


class LeadConvertIn(Schema):
    account_id: int | None = None
    create_account: bool = False
    with_opportunity: bool = True
    opportunity_name: str = ""
    amount: Decimal | None = None
    expected_close_date: dt.date | None = None
    pipeline_id: int | None = None


class LeadConvertOut(Schema):
    account_id: int
    opportunity_id: int | None


class ScoreWeightsIO(Schema):
    completeness: int
    engagement: int
    source: int
    source_points: dict[str, int] = Field(default_factory=dict)
