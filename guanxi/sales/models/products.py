"""The product catalogue and price lists (retail, wholesale, VIP …)."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from guanxi.sales.models.fields import currency_field, price_field


class Product(models.Model):
    resource: ClassVar[str] = "sales.product"

    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    category = models.CharField(_("category"), max_length=80, blank=True, db_index=True)
    unit = models.CharField(_("unit"), max_length=20, default="件")
    list_price = price_field(_("list price"))
    currency = currency_field()
    tax_rate = models.DecimalField(
        _("tax rate"), max_digits=5, decimal_places=4, default=Decimal("0.1300")
    )
    active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ("sku",)
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=models.Q(list_price__gte=0), name="product_price_gte0"
            ),
            models.CheckConstraint(
                condition=models.Q(tax_rate__gte=0, tax_rate__lt=1), name="product_tax_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"

    @property
    def name(self) -> str:
        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name_zh


class PriceList(models.Model):
    resource: ClassVar[str] = "sales.product"

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    currency = currency_field()
    is_default = models.BooleanField(_("default"), default=False)
    active = models.BooleanField(_("active"), default=True)
    # Bumped by every change to the list or its prices (the ETag covers the prices).
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        ordering = ("-is_default", "code")

    def __str__(self) -> str:
        return self.name


class PriceListItem(models.Model):
    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    unit_price = price_field(_("unit price"))

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["price_list", "product"], name="pricelist_item_uniq"),
            models.CheckConstraint(condition=models.Q(unit_price__gte=0), name="pricelist_gte0"),
        ]

    def __str__(self) -> str:
        return f"{self.price_list_id}/{self.product_id}: {self.unit_price}"
