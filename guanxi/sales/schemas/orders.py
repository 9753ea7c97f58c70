"""Quote and order shapes: lines, payments, returns, status changes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import Field

from guanxi.sales.schemas.catalogue import LineIn, LineOut


class QuoteIn(Schema):
    """Without lines, a quote for an opportunity takes the opportunity's product lines."""

    account_id: int
    lines: list[LineIn] = Field(default_factory=list)
    valid_until: dt.date | None = None
    price_list_id: int | None = None
    opportunity_id: int | None = None
    coupon_codes: list[str] = Field(default_factory=list)
    notes: str = ""


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


class OrderLineOut(LineOut):
    returned_quantity: Decimal
