"""Contracts with a term, a value and a renewal date."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.core.records import OwnedRecord, bin_index
from guanxi.sales.models.fields import currency_field, money_field


class Contract(OwnedRecord):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        EXPIRED = "expired", _("Expired")
        RENEWED = "renewed", _("Renewed")
        TERMINATED = "terminated", _("Terminated")

    resource: ClassVar[str] = "sales.contract"

    number = models.CharField(_("number"), max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=200)
    account = models.ForeignKey(
        "customers.Account", verbose_name=_("account"), on_delete=models.PROTECT, related_name="+"
    )
    order = models.ForeignKey(
        "sales.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default="active")
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    renewal_date = models.DateField(_("renewal date"), db_index=True)
    remind_days_before = models.PositiveSmallIntegerField(_("remind days before"), default=30)
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    value = money_field(_("value"))
    currency = currency_field()
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        indexes: ClassVar[list[models.Index]] = [
            bin_index("contract_bin_idx"),
            models.Index(fields=["owner", "deleted_at"], name="contract_owner_idx"),
            models.Index(fields=["team", "deleted_at"], name="contract_team_idx"),
            models.Index(fields=["account"], name="contract_account_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"
