"""Quotes and orders with their lines, payments received (回款), returns and status history."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.core.records import OwnedRecord, bin_index
from guanxi.sales.models.fields import currency_field, money_field, price_field


class Quote(OwnedRecord):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        CONVERTED = "converted", _("Converted to order")
        DECLINED = "declined", _("Declined")

    resource: ClassVar[str] = "sales.quote"

    number = models.CharField(_("number"), max_length=32, unique=True)
    account = models.ForeignKey(
        "customers.Account", verbose_name=_("account"), on_delete=models.PROTECT, related_name="+"
    )
    opportunity = models.ForeignKey(
        "sales.Opportunity",
        verbose_name=_("opportunity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="quotes",
    )
    price_list = models.ForeignKey(
        "sales.PriceList", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default="draft")
    valid_until = models.DateField(_("valid until"))
    currency = currency_field()
    coupon_codes = models.JSONField(_("coupon codes"), default=list, blank=True)
    subtotal = money_field(_("subtotal"))
    discount_total = money_field(_("discount"))
    tax_total = money_field(_("tax"))
    total = money_field(_("total"))
    adjustments = models.JSONField(_("adjustments"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        indexes: ClassVar[list[models.Index]] = [
            bin_index("quote_bin_idx"),
            models.Index(fields=["owner", "deleted_at"], name="quote_owner_idx"),
            models.Index(fields=["team", "deleted_at"], name="quote_team_idx"),
            models.Index(fields=["account"], name="quote_account_idx"),
        ]

    def __str__(self) -> str:
        return self.number


class LineBase(models.Model):
    product = models.ForeignKey(
        "sales.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)
    unit_price = price_field(_("unit price"))
    discount_amount = money_field(_("discount"))
    tax_rate = models.DecimalField(_("tax rate"), max_digits=5, decimal_places=4, default=0)
    tax_amount = money_field(_("tax"))
    line_total = money_field(_("total"))
    currency = currency_field()

    class Meta:
        abstract = True


class QuoteLine(LineBase):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("quote", "position", "pk")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="quoteline_qty_gt0"),
        ]

    def __str__(self) -> str:
        return f"{self.quote_id}#{self.position}"


class Order(OwnedRecord):
    class Status(models.TextChoices):
        PLACED = "placed", _("Placed")
        PAID = "paid", _("Paid")
        SHIPPED = "shipped", _("Shipped")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")
        PARTIALLY_RETURNED = "partially_returned", _("Partially returned")
        RETURNED = "returned", _("Returned / refunded")

    # Orders whose money counts as revenue (refunds are subtracted separately).
    REVENUE_STATUSES: ClassVar[tuple[str, ...]] = (
        "paid",
        "shipped",
        "completed",
        "partially_returned",
        "returned",
    )

    resource: ClassVar[str] = "sales.order"

    number = models.CharField(_("number"), max_length=32, unique=True)
    account = models.ForeignKey(
        "customers.Account", verbose_name=_("account"), on_delete=models.PROTECT, related_name="+"
    )
    quote = models.ForeignKey(
        Quote, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    opportunity = models.ForeignKey(
        "sales.Opportunity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    price_list = models.ForeignKey(
        "sales.PriceList", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default="placed")
    placed_at = models.DateTimeField(_("placed"), db_index=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    region = models.CharField(_("region"), max_length=60, blank=True)
    currency = currency_field()
    coupon_codes = models.JSONField(_("coupon codes"), default=list, blank=True)
    subtotal = money_field(_("subtotal"))
    discount_total = money_field(_("discount"))
    tax_total = money_field(_("tax"))
    total = money_field(_("total"))
    paid_amount = money_field(_("paid"))
    refunded_amount = money_field(_("refunded"))
    adjustments = models.JSONField(_("adjustments"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes: ClassVar[list[models.Index]] = [
            bin_index("order_bin_idx"),
            models.Index(fields=["owner", "deleted_at"], name="order_owner_idx"),
            models.Index(fields=["team", "deleted_at"], name="order_team_idx"),
            models.Index(fields=["account", "placed_at"], name="order_account_idx"),
            models.Index(fields=["status", "placed_at"], name="order_status_placed_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def balance_due(self) -> Decimal:
        due: Decimal = self.total - self.paid_amount
        return max(Decimal("0.00"), due)


class OrderLine(LineBase):
    """A line knows its order, customer, product, quantity, price, discount and currency."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    account = models.ForeignKey(
        "customers.Account", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # Copied from the order so reports over millions of lines need no join to filter by time.
    placed_at = models.DateTimeField()
    # Mirror the order's status and region so revenue reports over millions of lines
    # need no join (kept in step by the order services).
    status = models.CharField(max_length=20, default="placed")
    region = models.CharField(max_length=60, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    returned_quantity = models.DecimalField(
        _("returned quantity"), max_digits=12, decimal_places=3, default=0
    )
    # Money refunded for this line; the order's refunded amount is the sum over its lines.
    refunded_amount = money_field(_("refunded"))

    class Meta:
        ordering = ("order", "position", "pk")
        indexes: ClassVar[list[models.Index]] = [
            # Reports read lines by time. On PostgreSQL migration 0002 rebuilds this index
            # covering the summed columns, so reports are answered from the index alone.
            models.Index(fields=["placed_at", "status"], name="orderline_placed_idx"),
            models.Index(fields=["account", "placed_at"], name="orderline_account_idx"),
            models.Index(fields=["product", "placed_at"], name="orderline_product_idx"),
        ]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="orderline_qty_gt0"),
            models.CheckConstraint(
                condition=models.Q(returned_quantity__lte=models.F("quantity")),
                name="orderline_returned_lte_qty",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}#{self.position}"


class Payment(models.Model):
    """Money received against an order (回款)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="payments")
    amount = money_field(_("amount"))
    currency = currency_field()
    received_at = models.DateTimeField(_("received"))
    method = models.CharField(_("method"), max_length=40, blank=True)
    reference = models.CharField(_("reference"), max_length=120, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("received_at", "pk")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_gt0"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.amount}"


class OrderReturn(models.Model):
    """Goods returned and money refunded; `lines` maps order line id → quantity returned."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="returns")
    amount = money_field(_("refund"))
    currency = currency_field()
    lines = models.JSONField(default=dict)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    returned_at = models.DateTimeField(_("returned"), db_index=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("returned_at", "pk")

    def __str__(self) -> str:
        return f"{self.order_id}: -{self.amount}"


class OrderStatusChange(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="status_history")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ("changed_at", "pk")

    def __str__(self) -> str:
        return f"{self.order_id}: {self.from_status} → {self.to_status}"
