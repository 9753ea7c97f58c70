"""Products and price lists (sales settings: managers and admins)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from guanxi.core.audit import audit_log, diff, snapshot
from guanxi.core.errors import Invalid, NotFound, PreconditionFailed
from guanxi.core.models import User
from guanxi.core.records import clean_or_invalid, versioned_update
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
        PriceList.objects.filter(is_default=True).update(is_default=False, version=F("version") + 1)
    price_list.save()
    audit_log(actor=actor, action="create", obj=price_list, changes=diff({}, snapshot(price_list)))
    return price_list


PRICE_LIST_FIELDS = frozenset({"name", "is_default", "active"})


def _locked_price_list(price_list: PriceList, expected_version: int | None) -> PriceList:
    current: PriceList | None = (
        PriceList.objects.select_for_update().filter(pk=price_list.pk).first()
    )
    if current is None:
        raise NotFound()
    if expected_version is not None and expected_version != current.version:
        raise PreconditionFailed()
    return current


@transaction.atomic
def price_list_update(
    *, actor: User, price_list: PriceList, changes: dict[str, Any], expected_version: int | None
) -> PriceList:
    """Rename a price list, make it the default (only one is) or (de)activate it.

    The default price list stays active. The currency does not change: its prices are in it.
    """
    require_configure(actor)
    changes = only_fields(dict(changes), PRICE_LIST_FIELDS)
    current = _locked_price_list(price_list, expected_version)
    errors: dict[str, list[str]] = {}
    if "name" in changes:
        changes["name"] = str(changes["name"] or "").strip()
        if not changes["name"]:
            errors["name"] = [_("This field is required.")]
    for flag in ("is_default", "active"):
        if flag in changes and not isinstance(changes[flag], bool):
            errors[flag] = [_("Enter true or false.")]
    if not errors:
        is_default = changes.get("is_default", current.is_default)
        if current.is_default and changes.get("is_default") is False:
            errors["is_default"] = [_("Make another price list the default instead.")]
        elif is_default and not changes.get("active", current.active):
            errors["active" if "active" in changes else "is_default"] = [
                _("The default price list must stay active.")
            ]
    if errors:
        raise Invalid(fields=errors)
    if changes.get("is_default") and not current.is_default:
        for other in PriceList.objects.select_for_update().filter(is_default=True):
            versioned_update(
                actor=actor, obj=other, changes={"is_default": False}, expected_version=None
            )
    return versioned_update(
        actor=actor, obj=current, changes=changes, expected_version=current.version
    )


@transaction.atomic
def price_list_set_prices(
    *,
    actor: User | None,
    price_list: PriceList,
    prices: dict[int, Decimal],
    expected_version: int | None = None,
) -> PriceList:
    """Set the unit price of products on a price list (missing products use the list price)."""
    if actor is not None:
        require_configure(actor)
    current = _locked_price_list(price_list, expected_version)
    errors: dict[str, list[str]] = {}
    known = set(Product.objects.filter(pk__in=list(prices)).values_list("pk", flat=True))
    for product_id, unit_price in prices.items():
        if product_id not in known:
            errors[f"prices.{product_id}"] = [_("Unknown product.")]
        elif unit_price is None or not unit_price.is_finite() or unit_price < 0:
            errors[f"prices.{product_id}"] = [_("Must not be negative.")]
    if errors:
        raise Invalid(fields=errors)
    existing = {i.product_id: i for i in PriceListItem.objects.filter(price_list=current)}
    new, changed = [], []
    for product_id, unit_price in prices.items():
        item = existing.get(product_id)
        if item is None:
            new.append(
                PriceListItem(price_list=current, product_id=product_id, unit_price=unit_price)
            )
        elif item.unit_price != unit_price:
            item.unit_price = unit_price
            changed.append(item)
    PriceListItem.objects.bulk_create(new)
    PriceListItem.objects.bulk_update(changed, ["unit_price"])
    PriceList.objects.filter(pk=current.pk).update(version=F("version") + 1)
    current.refresh_from_db()
    audit_log(
        actor=actor,
        action="update",
        obj=current,
        changes={"prices": [None, {str(k): str(v) for k, v in prices.items()}]},
    )
    return current


@transaction.atomic
def price_list_remove_price(
    *, actor: User, price_list: PriceList, product: Product, expected_version: int | None
) -> PriceList:
    """Take a product off a price list; it then sells at its list price on that list."""
    require_configure(actor)
    current = _locked_price_list(price_list, expected_version)
    item = PriceListItem.objects.filter(price_list=current, product=product).first()
    if item is None:
        raise NotFound(_("This product has no price on this price list."))
    before = str(item.unit_price)
    item.delete()
    PriceList.objects.filter(pk=current.pk).update(version=F("version") + 1)
    current.refresh_from_db()
    audit_log(
        actor=actor,
        action="update",
        obj=current,
        changes={f"prices.{product.pk}": [before, None]},
    )
    return current
