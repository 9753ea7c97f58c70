"""The pricing pipeline: pure Decimal arithmetic, property-tested."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guanxi.sales.pricing import (
    FEN,
    Adjustment,
    PricingContext,
    PricingLine,
    RegisteredRule,
    allocate,
    price,
    prorate,
    register_pricing_rule,
    to_fen,
    unregister_pricing_rule,
)

quantities = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("10000"), places=3)
prices = st.decimals(min_value=Decimal("0"), max_value=Decimal("100000"), places=4)
tax_rates = st.sampled_from([Decimal("0"), Decimal("0.06"), Decimal("0.09"), Decimal("0.13")])
money = st.decimals(min_value=Decimal("0"), max_value=Decimal("1000000"), places=2)


@st.composite
def lines(draw: st.DrawFn) -> tuple[PricingLine, ...]:
    n = draw(st.integers(min_value=1, max_value=6))
    return tuple(
        PricingLine(
            index=i,
            product_id=i + 1,
            sku=f"S{i}",
            category="c",
            quantity=draw(quantities),
            unit_price=draw(prices),
            tax_rate=draw(tax_rates),
            manual_discount=draw(st.one_of(st.just(Decimal("0")), money)),
        )
        for i in range(n)
    )


def ctx(ls: tuple[PricingLine, ...], codes: tuple[str, ...] = ()) -> PricingContext:
    return PricingContext(
        actor=None, account=None, lines=ls, price_list=None, date=dt.date(2026, 11, 11),
        coupon_codes=codes,
    )  # fmt: skip


def order_rule(amount: Decimal) -> RegisteredRule:
    return RegisteredRule("test.order", lambda c: [Adjustment(amount, "order discount")])


@settings(max_examples=200, deadline=None)
@given(lines(), st.one_of(st.none(), money))
def test_order_total_is_the_sum_of_rounded_line_totals(ls, order_discount):
    rules = [order_rule(order_discount)] if order_discount is not None else []
    result = price(ctx(ls), rules)
    assert result.total == sum((p.total for p in result.lines), Decimal("0"))
    assert result.subtotal == sum((to_fen(ln.quantity * ln.unit_price) for ln in ls), Decimal(0))
    assert result.discount_total == sum((p.discount for p in result.lines), Decimal("0"))
    assert result.tax_total == sum((p.tax for p in result.lines), Decimal("0"))
    for p in result.lines:
        for value in (p.gross, p.discount, p.net, p.tax, p.total):
            assert value == value.quantize(FEN)


@settings(max_examples=200, deadline=None)
@given(lines(), money)
def test_discounts_never_make_a_line_or_the_total_negative(ls, order_discount):
    result = price(ctx(ls), [order_rule(order_discount)])
    assert result.total >= 0
    for p in result.lines:
        assert 0 <= p.discount <= p.gross
        assert p.net >= 0 and p.total >= 0


@settings(max_examples=200, deadline=None)
@given(lines())
def test_tax_is_computed_per_line_on_the_net(ls):
    result = price(ctx(ls), [])
    for src, p in zip(ls, result.lines, strict=True):
        assert p.tax == to_fen(p.net * src.tax_rate)


@settings(max_examples=300, deadline=None)
@given(money, st.lists(money, min_size=1, max_size=8))
def test_allocation_is_exact_and_never_exceeds_a_weight(amount, weights):
    shares = allocate(amount, weights)
    assert sum(shares, Decimal(0)) == min(amount, sum(weights, Decimal(0)))
    assert all(0 <= s <= w for s, w in zip(shares, weights, strict=True))


@settings(max_examples=200, deadline=None)
@given(money, st.integers(min_value=1, max_value=50))
def test_partial_refunds_add_up_to_the_line_total(total, quantity):
    q = Decimal(quantity)
    refunded = sum(
        (
            prorate(total, Decimal(k + 1), q) - prorate(total, Decimal(k), q)
            for k in range(quantity)
        ),
        Decimal(0),
    )
    assert refunded == total


def test_rounding_is_half_up_to_the_fen():
    line = PricingLine(0, 1, "S", "c", Decimal("1"), Decimal("0.125"), Decimal("0"))
    assert price(ctx((line,)), []).total == Decimal("0.13")
    line = PricingLine(0, 1, "S", "c", Decimal("3"), Decimal("33.3350"), Decimal("0.13"))
    result = price(ctx((line,)), [])
    assert result.lines[0].gross == Decimal("100.01")
    assert result.lines[0].tax == Decimal("13.00")  # 13.0013 → 13.00


def test_registered_rules_apply_with_their_reason_and_can_read_coupons():
    def coupon(context):
        if "VIP10" in context.coupon_codes:
            return [Adjustment(Decimal("10"), "coupon VIP10")]
        return []

    def per_line(context):
        return [Adjustment(Decimal("5"), "tea week", line_index=ln.index) for ln in context.lines]

    register_pricing_rule(coupon, key="test.coupon")
    register_pricing_rule(per_line, key="test.line")
    try:
        ls = (PricingLine(0, 1, "S", "c", Decimal("2"), Decimal("50"), Decimal("0")),)
        plain = price(ctx(ls))
        with_coupon = price(ctx(ls, ("VIP10",)))
    finally:
        unregister_pricing_rule("test.coupon")
        unregister_pricing_rule("test.line")
    assert plain.total == Decimal("95.00")
    assert with_coupon.total == Decimal("85.00")
    assert [a.reason for a in with_coupon.adjustments] == ["tea week", "coupon VIP10"]


def test_a_rule_returning_a_negative_discount_is_a_programming_error():
    bad = RegisteredRule("bad", lambda c: [Adjustment(Decimal("-1"), "surcharge")])
    ls = (PricingLine(0, 1, "S", "c", Decimal("1"), Decimal("10"), Decimal("0")),)
    with pytest.raises(ValueError, match="negative"):
        price(ctx(ls), [bad])
