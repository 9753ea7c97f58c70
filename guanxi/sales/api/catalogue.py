"""Catalogue: products, price lists and the pricing preview."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Status

from guanxi.core.errors import NotFound
from guanxi.core.http import actor_of, if_match_version, page_out, set_etag
from guanxi.core.pagination import order_by_allowed, paginate
from guanxi.core.schemas import ListParams, PageOut
from guanxi.sales import selectors, services
from guanxi.sales.api.common import SalesRouter, active_price_list, line_inputs
from guanxi.sales.models import PriceList, Product
from guanxi.sales.schemas import (
    PriceIn,
    PriceListIn,
    PriceListOut,
    PriceListPatch,
    PriceListPricesIn,
    PriceOut,
    ProductIn,
    ProductOut,
    ProductPatch,
)
from guanxi.sales.services._common import account_for, require_configure

router = SalesRouter()


@router.get("/products", response=PageOut[ProductOut])
def product_list(
    request: HttpRequest, params: Query[ListParams], search: str = "", active: bool | None = None
) -> dict[str, Any]:
    qs = selectors.product_list(actor=actor_of(request), search=search, active=active)
    qs = order_by_allowed(qs, params.sort, {"sku": "sku", "list_price": "list_price"}, "sku")
    return page_out(paginate(qs, page=params.page, page_size=params.page_size))


@router.post("/products", response={201: ProductOut})
def product_create(request: HttpRequest, payload: ProductIn) -> Status[Any]:
    return Status(201, services.product_create(actor=actor_of(request), **payload.dict()))


@router.patch("/products/{product_id}", response=ProductOut)
def product_update(
    request: HttpRequest, product_id: int, payload: ProductPatch, response: HttpResponse
) -> Product:
    actor = actor_of(request)
    require_configure(actor)
    product = selectors.product_list(actor=actor).filter(pk=product_id).first()
    if product is None:
        raise NotFound()
    product = services.product_update(
        actor=actor,
        product=product,
        changes=payload.dict(exclude_unset=True),
        expected_version=if_match_version(request, product),
    )
    set_etag(response, product)
    return product


@router.get("/price-lists", response=list[PriceListOut])
def price_list_list(request: HttpRequest, include_inactive: bool = False) -> list[PriceList]:
    return list(
        selectors.price_list_list(actor=actor_of(request), include_inactive=include_inactive)
    )


@router.post("/price-lists", response={201: PriceListOut})
def price_list_create(
    request: HttpRequest, payload: PriceListIn, response: HttpResponse
) -> Status[Any]:
    price_list = services.price_list_create(actor=actor_of(request), **payload.dict())
    set_etag(response, price_list)
    return Status(201, price_list)


def _configured_price_list(request: HttpRequest, price_list_id: int) -> PriceList:
    """Price lists are settings: the versioned record is for managers and admins."""
    actor = actor_of(request)
    require_configure(actor)
    return selectors.price_list_get(actor=actor, price_list_id=price_list_id)


def _price_list_out(request: HttpRequest, price_list_id: int, response: HttpResponse) -> PriceList:
    price_list = selectors.price_list_get(actor=actor_of(request), price_list_id=price_list_id)
    set_etag(response, price_list)
    return price_list


@router.get("/price-lists/{price_list_id}", response=PriceListOut)
def price_list_detail(
    request: HttpRequest, price_list_id: int, response: HttpResponse
) -> PriceList:
    price_list = _configured_price_list(request, price_list_id)
    set_etag(response, price_list)
    return price_list


@router.patch("/price-lists/{price_list_id}", response=PriceListOut)
def price_list_update(
    request: HttpRequest, price_list_id: int, payload: PriceListPatch, response: HttpResponse
) -> PriceList:
    price_list = _configured_price_list(request, price_list_id)
    services.price_list_update(
        actor=actor_of(request),
        price_list=price_list,
        changes=payload.dict(exclude_unset=True),
        expected_version=if_match_version(request, price_list),
    )
    return _price_list_out(request, price_list_id, response)


@router.put("/price-lists/{price_list_id}/prices", response=PriceListOut)
def price_list_set_prices(
    request: HttpRequest, price_list_id: int, payload: PriceListPricesIn, response: HttpResponse
) -> PriceList:
    price_list = _configured_price_list(request, price_list_id)
    services.price_list_set_prices(
        actor=actor_of(request),
        price_list=price_list,
        prices=payload.prices,
        expected_version=if_match_version(request, price_list),
    )
    return _price_list_out(request, price_list_id, response)


@router.delete("/price-lists/{price_list_id}/prices/{product_id}", response=PriceListOut)
def price_list_remove_price(
    request: HttpRequest, price_list_id: int, product_id: int, response: HttpResponse
) -> PriceList:
    """Take a product's price off the list (it then sells at its list price); answers with
    the price list and its new ETag."""
    price_list = _configured_price_list(request, price_list_id)
    product = Product.objects.filter(pk=product_id).first()
    if product is None:
        raise NotFound()
    services.price_list_remove_price(
        actor=actor_of(request),
        price_list=price_list,
        product=product,
        expected_version=if_match_version(request, price_list),
    )
    return _price_list_out(request, price_list_id, response)


@router.post("/pricing/preview", response=PriceOut)
def pricing_preview(request: HttpRequest, payload: PriceIn) -> dict[str, Any]:
    actor = actor_of(request)
    selectors.quote_list(actor=actor)  # quote view permission
    priced = services.price_lines(
        actor=actor,
        account=account_for(actor, payload.account_id),
        lines=line_inputs(payload.lines),
        price_list=active_price_list(payload.price_list_id),
        coupon_codes=payload.coupon_codes,
    ).priced
    return {
        "subtotal": priced.subtotal,
        "discount_total": priced.discount_total,
        "tax_total": priced.tax_total,
        "total": priced.total,
        "adjustments": [a.as_json() for a in priced.adjustments],
    }
