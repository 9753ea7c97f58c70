"""Quotes and orders: quoting, conversion, payments, status, cancellation, returns."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Status

from guanxi.core.errors import Invalid
from guanxi.core.http import actor_of, page_out, set_etag
from guanxi.core.pagination import order_by_allowed, paginate
from guanxi.core.schemas import ListParams, PageOut
from guanxi.sales import selectors, services
from guanxi.sales.api.common import CREATED_SORTS, SalesRouter, active_price_list, line_inputs
from guanxi.sales.models import Order, Payment, Quote
from guanxi.sales.schemas import (
    OrderCancelIn,
    OrderDetailOut,
    OrderIn,
    OrderOut,
    OrderReturnIn,
    OrderStatusIn,
    PaymentIn,
    PaymentOut,
    QuoteConvertIn,
    QuoteDetailOut,
    QuoteIn,
    QuoteOut,
    QuoteStatusIn,
)
from guanxi.sales.services._common import account_for

router = SalesRouter()


@router.get("/quotes", response=PageOut[QuoteOut])
def quote_list(
    request: HttpRequest, params: Query[ListParams], status: str = "", account_id: int | None = None
) -> dict[str, Any]:
    qs = selectors.quote_list(actor=actor_of(request), status=status, account_id=account_id)
    qs = order_by_allowed(qs, params.sort, {**CREATED_SORTS, "total": "total"}, "-created_at")
    return page_out(paginate(qs, page=params.page, page_size=params.page_size))


@router.post("/quotes", response={201: QuoteDetailOut})
def quote_create(request: HttpRequest, payload: QuoteIn, response: HttpResponse) -> Status[Any]:
    actor = actor_of(request)
    account = account_for(actor, payload.account_id)
    opportunity = None
    if payload.opportunity_id is not None:
        opportunity = (
            selectors.opportunity_list(actor=actor).filter(pk=payload.opportunity_id).first()
        )
        if opportunity is None:
            raise Invalid(fields={"opportunity_id": [_("Unknown opportunity.")]})
    quote = services.quote_create(
        actor=actor,
        account=account,
        lines=line_inputs(payload.lines),
        valid_until=payload.valid_until,
        price_list=active_price_list(payload.price_list_id),
        opportunity=opportunity,
        coupon_codes=payload.coupon_codes,
        notes=payload.notes,
    )
    set_etag(response, quote)
    return Status(201, selectors.quote_get(actor=actor, quote_id=quote.pk))


@router.get("/quotes/{quote_id}", response=QuoteDetailOut)
def quote_detail(request: HttpRequest, quote_id: int, response: HttpResponse) -> Quote:
    quote = selectors.quote_get(actor=actor_of(request), quote_id=quote_id)
    set_etag(response, quote)
    return quote


@router.post("/quotes/{quote_id}/status", response=QuoteOut)
def quote_status(request: HttpRequest, quote_id: int, payload: QuoteStatusIn) -> Quote:
    actor = actor_of(request)
    quote = selectors.quote_get(actor=actor, quote_id=quote_id)
    return services.quote_set_status(actor=actor, quote=quote, status=payload.status)


@router.post("/quotes/{quote_id}/convert", response={201: OrderDetailOut})
def quote_convert(request: HttpRequest, quote_id: int, payload: QuoteConvertIn) -> Status[Any]:
    actor = actor_of(request)
    quote = selectors.quote_get(actor=actor, quote_id=quote_id)
    order = services.quote_convert(actor=actor, quote=quote, region=payload.region)
    return Status(201, selectors.order_get(actor=actor, order_id=order.pk))


@router.get("/orders", response=PageOut[OrderOut])
def order_list(
    request: HttpRequest, params: Query[ListParams], status: str = "", account_id: int | None = None
) -> dict[str, Any]:
    qs = selectors.order_list(actor=actor_of(request), status=status, account_id=account_id)
    sorts = {"placed_at": "placed_at", "total": "total", "updated_at": "updated_at"}
    qs = order_by_allowed(qs, params.sort, sorts, "-placed_at")
    return page_out(paginate(qs, page=params.page, page_size=params.page_size))


@router.post("/orders", response={201: OrderDetailOut})
def order_create(request: HttpRequest, payload: OrderIn) -> Status[Any]:
    actor = actor_of(request)
    order = services.order_create(
        actor=actor,
        account=account_for(actor, payload.account_id),
        lines=line_inputs(payload.lines),
        price_list=active_price_list(payload.price_list_id),
        coupon_codes=payload.coupon_codes,
        region=payload.region,
        notes=payload.notes,
    )
    return Status(201, selectors.order_get(actor=actor, order_id=order.pk))


@router.get("/orders/{order_id}", response=OrderDetailOut)
def order_detail(request: HttpRequest, order_id: int, response: HttpResponse) -> Order:
    order = selectors.order_get(actor=actor_of(request), order_id=order_id)
    set_etag(response, order)
    return order


@router.post("/orders/{order_id}/payments", response={201: PaymentOut})
def order_payment(request: HttpRequest, order_id: int, payload: PaymentIn) -> Status[Any]:
    actor = actor_of(request)
    order = selectors.order_get(actor=actor, order_id=order_id)
    payment: Payment = services.order_record_payment(
        actor=actor,
        order=order,
        amount=payload.amount,
        received_at=payload.received_at,
        method=payload.method,
        reference=payload.reference,
    )
    return Status(201, payment)


@router.post("/orders/{order_id}/status", response=OrderDetailOut)
def order_status(request: HttpRequest, order_id: int, payload: OrderStatusIn) -> Order:
    actor = actor_of(request)
    order = selectors.order_get(actor=actor, order_id=order_id)
    services.order_set_status(actor=actor, order=order, status=payload.status)
    return selectors.order_get(actor=actor, order_id=order_id)


@router.post("/orders/{order_id}/cancel", response=OrderDetailOut)
def order_cancel(request: HttpRequest, order_id: int, payload: OrderCancelIn) -> Order:
    actor = actor_of(request)
    order = selectors.order_get(actor=actor, order_id=order_id)
    services.order_cancel(actor=actor, order=order, reason=payload.reason)
    return selectors.order_get(actor=actor, order_id=order_id)


@router.post("/orders/{order_id}/returns", response=OrderDetailOut)
def order_return(request: HttpRequest, order_id: int, payload: OrderReturnIn) -> Order:
    actor = actor_of(request)
    order = selectors.order_get(actor=actor, order_id=order_id)
    lines: dict[int, Any] = {}
    for key, qty in payload.lines.items():
        try:
            lines[int(key)] = qty
        except ValueError as exc:
            raise Invalid(fields={f"lines.{key}": [_("Not a line of this order.")]}) from exc
    services.order_return(actor=actor, order=order, lines=lines, reason=payload.reason)
    return selectors.order_get(actor=actor, order_id=order_id)
