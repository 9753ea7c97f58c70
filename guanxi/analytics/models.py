"""Analytics bookkeeping: the scoring policy and the history of scoring runs."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class ScoringPolicy(models.Model):
    """How scores are computed and when churn risk moves a customer's lifecycle stage (one row)."""

    horizon_days = models.PositiveIntegerField(
        _("churn horizon (days)"),
        default=90,
        validators=[MinValueValidator(7), MaxValueValidator(730)],
    )
    clv_horizon_months = models.PositiveIntegerField(
        _("CLV horizon (months)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    monthly_discount_rate = models.DecimalField(
        _("monthly discount rate"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.0100"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("0.2"))],
    )
    medium_risk = models.FloatField(
        _("medium risk from"),
        default=0.5,
        validators=[MinValueValidator(0.01), MaxValueValidator(0.99)],
    )
    high_risk = models.FloatField(
        _("high risk from"),
        default=0.8,
        validators=[MinValueValidator(0.02), MaxValueValidator(1.0)],
    )
    move_lifecycle = models.BooleanField(_("move lifecycle stages by churn risk"), default=True)
    at_risk_from = models.FloatField(
        _("'at risk' from churn risk"),
        default=0.8,
        validators=[MinValueValidator(0.01), MaxValueValidator(1.0)],
    )
    churned_from = models.FloatField(
        _("'churned' from churn risk"),
        default=0.97,
        validators=[MinValueValidator(0.01), MaxValueValidator(1.0)],
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("scoring policy")
        verbose_name_plural = _("scoring policies")

    def __str__(self) -> str:
        return "scoring policy"


class ScoreRun(models.Model):
    """One computation of every customer's scores, with the fitted models and their checks."""

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        EMPTY = "empty", _("no orders yet")
        FAILED = "failed", _("failed")

    started_at = models.DateTimeField(_("started"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default="running")
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    as_of = models.DateField(_("as of"))
    customers = models.PositiveIntegerField(_("customers scored"), default=0)
    transactions = models.PositiveIntegerField(_("purchase days"), default=0)
    # {"bgnbd": FitResult.to_dict(), "pareto_nbd": ..., "gamma_gamma": ...}
    fits = models.JSONField(default=dict, blank=True)
    # ROC-AUC of "no purchase in the holdout" for each candidate risk score.
    churn_auc = models.JSONField(default=dict, blank=True)
    holdout = models.JSONField(default=dict, blank=True)
    segments = models.JSONField(default=dict, blank=True)
    bands = models.JSONField(default=dict, blank=True)
    clusters = models.JSONField(default=list, blank=True)
    lifecycle_moves = models.JSONField(default=dict, blank=True)
    seconds = models.FloatField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("scoring run")
        verbose_name_plural = _("scoring runs")
        ordering: ClassVar[list[str]] = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"run {self.pk} ({self.status})"
