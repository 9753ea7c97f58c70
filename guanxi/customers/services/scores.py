"""Analytic scores written back by the analytics app: bulk upsert, one audit summary."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, fields
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from guanxi.customers.models import Account, CustomerScore
from guanxi.customers.services.common import audit_summary

BATCH = 1000


@dataclass(frozen=True)
class ScoreRow:
    account_id: int
    rfm_segment: str = ""
    r_score: int | None = None
    f_score: int | None = None
    m_score: int | None = None
    clv: Decimal | None = None
    p_alive: float | None = None
    churn_risk: float | None = None
    risk_band: str = ""
    cluster_label: str = ""
    churn_reason_en: str = ""
    churn_reason_zh: str = ""
    computed_at: dt.datetime | None = None


_UPDATE_FIELDS = [f.name for f in fields(ScoreRow) if f.name != "account_id"]


@transaction.atomic
def account_scores_bulk_upsert(*, rows: Iterable[ScoreRow]) -> int:
    """Write (insert or replace) the scores of many accounts; a system job, no per-row audit.

    Rows for accounts that do not exist are ignored; returns how many rows were written.
    """
    now = timezone.now()
    written = 0
    batch: list[ScoreRow] = []

    def flush(items: list[ScoreRow]) -> int:
        ids = {r.account_id for r in items}
        known = set(Account.all_objects.filter(pk__in=ids).values_list("pk", flat=True))
        objs = [
            CustomerScore(
                **{f.name: getattr(r, f.name) for f in fields(ScoreRow)}
                | {"computed_at": r.computed_at or now}
            )
            for r in items
            if r.account_id in known
        ]
        CustomerScore.objects.bulk_create(
            objs,
            update_conflicts=True,
            unique_fields=["account"],
            update_fields=_UPDATE_FIELDS,
        )
        return len(objs)

    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            written += flush(batch)
            batch = []
    if batch:
        written += flush(batch)
    audit_summary(actor=None, action="update", model=CustomerScore, changes={"rows": written})
    return written
