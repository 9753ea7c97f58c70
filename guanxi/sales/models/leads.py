"""Leads (线索) and the lead-scoring weights an admin may edit."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.core.records import OwnedRecord, bin_index


class Lead(OwnedRecord):
    """A prospect not yet qualified; may sit in the pool (公海) for any rep to claim."""

    class Source(models.TextChoices):
        WEB = "web", _("Web form")
        REFERRAL = "referral", _("Referral")
        EVENT = "event", _("Event")
        PHONE = "phone", _("Phone")
        ADVERTISING = "advertising", _("Advertising")
        SOCIAL = "social", _("Social media")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        WORKING = "working", _("Working")
        QUALIFIED = "qualified", _("Qualified")
        UNQUALIFIED = "unqualified", _("Unqualified")
        CONVERTED = "converted", _("Converted")

    resource: ClassVar[str] = "sales.lead"

    name = models.CharField(_("contact name"), max_length=120)
    company = models.CharField(_("company"), max_length=200, blank=True)
    title = models.CharField(_("job title"), max_length=120, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    mobile = models.CharField(_("mobile"), max_length=32, blank=True)
    region = models.CharField(_("region"), max_length=60, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default="other")
    # Nullable free text until marketing campaigns exist; then it becomes a link.
    campaign = models.CharField(_("campaign"), max_length=120, blank=True, null=True)  # noqa: DJ001
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default="new")
    score = models.PositiveSmallIntegerField(_("score"), default=0)
    qualification_note = models.TextField(_("qualification"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    engagement_count = models.PositiveIntegerField(_("interactions"), default=0)
    in_pool = models.BooleanField(_("in the pool"), default=False, db_index=True)
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)
    converted_at = models.DateTimeField(_("converted"), null=True, blank=True)
    converted_account = models.ForeignKey(
        "customers.Account",
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        indexes: ClassVar[list[models.Index]] = [
            bin_index("lead_bin_idx"),
            models.Index(fields=["owner", "deleted_at"], name="lead_owner_idx"),
            models.Index(fields=["team", "deleted_at"], name="lead_team_idx"),
            models.Index(fields=["in_pool", "status"], name="lead_pool_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.company}" if self.company else self.name


class LeadScoreWeights(models.Model):
    """The rule weights for lead scores (one row); an admin edits them."""

    completeness = models.PositiveSmallIntegerField(_("completeness weight"), default=40)
    engagement = models.PositiveSmallIntegerField(_("engagement weight"), default=30)
    source = models.PositiveSmallIntegerField(_("source weight"), default=30)
    # Points (0-100) per source, scaled by the source weight.
    source_points = models.JSONField(_("points per source"), default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("lead score weights")
        verbose_name_plural = _("lead score weights")

    def __str__(self) -> str:
        return f"{self.completeness}/{self.engagement}/{self.source}"
