"""Products and price lists (sales settings: managers and admins)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from guanxi.core.audit import audit_log, diff, snapshot
from guanxi.core.errors import Invalid, PreconditionFailed
from guanxi.core.models import User
from guanxi.core.records import clean_or_invalid
from guanxi.sales.models import PriceList, PriceListItem, Product
from guanxi.sales.services._common import only_fields, require_configure

PRODUCT_FIELDS = frozenset(
    {
        "sku",
        "name_zh",
        "name_en",
        "category",
        "unit",
        "list_price",
        "currency",
        "tax_rate",
        "active",
    }
)


def _check_product(data: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    price = data.get("list_price")
    if price is not None and price < 0:
        errors["list_price"] = [_("Must not be negative.")]
    rate = data.get("tax_rate")
    if rate is not None and not Decimal(0) <= rate < 1:
        errors["tax_rate"] = [_("A fraction from 0 to below 1, e.g. 0.13.")]
    if errors:
        raise Invalid(fields=errors)


@transaction.atomic
def product_create(*, actor: User | None, **data: Any) -> Product:
    """Add a product to the catalogue; SKUs are unique."""
    if actor is not None:
        require_configure(actor)
    data = only_fields(dict(data), PRODUCT_FIELDS)
    _check_product(data)
    product = Product(**data)
    clean_or_invalid(product)
    product.save()
    audit_log(actor=actor, action="create", obj=product, changes=diff({}, snapshot(product)))
    return product


@transaction.atomic
def product_update(
    *, actor: User, product: Product, changes: dict[str, Any], expected_version: int | None
) -> Product:
    """Change a product; prices on existing quotes and orders stay as they were."""
    require_configure(actor)
    changes = only_fields(dict(changes), PRODUCT_FIELDS)
    _check_product(changes)
    current = Product.objects.select_for_update().get(pk=product.pk)
    if expected_version is not None and expected_version != current.version:
        raise PreconditionFailed()
    before = snapshot(current)
    for name, value in changes.items():
        setattr(current, name, value)
    clean_or_invalid(current)
    current.version += 1
    current.save()
    audit_log(actor=actor, action="update", obj=current, changes=diff(before, snapshot(current)))
    return current


@transaction.atomic
def price_list_create(
    *, actor: User | None, code: str, name: str, currency: str = "", is_default: bool = False
) -> PriceList:
    """A named price list (retail, wholesale, VIP …)."""
    if actor is not None:
        require_configure(actor)
    price_list = PriceList(code=code, name=name, is_default=is_default)
    if currency:
        price_list.currency = currency
    clean_or_invalid(price_list)
    if is_default:
        PriceList.objects.update(is_default=False)
    price_list.save()
    audit_log(actor=actor, action="create", obj=price_list, changes=diff({}, snapshot(price_list)))
    return price_list


@transaction.atomic
def price_list_set_prices(
    *, actor: User | None, price_list: PriceList, prices: dict[int, Decimal]
) -> PriceList:
    """Set the unit price of products on a price list (missing products use the list price)."""
    if actor is not None:
        require_configure(actor)
    errors: dict[str, list[str]] = {}
    known = set(Product.objects.filter(pk__in=list(prices)).values_list("pk", flat=True))
    for product_id, unit_price in prices.items():
        if product_id not in known:
            errors[f"prices.{product_id}"] = [_("Unknown product.")]
        elif unit_price < 0:
            errors[f"prices.{product_id}"] = [_("Must not be negative.")]
    if errors:
        raise Invalid(fields=errors)
    existing = {i.product_id: i for i in PriceListItem.objects.filter(price_list=price_list)}
    new, changed = [], []
    for product_id, unit_price in prices.items():
        item = existing.get(product_id)
        if item is None:
            new.append(
                PriceListItem(price_list=price_list, product_id=product_id, unit_price=unit_price)
            )
        elif item.unit_price != unit_price:
            item.unit_price = unit_price
            changed.append(item)
    PriceListItem.objects.bulk_create(new)
    PriceListItem.objects.bulk_update(changed, ["unit_price"])
    audit_log(
        actor=actor,
        action="update",
        obj=price_list,
        changes={"prices": [None, {str(k): str(v) for k, v in prices.items()}]},
    )
    return price_list
