"""Quotes, orders, payments, returns, events and the customer 360 contributions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from guanxi.core.errors import Conflict, Invalid
from guanxi.core.events import subscribe
from guanxi.customers.services import account_create
from guanxi.sales import services
from guanxi.sales.events import OrderCancelled, OrderPaid, OrderPlaced, OrderReturned
from guanxi.sales.models import Order, OrderLine, OrderStatusChange, Quote
from guanxi.sales.services import LineInput


def test_price_lists_set_the_unit_price(org, account, make_product):
    product = make_product("100", tax="0")
    vip = services.price_list_create(actor=org["admin"], code="vip", name="VIP")
    services.price_list_set_prices(
        actor=org["admin"], price_list=vip, prices={product.pk: Decimal("80")}
    )
    quote = services.quote_create(
        actor=org["rep"], account=account, lines=[LineInput(product.pk, "2")], price_list=vip
    )
    assert quote.total == Decimal("160.00")


def test_bad_lines_get_per_field_messages_and_change_nothing(org, account, make_product):
    product = make_product()
    with pytest.raises(Invalid) as exc:
        services.order_create(
            actor=org["rep"],
            account=account,
            lines=[
                LineInput(product.pk, "-1"),
                LineInput(999999, "1"),
                LineInput(product.pk, "1", discount="-5"),
            ],
        )
    assert set(exc.value.fields) == {"lines.0.quantity", "lines.1.product_id", "lines.2.discount"}
    assert not Order.objects.exists() and not OrderLine.objects.exists()


def test_an_expired_quote_cannot_become_an_order(org, account, product):
    quote = services.quote_create(
        actor=org["rep"], account=account, lines=[LineInput(product.pk, 1)]
    )
    Quote.objects.filter(pk=quote.pk).update(
        valid_until=timezone.localdate() - dt.timedelta(days=1)
    )
    quote.refresh_from_db()
    with pytest.raises(Invalid) as exc:
        services.quote_convert(actor=org["rep"], quote=quote)
    assert "valid_until" in exc.value.fields
    assert not Order.objects.exists()
    assert Quote.objects.get(pk=quote.pk).status == "draft"


def test_a_quote_becomes_an_order_once_at_the_quoted_prices(org, account, product):
    quote = services.quote_create(
        actor=org["rep"], account=account, lines=[LineInput(product.pk, "3", discount="7")]
    )
    product.list_price = Decimal("999")
    product.save()
    order = services.quote_convert(actor=org["rep"], quote=quote)
    line = order.lines.get()
    assert (line.unit_price, line.discount_amount, line.account_id) == (
        Decimal("199.0000"), Decimal("7.00"), account.pk,
    )  # fmt: skip
    assert order.total == quote.total == line.line_total
    with pytest.raises(Conflict):
        services.quote_convert(actor=org["rep"], quote=Quote.objects.get(pk=quote.pk))


def test_order_history_placed_paid_shipped_completed_with_events(
    org, make_order, django_capture_on_commit_callbacks
):
    seen: list[Any] = []
    for event in (OrderPlaced, OrderPaid):
        subscribe(event)(seen.append)
    with django_capture_on_commit_callbacks(execute=True):
        order = make_order(qty="2", price="100")
        services.order_record_payment(actor=org["rep"], order=order, amount=Decimal("100"))
        order.refresh_from_db()
        assert order.status == "placed" and order.balance_due == Decimal("126.00")
        services.order_record_payment(actor=org["rep"], order=order, amount=Decimal("126"))
    order.refresh_from_db()
    assert order.status == "paid" and order.paid_at is not None
    mine = [e for e in seen if getattr(e, "order_id", None) == order.pk]
    assert [type(e) for e in mine] == [OrderPlaced, OrderPaid]
    assert mine[1].paid_amount == Decimal("226.00")
    services.order_set_status(actor=org["rep"], order=order, status="shipped")
    services.order_set_status(actor=org["rep"], order=order, status="completed")
    history = list(
        OrderStatusChange.objects.filter(order=order).values_list("to_status", flat=True)
    )
    assert history == ["placed", "paid", "shipped", "completed"]
    assert set(OrderLine.objects.filter(order=order).values_list("status", flat=True)) == {
        "completed"
    }


def test_overpaying_and_zero_payments_are_refused(org, make_order):
    order = make_order()
    for amount in (Decimal("0"), Decimal("-1"), order.total + 1, None):
        with pytest.raises(Invalid) as exc:
            services.order_record_payment(actor=org["rep"], order=order, amount=amount)
        assert "amount" in exc.value.fields
    assert Order.objects.get(pk=order.pk).paid_amount == 0


def test_cancel_only_unpaid_orders(org, make_order, django_capture_on_commit_callbacks):
    seen: list[object] = []
    subscribe(OrderCancelled)(seen.append)
    paid = make_order(paid=True)
    with pytest.raises(Conflict):
        services.order_cancel(actor=org["rep"], order=paid)
    order = make_order()
    with django_capture_on_commit_callbacks(execute=True):
        services.order_cancel(actor=org["rep"], order=order, reason="客户取消")
    assert Order.objects.get(pk=order.pk).status == "cancelled"
    assert any(getattr(e, "order_id", None) == order.pk for e in seen)


def test_partial_returns_refund_pro_rata_and_the_last_unit_the_exact_rest(
    org, make_order, django_capture_on_commit_callbacks
):
    seen: list[OrderReturned] = []
    subscribe(OrderReturned)(seen.append)
    order = make_order(qty="3", price="33.33", paid=True)
    line = order.lines.get()
    with django_capture_on_commit_callbacks(execute=True):
        first = services.order_return(actor=org["rep"], order=order, lines={line.pk: "1"})
    order.refresh_from_db()
    assert order.status == "partially_returned"
    with pytest.raises(Invalid):
        services.order_return(actor=org["rep"], order=order, lines={line.pk: "3"})
    with django_capture_on_commit_callbacks(execute=True):
        second = services.order_return(actor=org["rep"], order=order, lines={line.pk: "2"})
    order.refresh_from_db()
    assert order.status == "returned"
    assert first.amount + second.amount == order.total == order.refunded_amount
    assert OrderLine.objects.get(pk=line.pk).refunded_amount == order.refunded_amount
    mine = [e for e in seen if e.order_id == order.pk]
    assert [e.fully_returned for e in mine] == [False, True]


def test_orders_fill_the_customer_360_timeline_and_lifetime_revenue(org, make_order):
    from guanxi.customers.timeline import figures_for, timeline_for

    account = account_create(actor=org["rep"], name="老客户")
    paid = make_order(account=account, qty="1", price="100", paid=True)
    make_order(account=account, qty="1", price="50")  # placed, not revenue yet
    services.order_return(actor=org["rep"], order=paid, lines={paid.lines.get().pk: "1"})
    entries = timeline_for(actor=org["rep"], account=account)
    assert [e.kind for e in entries if e.source == "sales.orders"] == ["order", "order"]
    figures = {f.key: f for f in figures_for(actor=org["rep"], account=account)}
    assert figures["lifetime_revenue"].value == Decimal("0.00")
    make_order(account=account, qty="1", price="10", paid=True)
    figures = {f.key: f for f in figures_for(actor=org["rep"], account=account)}
    assert figures["lifetime_revenue"].value == Decimal("11.30")
    # A stranger sees none of it.
    assert timeline_for(actor=org["stranger"], account=account) == [] or all(
        e.source != "sales.orders" for e in timeline_for(actor=org["stranger"], account=account)
    )


def test_timeline_pages_strictly_before_the_cursor(org, make_order):
    from guanxi.sales.selectors.customer import order_timeline

    account = account_create(actor=org["rep"], name="分页客户")
    orders = [make_order(account=account) for _ in range(3)]
    base = timezone.now() - dt.timedelta(days=10)
    for i, order in enumerate(orders):
        Order.objects.filter(pk=order.pk).update(placed_at=base + dt.timedelta(days=i))
    page1 = order_timeline(org["rep"], account, None, 2)
    page2 = order_timeline(org["rep"], account, page1[-1].at, 2)
    assert [e.ref_id for e in page1 + page2] == [str(o.pk) for o in reversed(orders)]


def test_merging_accounts_moves_sales_rows_to_the_survivor(org, make_order):
    from guanxi.customers.services import account_merge

    survivor = account_create(actor=org["rep"], name="甲公司")
    merged = account_create(actor=org["rep"], name="甲公司（重复）")
    order = make_order(account=merged)
    opp = services.opportunity_create(actor=org["rep"], account=merged, name="商机")
    account_merge(actor=org["lead"], survivor=survivor, merged=merged)
    order.refresh_from_db()
    opp.refresh_from_db()
    assert order.account_id == survivor.pk and opp.account_id == survivor.pk
    assert set(OrderLine.objects.filter(order=order).values_list("account_id", flat=True)) == {
        survivor.pk
    }
