"""Analytic scores per account, written back in bulk by the analytics app."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.customers.models.accounts import Account


class CustomerScore(models.Model):
    """The latest RFM, CLV and churn figures of one account."""

    account = models.OneToOneField(
        Account, primary_key=True, on_delete=models.CASCADE, related_name="score"
    )
    rfm_segment = models.CharField(_("RFM segment"), max_length=40, blank=True, db_index=True)
    r_score = models.PositiveSmallIntegerField(null=True, blank=True)
    f_score = models.PositiveSmallIntegerField(null=True, blank=True)
    m_score = models.PositiveSmallIntegerField(null=True, blank=True)
    clv = models.DecimalField(_("CLV"), max_digits=14, decimal_places=2, null=True, blank=True)
    p_alive = models.FloatField(_("probability alive"), null=True, blank=True)
    churn_risk = models.FloatField(_("churn risk"), null=True, blank=True, db_index=True)
    risk_band = models.CharField(_("risk band"), max_length=20, blank=True, db_index=True)
    cluster_label = models.CharField(_("cluster"), max_length=60, blank=True)
    # Why the risk is what it is, in plain words, in both languages.
    churn_reason_en = models.CharField(_("churn reason (English)"), max_length=255, blank=True)
    churn_reason_zh = models.CharField(_("churn reason (Chinese)"), max_length=255, blank=True)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("customer score")
        verbose_name_plural = _("customer scores")
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["clv"], name="score_clv_idx"),
        ]

    def __str__(self) -> str:
        return f"score #{self.account_id}"
