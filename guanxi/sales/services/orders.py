"""Quotes and orders: pricing, quote → order, payments (回款), status, cancellation, returns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.audit import audit_log
from guanxi.core.errors import Conflict, Invalid
from guanxi.core.events import publish
from guanxi.core.models import User
from guanxi.core.permissions import require_perm
from guanxi.core.records import record_create, record_update
from guanxi.customers.models import Account
from guanxi.sales.events import OrderCancelled, OrderPaid, OrderPlaced, OrderReturned
from guanxi.sales.models import (
    Opportunity,
    OpportunityLine,
    Order,
    OrderLine,
    OrderReturn,
    OrderStatusChange,
    Payment,
    PriceList,
    PriceListItem,
    Product,
    Quote,
    QuoteLine,
)
from guanxi.sales.pricing import (
    ZERO,
    PricedOrder,
    PricingContext,
    PricingLine,
    price,
    prorate,
    to_fen,
)
from guanxi.sales.services._common import next_number, require_own
from guanxi.sales.services.rollups import revenue_change

MAX_QUANTITY = Decimal("1000000")


@dataclass(frozen=True)
class LineInput:
    """One line as given: unit price None takes the price list's (or the list) price; the
    manual discount is an amount (`discount`) or a percentage of the line (`discount_percent`).
    """

    product_id: Any
    quantity: Any
    unit_price: Any = None
    discount: Any = None
    description: str = ""
    discount_percent: Any = None


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal("NaN")
    return result


@dataclass(frozen=True)
class PricedLines:
    context: PricingContext
    priced: PricedOrder
    products: list[Product]
    descriptions: list[str]


def price_lines(
    *,
    actor: User | None,
    account: Account,
    lines: Sequence[LineInput],
    price_list: PriceList | None,
    coupon_codes: Sequence[str] = (),
    on: dt.date | None = None,
    currency: str = "",
) -> PricedLines:
    """Validate lines (known active products, positive quantities) and run the pricing pipeline."""
    errors: dict[str, list[str]] = {}
    if not lines:
        errors["lines"] = [_("Add at least one line.")]
    ids = []
    for line in lines:
        try:
            ids.append(int(line.product_id))
        except (TypeError, ValueError):
            continue
    products = {p.pk: p for p in Product.objects.filter(pk__in=ids, active=True)}
    list_prices: dict[int, Decimal] = {}
    if price_list is not None:
        list_prices = dict(
            PriceListItem.objects.filter(price_list=price_list, product_id__in=ids).values_list(
                "product_id", "unit_price"
            )
        )
    chosen: list[Product] = []
    pricing_lines: list[PricingLine] = []
    for i, line in enumerate(lines):
        try:
            product = products.get(int(line.product_id))
        except (TypeError, ValueError):
            product = None
        if product is None:
            errors[f"lines.{i}.product_id"] = [_("Unknown product.")]
        quantity = _decimal(line.quantity)
        if quantity is None or not quantity.is_finite():
            errors[f"lines.{i}.quantity"] = [_("Enter a number.")]
        elif quantity <= 0:
            errors[f"lines.{i}.quantity"] = [_("The quantity must be above zero.")]
        elif quantity > MAX_QUANTITY or quantity != quantity.quantize(Decimal("0.001")):
            errors[f"lines.{i}.quantity"] = [_("At most 1,000,000 with three decimals.")]
        unit_price = _decimal(line.unit_price)
        if unit_price is not None and (not unit_price.is_finite() or unit_price < 0):
            errors[f"lines.{i}.unit_price"] = [_("The price must not be negative.")]
        discount = _decimal(line.discount)
        if discount is not None and (not discount.is_finite() or discount < 0):
            errors[f"lines.{i}.discount"] = [_("The discount must not be negative.")]
        percent = _decimal(line.discount_percent)
        if percent is not None and (not percent.is_finite() or not ZERO <= percent <= 100):
            errors[f"lines.{i}.discount_percent"] = [_("A percentage from 0 to 100.")]
        elif percent and discount:
            errors[f"lines.{i}.discount_percent"] = [
                _("Give a discount amount or a percentage, not both.")
            ]
        if any(k.startswith(f"lines.{i}.") for k in errors):
            continue
        assert product is not None and quantity is not None
        if unit_price is None:
            unit_price = list_prices.get(product.pk, product.list_price)
        unit_price = unit_price.quantize(Decimal("0.0001"))
        if percent:
            discount = to_fen(to_fen(quantity * unit_price) * percent / 100)
        chosen.append(product)
        pricing_lines.append(
            PricingLine(
                index=i,
                product_id=product.pk,
                sku=product.sku,
                category=product.category,
                quantity=quantity,
                unit_price=unit_price,
                tax_rate=product.tax_rate,
                manual_discount=(discount or ZERO),
            )
        )
    if errors:
        raise Invalid(fields=errors)
    context = PricingContext(
        actor=actor,
        account=account,
        lines=tuple(pricing_lines),
        price_list=price_list,
        date=on or timezone.localdate(),
        coupon_codes=tuple(c.strip() for c in coupon_codes if c and c.strip()),
        currency=currency or (price_list.currency if price_list else Product().currency),
    )
    return PricedLines(context, price(context), chosen, [ln.description for ln in lines])


def line_fields(p: PricedLines, i: int) -> dict[str, Any]:
    """The stored columns of the i-th priced line (quote, order and opportunity lines)."""
    src, out = p.context.lines[i], p.priced.lines[i]
    return {
        "product": p.products[i],
        "description": p.descriptions[src.index][:200],
        "quantity": src.quantity,
        "unit_price": src.unit_price,
        "discount_amount": out.discount,
        "tax_rate": src.tax_rate,
        "tax_amount": out.tax,
        "line_total": out.total,
        "currency": p.context.currency,
        "position": i,
    }


def _totals(p: PricedLines) -> dict[str, Any]:
    return {
        "subtotal": p.priced.subtotal,
        "discount_total": p.priced.discount_total,
        "tax_total": p.priced.tax_total,
        "total": p.priced.total,
        "adjustments": [a.as_json() for a in p.priced.adjustments],
        "currency": p.context.currency,
        "coupon_codes": list(p.context.coupon_codes),
    }


def opportunity_line_inputs(opportunity: Opportunity) -> list[LineInput]:
    """An opportunity's product lines as line inputs.

    Prices agreed by hand and the manual percentage are carried over; other prices come from
    the price list again, and discounts from pricing rules (tiers, coupons) are worked out
    again when the lines are priced.
    """
    return [
        LineInput(
            product_id=ln.product_id,
            quantity=ln.quantity,
            unit_price=ln.unit_price if ln.manual_price else None,
            discount_percent=ln.discount_percent or None,
            description=ln.description,
        )
        for ln in OpportunityLine.objects.filter(opportunity=opportunity).order_by("position")
    ]


@transaction.atomic
def quote_create(
    *,
    actor: User,
    account: Account,
    lines: Sequence[LineInput] = (),
    valid_until: dt.date | None = None,
    price_list: PriceList | None = None,
    opportunity: Opportunity | None = None,
    coupon_codes: Sequence[str] = (),
    notes: str = "",
) -> Quote:
    """A priced quote valid until a date (default 30 days).

    A quote for an opportunity takes the opportunity's product lines when it is given none,
    and the opportunity's price list when it is given none.
    """
    require_perm(actor, Quote.resource, "create")
    today = timezone.localdate()
    valid_until = valid_until or today + dt.timedelta(days=30)
    if valid_until < today:
        raise Invalid(fields={"valid_until": [_("The validity must not end in the past.")]})
    if opportunity is not None and opportunity.account_id != account.pk:
        raise Invalid(fields={"opportunity_id": [_("This opportunity is for another account.")]})
    if opportunity is not None:
        if not lines:
            lines = opportunity_line_inputs(opportunity)
        if price_list is None and opportunity.price_list_id is not None:
            price_list = PriceList.objects.filter(pk=opportunity.price_list_id).first()
    p = price_lines(
        actor=actor, account=account, lines=lines, price_list=price_list, coupon_codes=coupon_codes
    )
    data = {
        "number": next_number("QT"),
        "account": account,
        "opportunity": opportunity,
        "price_list": price_list,
        "valid_until": valid_until,
        "notes": notes,
        **_totals(p),
    }
    quote = record_create(actor=actor, model=Quote, data=data)
    QuoteLine.objects.bulk_create(
        QuoteLine(quote=quote, **line_fields(p, i)) for i in range(len(p.products))
    )
    return quote


def _status_change(
    order: Order, actor: User | None, to: str, at: dt.datetime, note: str = ""
) -> None:
    OrderStatusChange.objects.create(
        order=order,
        from_status=order.status if order.pk and to != Order.Status.PLACED else "",
        to_status=to,
        changed_at=at,
        changed_by=actor,
        note=note[:200],
    )


def _placed_event(order: Order, line_count: int) -> OrderPlaced:
    return OrderPlaced(
        order_id=order.pk,
        account_id=order.account_id,
        owner_id=order.owner_id,
        total=order.total,
        currency=order.currency,
        at=order.placed_at,
        line_count=line_count,
        coupon_codes=tuple(order.coupon_codes or ()),
    )


@transaction.atomic
def order_create(
    *,
    actor: User,
    account: Account,
    lines: Sequence[LineInput],
    price_list: PriceList | None = None,
    coupon_codes: Sequence[str] = (),
    region: str = "",
    opportunity: Opportunity | None = None,
    notes: str = "",
) -> Order:
    """Place an order: price the lines, store them with the customer on every line."""
    require_perm(actor, Order.resource, "create")
    p = price_lines(
        actor=actor, account=account, lines=lines, price_list=price_list, coupon_codes=coupon_codes
    )
    region = (region or getattr(account, "region", "") or "")[:60]
    now = timezone.now()
    order = record_create(
        actor=actor,
        model=Order,
        data={
            "number": next_number("SO"),
            "account": account,
            "price_list": price_list,
            "opportunity": opportunity,
            "region": region,
            "placed_at": now,
            "notes": notes,
            **_totals(p),
        },
    )
    OrderLine.objects.bulk_create(
        OrderLine(order=order, account=account, placed_at=now, region=region, **line_fields(p, i))
        for i in range(len(p.products))
    )
    _status_change(order, actor, Order.Status.PLACED, now)
    publish(_placed_event(order, len(p.products)))
    return order


@transaction.atomic
def quote_convert(*, actor: User, quote: Quote, region: str = "") -> Order:
    """Turn a valid quote into an order in one step, at the quoted prices."""
    require_perm(actor, Order.resource, "create")
    require_perm(actor, Quote.resource, "change")
    require_own(actor, quote)
    current = Quote.objects.select_for_update().get(pk=quote.pk)
    if current.status == Quote.Status.CONVERTED:
        raise Conflict(_("This quote has already become an order."))
    if current.status == Quote.Status.DECLINED:
        raise Conflict(_("This quote was declined."))
    today = timezone.localdate()
    if current.valid_until < today:
        raise Invalid(
            fields={
                "valid_until": [
                    _("This quote expired on %(date)s; make a new quote.")
                    % {"date": current.valid_until.isoformat()}
                ]
            }
        )
    now = timezone.now()
    region = (region or getattr(current.account, "region", "") or "")[:60]
    order = record_create(
        actor=actor,
        model=Order,
        data={
            "number": next_number("SO"),
            "account_id": current.account_id,
            "quote": current,
            "opportunity_id": current.opportunity_id,
            "price_list_id": current.price_list_id,
            "region": region,
            "placed_at": now,
            "currency": current.currency,
            "coupon_codes": current.coupon_codes,
            "subtotal": current.subtotal,
            "discount_total": current.discount_total,
            "tax_total": current.tax_total,
            "total": current.total,
            "adjustments": current.adjustments,
            "notes": current.notes,
        },
        owner=current.owner,
    )
    quote_lines = list(current.lines.all())
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            account_id=current.account_id,
            placed_at=now,
            region=region,
            product_id=ql.product_id,
            description=ql.description,
            quantity=ql.quantity,
            unit_price=ql.unit_price,
            discount_amount=ql.discount_amount,
            tax_rate=ql.tax_rate,
            tax_amount=ql.tax_amount,
            line_total=ql.line_total,
            currency=ql.currency,
            position=ql.position,
        )
        for ql in quote_lines
    )
    record_update(
        actor=actor,
        obj=current,
        changes={"status": Quote.Status.CONVERTED},
        expected_version=current.version,
    )
    _status_change(order, actor, Order.Status.PLACED, now, note=current.number)
    publish(_placed_event(order, len(quote_lines)))
    return order


@transaction.atomic
def quote_set_status(*, actor: User, quote: Quote, status: str) -> Quote:
    """Mark a quote sent, accepted or declined."""
    require_perm(actor, Quote.resource, "change")
    require_own(actor, quote)
    if status not in {Quote.Status.SENT, Quote.Status.ACCEPTED, Quote.Status.DECLINED}:
        raise Invalid(fields={"status": [_("Choose sent, accepted or declined.")]})
    if quote.status == Quote.Status.CONVERTED:
        raise Conflict(_("This quote has already become an order."))
    return record_update(
        actor=actor, obj=quote, changes={"status": status}, expected_version=quote.version
    )


def _locked(order: Order) -> Order:
    locked: Order = Order.objects.select_for_update().get(pk=order.pk)
    return locked


def _set_status(actor: User | None, order: Order, to: str, note: str = "", **extra: Any) -> Order:
    now = timezone.now()
    _status_change(order, actor, to, now, note)
    with revenue_change([order.pk]):
        Order.objects.filter(pk=order.pk).update(
            status=to, version=F("version") + 1, updated_at=now, **extra
        )
        OrderLine.objects.filter(order_id=order.pk).update(status=to)
    before = order.status
    order.refresh_from_db()
    audit_log(actor=actor, action="status", obj=order, changes={"status": [before, to]})
    return order


def _event_base(order: Order, at: dt.datetime) -> dict[str, Any]:
    return {
        "order_id": order.pk,
        "account_id": order.account_id,
        "owner_id": order.owner_id,
        "total": order.total,
        "currency": order.currency,
        "at": at,
    }


@transaction.atomic
def order_record_payment(
    *,
    actor: User,
    order: Order,
    amount: Decimal | None,
    received_at: dt.datetime | None = None,
    method: str = "",
    reference: str = "",
) -> Payment:
    """Record money received (回款); the order becomes paid once the balance is zero."""
    require_perm(actor, Order.resource, "change")
    require_own(actor, order)
    order = _locked(order)
    if order.status not in {Order.Status.PLACED, Order.Status.SHIPPED}:
        raise Conflict(_("Payments are recorded on placed or shipped orders only."))
    if amount is None:
        raise Invalid(fields={"amount": [_("This field is required.")]})
    if not amount.is_finite() or amount <= 0:
        raise Invalid(fields={"amount": [_("The amount must be above zero.")]})
    if amount != amount.quantize(Decimal("0.01")):
        raise Invalid(fields={"amount": [_("At most two decimals.")]})
    if amount > order.balance_due:
        raise Invalid(
            fields={
                "amount": [
                    _("More than the balance due (%(due)s).") % {"due": str(order.balance_due)}
                ]
            }
        )
    now = timezone.now()
    payment = Payment.objects.create(
        order=order,
        amount=amount,
        currency=order.currency,
        received_at=received_at or now,
        method=method[:40],
        reference=reference[:120],
        recorded_by=actor,
    )
    paid = order.paid_amount + amount
    Order.objects.filter(pk=order.pk).update(paid_amount=paid)
    audit_log(
        actor=actor,
        action="payment",
        obj=order,
        changes={"paid_amount": [str(order.paid_amount), str(paid)]},
    )
    order.paid_amount = paid
    if paid >= order.total and order.status == Order.Status.PLACED:
        order = _set_status(actor, order, Order.Status.PAID, paid_at=payment.received_at)
        publish(OrderPaid(**_event_base(order, payment.received_at), paid_amount=paid))
    return payment


NEXT_STATUS: dict[str, set[str]] = {
    "placed": {"shipped"},
    "paid": {"shipped", "completed"},
    "shipped": {"completed"},
}


@transaction.atomic
def order_set_status(*, actor: User, order: Order, status: str) -> Order:
    """Move an order forward: shipped, completed."""
    require_perm(actor, Order.resource, "change")
    require_own(actor, order)
    order = _locked(order)
    if status not in {Order.Status.SHIPPED, Order.Status.COMPLETED}:
        raise Invalid(fields={"status": [_("Choose shipped or completed.")]})
    if status not in NEXT_STATUS.get(order.status, set()):
        raise Conflict(
            _("An order that is %(status)s cannot become %(to)s.")
            % {"status": order.get_status_display(), "to": Order.Status(status).label}
        )
    if status == Order.Status.COMPLETED and order.balance_due > 0:
        raise Conflict(_("The order is not fully paid."))
    return _set_status(actor, order, status)


@transaction.atomic
def order_cancel(*, actor: User, order: Order, reason: str = "") -> Order:
    """Cancel an order nobody has paid for yet (paid orders are returned instead)."""
    require_perm(actor, Order.resource, "change")
    require_own(actor, order)
    order = _locked(order)
    if order.status != Order.Status.PLACED or order.paid_amount > 0:
        raise Conflict(_("Only unpaid placed orders can be cancelled; return paid ones."))
    now = timezone.now()
    order = _set_status(actor, order, Order.Status.CANCELLED, note=reason)
    publish(OrderCancelled(**_event_base(order, now), reason=reason[:200]))
    return order


@transaction.atomic
def order_return(
    *, actor: User, order: Order, lines: dict[int, Any], reason: str = ""
) -> OrderReturn:
    """Take goods back and refund them pro rata; the last unit refunds the exact remainder."""
    require_perm(actor, Order.resource, "change")
    require_own(actor, order)
    order = _locked(order)
    if order.status not in {
        Order.Status.PAID,
        Order.Status.SHIPPED,
        Order.Status.COMPLETED,
        Order.Status.PARTIALLY_RETURNED,
    }:
        raise Conflict(_("Only paid orders can be returned."))
    order_lines = {ln.pk: ln for ln in order.lines.all()}
    errors: dict[str, list[str]] = {}
    if not lines:
        errors["lines"] = [_("Choose what comes back.")]
    wanted: dict[int, Decimal] = {}
    for key, raw in lines.items():
        try:
            line_id = int(key)
        except (TypeError, ValueError):
            line_id = -1
        qty = _decimal(raw)
        line = order_lines.get(line_id)
        if line is None:
            errors[f"lines.{key}"] = [_("Not a line of this order.")]
        elif qty is None or not qty.is_finite() or qty <= 0:
            errors[f"lines.{key}"] = [_("The quantity must be above zero.")]
        elif qty > line.quantity - line.returned_quantity:
            errors[f"lines.{key}"] = [
                _("At most %(left)s can come back.")
                % {"left": str(line.quantity - line.returned_quantity)}
            ]
        else:
            wanted[line_id] = qty
    if errors:
        raise Invalid(fields=errors)
    # The lines' refunds and the new status move revenue together.
    with revenue_change([order.pk]):
        refund = ZERO
        for line_id, qty in wanted.items():
            line = order_lines[line_id]
            before, after = line.returned_quantity, line.returned_quantity + qty
            line_refund = prorate(line.line_total, after, line.quantity) - prorate(
                line.line_total, before, line.quantity
            )
            refund += line_refund
            line.returned_quantity = after
            line.refunded_amount += line_refund
        OrderLine.objects.bulk_update(
            [order_lines[i] for i in wanted], ["returned_quantity", "refunded_amount"]
        )
        now = timezone.now()
        record = OrderReturn.objects.create(
            order=order,
            amount=refund,
            currency=order.currency,
            lines={str(k): str(v) for k, v in wanted.items()},
            reason=reason[:200],
            returned_at=now,
            recorded_by=actor,
        )
        fully = all(ln.returned_quantity >= ln.quantity for ln in order_lines.values())
        refunded = order.refunded_amount + refund
        status = Order.Status.RETURNED if fully else Order.Status.PARTIALLY_RETURNED
        order = _set_status(actor, order, status, note=reason, refunded_amount=refunded)
    publish(
        OrderReturned(
            **_event_base(order, now),
            refund_amount=refund,
            fully_returned=fully,
            return_id=record.pk,
        )
    )
    return record
