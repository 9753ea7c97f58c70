"""Revenue summed ahead of time, so reports over millions of order lines read thousands of rows.

Each table holds, per period and key, the net revenue (line totals less refunds) of the order
lines whose order counts as revenue. The order services keep them in step in the same
transaction as every change that moves revenue (`guanxi.sales.services.rollups`);
`guanxi sales rebuild-revenue` recomputes them from the lines after a bulk load.

Owner and team are the order's, copied so that reports apply the visibility scope without a
join. They are plain integers (0: none) so that each key is unique and can be upserted.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models

from guanxi.sales.models.fields import money_field


def line_net_revenue() -> models.ExpressionWrapper[Any]:
    """Net revenue of an order line: its total less what was refunded for it (exact to the fen)."""
    return models.ExpressionWrapper(
        models.F("line_total") - models.F("refunded_amount"),
        output_field=models.DecimalField(max_digits=18, decimal_places=2),
    )


class RevenueRollup(models.Model):
    owner_id = models.IntegerField(default=0)
    team_id = models.IntegerField(default=0)
    revenue = money_field("revenue")
    lines = models.IntegerField(default=0)

    # The key columns of each table, in the order of its unique constraint; the column of the
    # period; the counts it keeps besides revenue.
    key: ClassVar[tuple[str, ...]]
    period: ClassVar[str]
    counts: ClassVar[tuple[str, ...]] = ("lines",)

    class Meta:
        abstract = True


class RevenueDay(RevenueRollup):
    """Per local day, owner, team and region; with the number of orders (all order-level keys),
    it answers revenue by month, year on year, by rep, by team and by region."""

    day = models.DateField()
    region = models.CharField(max_length=60, default="")
    orders = models.IntegerField(default=0)

    key = ("day", "owner_id", "team_id", "region")
    period = "day"
    counts = ("lines", "orders")

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["day", "owner_id", "team_id", "region"], name="revenueday_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.region}: {self.revenue}"


class ProductRevenueMonth(RevenueRollup):
    """Per local month (its first day), owner, team and product: revenue by product and
    category. Parts of a month at either end of a range are read from the lines."""

    month = models.DateField()
    product = models.ForeignKey(
        "sales.Product",
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,  # read by period (the key), never by this column alone
    )

    key = ("month", "owner_id", "team_id", "product_id")
    period = "month"

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["month", "owner_id", "team_id", "product"], name="productrevenuemonth_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.product_id}: {self.revenue}"


class CustomerRevenueMonth(RevenueRollup):
    """Per local month, owner, team and customer: the top customers."""

    month = models.DateField()
    account = models.ForeignKey(
        "customers.Account",
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,  # read by period (the key), never by this column alone
    )

    key = ("month", "owner_id", "team_id", "account_id")
    period = "month"

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["month", "owner_id", "team_id", "account"], name="customerrevenuemonth_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.account_id}: {self.revenue}"
