"""Customers: the centre of Guanxi."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.core.records import OwnedRecord


class Account(OwnedRecord):
    """A customer: an organisation or an individual consumer."""

    class Kind(models.TextChoices):
        ORGANIZATION = "organization", _("Organisation")
        INDIVIDUAL = "individual", _("Individual")

    resource: ClassVar[str] = "customers.account"

    kind = models.CharField(
        _("kind"), max_length=20, choices=Kind.choices, default=Kind.ORGANIZATION
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    mobile = models.CharField(_("mobile"), max_length=32, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["owner", "deleted_at"], name="account_owner_idx"),
            models.Index(fields=["team", "deleted_at"], name="account_team_idx"),
        ]

    def __str__(self) -> str:
        return self.name
