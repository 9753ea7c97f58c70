"""Pipelines with ordered stages, opportunities (销售机会) with product lines, stage history."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.core.records import OwnedRecord, bin_index
from guanxi.sales.models.fields import currency_field
from guanxi.sales.models.orders import LineBase


class Pipeline(models.Model):
    """A sales process. Its stages belong to it: every stage edit bumps the pipeline's version."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    is_default = models.BooleanField(_("default"), default=False)
    active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")
        ordering = ("-is_default", "name")

    def __str__(self) -> str:
        return self.name


class Stage(models.Model):
    class Kind(models.TextChoices):
        OPEN = "open", _("Open")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(_("name"), max_length=80)
    position = models.PositiveSmallIntegerField(_("position"))
    probability = models.PositiveSmallIntegerField(_("probability (%)"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default="open")
    # A removed stage that history still refers to is archived: off the board and out of the
    # choices, kept for stage history and reports. Archived stages sort after active ones.
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ("pipeline", "position")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["pipeline", "position"], name="stage_position_uniq"),
            models.CheckConstraint(
                condition=models.Q(probability__lte=100), name="stage_probability_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Opportunity(OwnedRecord):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    resource: ClassVar[str] = "sales.opportunity"

    name = models.CharField(_("name"), max_length=200)
    account = models.ForeignKey(
        "customers.Account", verbose_name=_("account"), on_delete=models.PROTECT, related_name="+"
    )
    lead = models.ForeignKey(
        "sales.Lead", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pipeline = models.ForeignKey(Pipeline, on_delete=models.PROTECT, related_name="+")
    stage = models.ForeignKey(
        Stage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default="open")
    amount = models.DecimalField(
        _("amount"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    currency = currency_field()
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    lost_reason = models.CharField(_("lost reason"), max_length=200, blank=True)
    # Prices for the product lines (none: each product's list price).
    price_list = models.ForeignKey(
        "sales.PriceList",
        verbose_name=_("price list"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Contact details carried from the lead while the customers app has no contacts.
    contact_name = models.CharField(_("contact name"), max_length=120, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_mobile = models.CharField(_("contact mobile"), max_length=32, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        indexes: ClassVar[list[models.Index]] = [
            bin_index("opportunity_bin_idx"),
            models.Index(fields=["owner", "deleted_at"], name="opp_owner_idx"),
            models.Index(fields=["team", "deleted_at"], name="opp_team_idx"),
            models.Index(fields=["status", "expected_close_date"], name="opp_status_close_idx"),
            models.Index(fields=["status", "closed_at"], name="opp_status_closed_idx"),
            models.Index(fields=["account"], name="opp_account_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class OpportunityLine(LineBase):
    """A product the deal is about, priced like a quote line; the deal's amount is their sum."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    discount_percent = models.DecimalField(
        _("discount (%)"), max_digits=5, decimal_places=2, default=0
    )
    # False: the unit price came from the price list (or the list price) and a quote made
    # from these lines looks it up again; True: it was agreed by hand and is carried over.
    manual_price = models.BooleanField(_("price entered by hand"), default=False)

    class Meta:
        verbose_name = _("opportunity line")
        verbose_name_plural = _("opportunity lines")
        ordering = ("opportunity", "position", "pk")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="oppline_qty_gt0"),
            models.CheckConstraint(
                condition=models.Q(discount_percent__gte=0, discount_percent__lte=100),
                name="oppline_discount_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.opportunity_id}#{self.position}"


class StageChange(models.Model):
    """One move of an opportunity into a stage (the first row is its entry into the pipeline)."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="history")
    from_stage = models.ForeignKey(
        Stage, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(db_index=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("changed_at", "pk")
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["to_stage", "opportunity"], name="stagechange_stage_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.opportunity_id}: {self.from_stage_id} → {self.to_stage_id}"
