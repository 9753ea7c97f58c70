"""Sales targets per rep or team and period."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.core.records import OwnedRecord, bin_index
from guanxi.sales.models.fields import currency_field, money_field


class SalesTarget(OwnedRecord):
    """A rep's target is owned by the rep; a team's target has `scope=team` and its team."""

    class Scope(models.TextChoices):
        REP = "rep", _("Rep")
        TEAM = "team", _("Team")

    class Period(models.TextChoices):
        MONTH = "month", _("Month")
        QUARTER = "quarter", _("Quarter")
        YEAR = "year", _("Year")

    resource: ClassVar[str] = "sales.target"

    scope = models.CharField(_("scope"), max_length=8, choices=Scope.choices, default="rep")
    period_kind = models.CharField(_("period"), max_length=8, choices=Period.choices)
    period_start = models.DateField(_("period start"))
    amount = money_field(_("target"))
    currency = currency_field()

    class Meta:
        verbose_name = _("sales target")
        verbose_name_plural = _("sales targets")
        ordering = ("-period_start", "scope")
        indexes: ClassVar[list[models.Index]] = [bin_index("salestarget_bin_idx")]

    def __str__(self) -> str:
        return f"{self.scope} {self.period_kind} {self.period_start}: {self.amount}"
