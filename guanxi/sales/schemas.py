"""API input and output shapes. Inputs that address a record keep every field optional so
that a stranger gets the 404 before any validation (the services give per-field 422s)."""

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


class StageIn(Schema):
    name: str
    probability: int
    kind: str = "open"


class StageAddIn(Schema):
    name: str = ""
    probability: int | None = None
    kind: str = "open"


class StagePatch(Schema):
    name: str | None = None
    probability: int | None = None
    kind: str | None = None


class StageOrderIn(Schema):
    stage_ids: list[int] = Field(default_factory=list)


class StageOut(Schema):
    id: int
    name: str
    position: int
    probability: int
    kind: str
    active: bool


class PipelineIn(Schema):
    name: str
    stages: list[StageIn] = Field(default_factory=list)
    is_default: bool = False


class PipelinePatch(Schema):
    name: str | None = None
    is_default: bool | None = None
    active: bool | None = None


class PipelineOut(Schema):
    """A pipeline with its stages in board order; archived stages follow with `active: false`."""

    id: int
    name: str
    is_default: bool
    active: bool
    version: int
    stages: list[StageOut]

    @staticmethod
    def resolve_stages(obj: Any) -> list[Any]:
        return sorted(obj.stages.all(), key=lambda s: (not s.active, s.position))


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


class ProductIn(Schema):
    sku: str = Field(min_length=1, max_length=64)
    name_zh: str = Field(min_length=1, max_length=200)
    name_en: str = ""
    category: str = ""
    unit: str = "件"
    list_price: Decimal
    currency: str = "CNY"
    tax_rate: Decimal = Decimal("0.13")
    active: bool = True


class ProductPatch(Schema):
    name_zh: str | None = None
    name_en: str | None = None
    category: str | None = None
    unit: str | None = None
    list_price: Decimal | None = None
    tax_rate: Decimal | None = None
    active: bool | None = None


class ProductOut(Schema):
    id: int
    sku: str
    name_zh: str
    name_en: str
    category: str
    unit: str
    list_price: Decimal
    currency: str
    tax_rate: Decimal
    active: bool
    version: int


class PriceListIn(Schema):
    code: str
    name: str
    currency: str = "CNY"
    is_default: bool = False


class PriceListPatch(Schema):
    name: str | None = None
    is_default: bool | None = None
    active: bool | None = None


class PriceListPricesIn(Schema):
    prices: dict[int, Decimal] = Field(default_factory=dict)


class PriceListOut(Schema):
    id: int
    code: str
    name: str
    currency: str
    is_default: bool
    active: bool
    version: int
    prices: dict[int, Decimal]

    @staticmethod
    def resolve_prices(obj: Any) -> dict[int, Decimal]:
        return {i.product_id: i.unit_price for i in obj.items.all()}


class LineIn(Schema):
    product_id: int
    quantity: Decimal
    unit_price: Decimal | None = None
    discount: Decimal | None = None
    description: str = ""


class LineOut(Schema):
    id: int
    product_id: int
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount_amount: Decimal
    tax_rate: Decimal
    tax_amount: Decimal
    line_total: Decimal
    currency: str


class OrderLineOut(LineOut):
    returned_quantity: Decimal


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


class QuoteIn(Schema):
    """Without lines, a quote for an opportunity takes the opportunity's product lines."""

    account_id: int
    lines: list[LineIn] = Field(default_factory=list)
    valid_until: dt.date | None = None
    price_list_id: int | None = None
    opportunity_id: int | None = None
    coupon_codes: list[str] = Field(default_factory=list)
    notes: str = ""


class PriceIn(Schema):
    account_id: int
    lines: list[LineIn]
    price_list_id: int | None = None
    coupon_codes: list[str] = Field(default_factory=list)


class AdjustmentOut(Schema):
    rule: str
    reason: str
    amount: Decimal
    line_index: int | None


class PriceOut(Schema):
    subtotal: Decimal
    discount_total: Decimal
    tax_total: Decimal
    total: Decimal
    adjustments: list[AdjustmentOut]


class QuoteOut(Schema):
    id: int
    number: str
    account_id: int
    opportunity_id: int | None
    price_list_id: int | None
    status: str
    valid_until: dt.date
    currency: str
    coupon_codes: list[str]
    subtotal: Decimal
    discount_total: Decimal
    tax_total: Decimal
    total: Decimal
    adjustments: list[dict[str, Any]]
    owner_id: int
    created_at: dt.datetime
    version: int


class QuoteDetailOut(QuoteOut):
    lines: list[LineOut]

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.lines.all())


class QuoteConvertIn(Schema):
    region: str = ""


class QuoteStatusIn(Schema):
    status: str = ""


class OrderIn(Schema):
    account_id: int
    lines: list[LineIn]
    price_list_id: int | None = None
    coupon_codes: list[str] = Field(default_factory=list)
    region: str = ""
    notes: str = ""


class PaymentOut(Schema):
    id: int
    amount: Decimal
    currency: str
    received_at: dt.datetime
    method: str
    reference: str


class ReturnOut(Schema):
    id: int
    amount: Decimal
    lines: dict[str, str]
    reason: str
    returned_at: dt.datetime


class StatusChangeOut(Schema):
    from_status: str
    to_status: str
    changed_at: dt.datetime
    note: str


class OrderOut(Schema):
    id: int
    number: str
    account_id: int
    quote_id: int | None
    status: str
    placed_at: dt.datetime
    paid_at: dt.datetime | None
    region: str
    currency: str
    subtotal: Decimal
    discount_total: Decimal
    tax_total: Decimal
    total: Decimal
    paid_amount: Decimal
    refunded_amount: Decimal
    owner_id: int
    team_id: int | None
    version: int


class OrderDetailOut(OrderOut):
    lines: list[OrderLineOut]
    payments: list[PaymentOut]
    returns: list[ReturnOut]
    status_history: list[StatusChangeOut]
    adjustments: list[dict[str, Any]]

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.lines.all())

    @staticmethod
    def resolve_payments(obj: Any) -> list[Any]:
        return list(obj.payments.all())

    @staticmethod
    def resolve_returns(obj: Any) -> list[Any]:
        return list(obj.returns.all())

    @staticmethod
    def resolve_status_history(obj: Any) -> list[Any]:
        return list(obj.status_history.all())


class PaymentIn(Schema):
    amount: Decimal | None = None
    received_at: dt.datetime | None = None
    method: str = ""
    reference: str = ""


class OrderStatusIn(Schema):
    status: str = ""


class OrderCancelIn(Schema):
    reason: str = ""


class OrderReturnIn(Schema):
    lines: dict[str, Decimal] = Field(default_factory=dict)
    reason: str = ""


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
