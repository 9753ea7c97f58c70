"""The pricing pipeline: line prices, then discount rules from any app, then tax per line.

Other apps add rules without sales importing them (loyalty: tier, volume and frequency
discounts, coupons): `register_pricing_rule(rule)`. A rule receives a `PricingContext`
and returns `Adjustment`s — a discount on one line (`line_index`) or on the whole order
(`line_index=None`), each with its reason. Amounts are Decimal and rounded half-up to the
fen; a discount never takes a line below zero, and order discounts are spread over the
lines in proportion to their net so that the order total is always the sum of its lines.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from guanxi.core.models import User

logger = logging.getLogger(__name__)

FEN = Decimal("0.01")
ZERO = Decimal("0.00")


def to_fen(value: Decimal) -> Decimal:
    """Round to the fen (0.01), half up."""
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class PricingLine:
    index: int
    product_id: int
    sku: str
    category: str
    quantity: Decimal
    unit_price: Decimal
    tax_rate: Decimal
    manual_discount: Decimal = ZERO

    @property
    def gross(self) -> Decimal:
        return to_fen(self.quantity * self.unit_price)


@dataclass(frozen=True)
class PricingContext:
    actor: User | None
    account: Any  # guanxi.customers.models.Account (kept loose for pure tests)
    lines: tuple[PricingLine, ...]
    price_list: Any  # PriceList | None
    date: dt.date
    coupon_codes: tuple[str, ...] = ()
    currency: str = "CNY"

    @property
    def subtotal(self) -> Decimal:
        return sum((line.gross for line in self.lines), ZERO)


@dataclass(frozen=True)
class Adjustment:
    """A discount (positive amount) on one line, or on the order when `line_index` is None."""

    amount: Decimal
    reason: str
    rule: str = ""
    line_index: int | None = None


PricingRule = Callable[[PricingContext], Iterable[Adjustment]]


@dataclass(frozen=True)
class RegisteredRule:
    key: str
    fn: PricingRule


_RULES: dict[str, RegisteredRule] = {}


def register_pricing_rule(rule: PricingRule, *, key: str | None = None) -> PricingRule:
    """Add a discount rule to every pricing run (usable as a decorator); the key replaces."""
    name = key or f"{rule.__module__}.{getattr(rule, '__qualname__', repr(rule))}"
    _RULES[name] = RegisteredRule(name, rule)
    return rule


def unregister_pricing_rule(key: str) -> None:
    _RULES.pop(key, None)


def pricing_rules() -> list[RegisteredRule]:
    return list(_RULES.values())


@dataclass(frozen=True)
class PricedLine:
    index: int
    gross: Decimal
    discount: Decimal
    net: Decimal
    tax: Decimal
    total: Decimal


@dataclass(frozen=True)
class AppliedAdjustment:
    rule: str
    reason: str
    amount: Decimal
    line_index: int | None

    def as_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "reason": self.reason,
            "amount": str(self.amount),
            "line_index": self.line_index,
        }


@dataclass(frozen=True)
class PricedOrder:
    lines: tuple[PricedLine, ...]
    subtotal: Decimal
    discount_total: Decimal
    tax_total: Decimal
    total: Decimal
    adjustments: tuple[AppliedAdjustment, ...] = field(default_factory=tuple)


def allocate(amount: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split `amount` (fen) over weights (fen) in proportion, never above a weight, exactly."""
    units = [int(w / FEN) for w in weights]
    total_units = sum(units)
    want = int(to_fen(amount) / FEN)
    want = max(0, min(want, total_units))
    if total_units == 0 or want == 0:
        return [ZERO for _ in weights]
    shares = [want * u // total_units for u in units]
    remainders = sorted(range(len(units)), key=lambda i: (-(want * units[i] % total_units), i))
    left = want - sum(shares)
    for i in remainders:
        if left == 0:
            break
        if shares[i] < units[i]:
            shares[i] += 1
            left -= 1
    return [Decimal(s) * FEN for s in shares]


def _rule_adjustments(context: PricingContext, rules: Iterable[RegisteredRule]) -> list[Adjustment]:
    found: list[Adjustment] = []
    for line in context.lines:
        if line.manual_discount > 0:
            found.append(
                Adjustment(line.manual_discount, "manual", rule="manual", line_index=line.index)
            )
    for registered in rules:
        for adj in registered.fn(context) or ():
            if adj.amount < 0:
                raise ValueError(f"pricing rule {registered.key} returned a negative discount")
            found.append(
                Adjustment(
                    to_fen(adj.amount), adj.reason, adj.rule or registered.key, adj.line_index
                )
            )
    return found


def price(context: PricingContext, rules: Iterable[RegisteredRule] | None = None) -> PricedOrder:
    """Price an order: gross per line, line discounts, order discounts spread, tax per line."""
    chosen = pricing_rules() if rules is None else list(rules)
    adjustments = _rule_adjustments(context, chosen)
    index = {line.index: i for i, line in enumerate(context.lines)}
    gross = [line.gross for line in context.lines]
    discount = [ZERO for _ in context.lines]
    applied: list[AppliedAdjustment] = []

    for adj in adjustments:
        if adj.line_index is None or adj.line_index not in index:
            continue
        i = index[adj.line_index]
        take = min(to_fen(adj.amount), gross[i] - discount[i])
        if take > 0:
            discount[i] += take
            applied.append(AppliedAdjustment(adj.rule, adj.reason, take, adj.line_index))

    for adj in adjustments:
        if adj.line_index is not None and adj.line_index in index:
            continue
        remaining = [g - d for g, d in zip(gross, discount, strict=True)]
        shares = allocate(min(to_fen(adj.amount), sum(remaining, ZERO)), remaining)
        took = sum(shares, ZERO)
        if took > 0:
            discount = [d + s for d, s in zip(discount, shares, strict=True)]
            applied.append(AppliedAdjustment(adj.rule, adj.reason, took, None))

    priced: list[PricedLine] = []
    for i, line in enumerate(context.lines):
        net = gross[i] - discount[i]
        tax = to_fen(net * line.tax_rate)
        priced.append(PricedLine(line.index, gross[i], discount[i], net, tax, net + tax))
    return PricedOrder(
        lines=tuple(priced),
        subtotal=sum(gross, ZERO),
        discount_total=sum(discount, ZERO),
        tax_total=sum((p.tax for p in priced), ZERO),
        total=sum((p.total for p in priced), ZERO),
        adjustments=tuple(applied),
    )


def prorate(amount: Decimal, part: Decimal, whole: Decimal) -> Decimal:
    """The share of `amount` for `part` of `whole`, rounded down to the fen (refunds)."""
    if whole <= 0:
        return ZERO
    return (amount * part / whole).quantize(FEN, rounding=ROUND_DOWN)
