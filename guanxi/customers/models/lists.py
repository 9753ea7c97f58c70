"""Saved views: a user's named filter + sort sets for the customer and contact lists."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SavedView(models.Model):
    class Entity(models.TextChoices):
        ACCOUNT = "account", _("Accounts")
        CONTACT = "contact", _("Contacts")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    entity = models.CharField(max_length=10, choices=Entity.choices, default=Entity.ACCOUNT)
    name = models.CharField(_("name"), max_length=80)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    sort = models.CharField(_("sort"), max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering: ClassVar[list[str]] = ["name"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["user", "entity", "name"], name="savedview_uniq")
        ]

    def __str__(self) -> str:
        return self.name
