"""Catalogue shapes: products, price lists, priced lines and the pricing preview."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import Field


class ProductIn(Schema):
    sku: str = Field(min_length=1, max_length=64)
    name_zh: str = Field(min_length=1, max_length=200)
    name_en: str = ""
    category: str = ""
    unit: str = "件"
    list_price: Decimal
    currency: str = "CNY"
    tax_rate: Decimal = Decimal("0.13")
    active: bool = True


class ProductPatch(Schema):
    name_zh: str | None = None
    name_en: str | None = None
    category: str | None = None
    unit: str | None = None
    list_price: Decimal | None = None
    tax_rate: Decimal | None = None
    active: bool | None = None


class ProductOut(Schema):
    id: int
    sku: str
    name_zh: str
    name_en: str
    category: str
    unit: str
    list_price: Decimal
    currency: str
    tax_rate: Decimal
    active: bool
    version: int


class PriceListIn(Schema):
    code: str
    name: str
    currency: str = "CNY"
    is_default: bool = False


class PriceListPatch(Schema):
    name: str | None = None
    is_default: bool | None = None
    active: bool | None = None


class PriceListPricesIn(Schema):
    prices: dict[int, Decimal] = Field(default_factory=dict)


class PriceListOut(Schema):
    id: int
    code: str
    name: str
    currency: str
    is_default: bool
    active: bool
    version: int
    prices: dict[int, Decimal]

    @staticmethod
    def resolve_prices(obj: Any) -> dict[int, Decimal]:
        return {i.product_id: i.unit_price for i in obj.items.all()}


class LineIn(Schema):
    product_id: int
    quantity: Decimal
    unit_price: Decimal | None = None
    discount: Decimal | None = None
    description: str = ""


class LineOut(Schema):
    id: int
    product_id: int
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount_amount: Decimal
    tax_rate: Decimal
    tax_amount: Decimal
    line_total: Decimal
    currency: str


class PriceIn(Schema):
    account_id: int
    lines: list[LineIn]
    price_list_id: int | None = None
    coupon_codes: list[str] = Field(default_factory=list)


class AdjustmentOut(Schema):
    rule: str
    reason: str
    amount: Decimal
    line_index: int | None


class PriceOut(Schema):
    subtotal: Decimal
    discount_total: Decimal
    tax_total: Decimal
    total: Decimal
    adjustments: list[AdjustmentOut]
