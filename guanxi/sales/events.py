"""Sales domain events, published after commit; higher apps (loyalty, analytics) subscribe."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from guanxi.core.events import Event


@dataclass(frozen=True)
class OrderEvent(Event):
    order_id: int
    account_id: int
    owner_id: int
    total: Decimal
    currency: str
    at: dt.datetime


@dataclass(frozen=True)
class OrderPlaced(OrderEvent):
    """An order was placed; `line_count` lines, `total` incl. tax after discounts."""

    line_count: int = 0
    coupon_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class OrderPaid(OrderEvent):
    """An order is paid in full (`total` is the order total, `paid_amount` what was received)."""

    paid_amount: Decimal = Decimal("0.00")


@dataclass(frozen=True)
class OrderCancelled(OrderEvent):
    reason: str = ""


@dataclass(frozen=True)
class OrderReturned(OrderEvent):
    """Goods came back: `refund_amount` now; `fully_returned` when nothing is left."""

    refund_amount: Decimal = Decimal("0.00")
    fully_returned: bool = False
    return_id: int = 0


@dataclass(frozen=True)
class OpportunityWon(Event):
    opportunity_id: int
    account_id: int
    owner_id: int
    amount: Decimal
    currency: str
    at: dt.datetime


@dataclass(frozen=True)
class OpportunityLost(Event):
    opportunity_id: int
    account_id: int
    owner_id: int
    lost_reason: str
    at: dt.datetime


@dataclass(frozen=True)
class LeadConverted(Event):
    lead_id: int
    account_id: int
    opportunity_id: int | None
    owner_id: int
    created_account: bool
    at: dt.datetime
    contact_id: int | None = None


@dataclass(frozen=True)
class ContractRenewalDue(Event):
    contract_id: int
    account_id: int
    owner_id: int
    renewal_date: dt.date
