"""The customer 360 view: profile, contacts, stage history, timeline page and figures."""

from __future__ import annotations

import datetime as dt
from typing import Any

from guanxi.core.models import User
from guanxi.core.selectors import audit_for_record
from guanxi.customers.models import LifecycleChange
from guanxi.customers.selectors.accounts import account_get
from guanxi.customers.selectors.contacts import contacts_of
from guanxi.customers.timeline import figures_for, timeline_for


def customer_360(
    *, actor: User, account_id: Any, before: dt.datetime | None = None, limit: int = 30
) -> dict[str, Any]:
    """Everything about one customer in a bounded number of queries."""
    account = account_get(actor=actor, account_id=account_id)
    entries = timeline_for(actor=actor, account=account, before=before, limit=limit)
    return {
        "account": account,
        "tags": sorted(account.tags.values_list("name", flat=True)),
        "contacts": contacts_of(actor=actor, account=account),
        "stage_history": list(
            LifecycleChange.objects.filter(account=account).select_related("actor")[:20]
        ),
        "timeline": entries,
        "next_before": entries[-1].at if len(entries) >= limit else None,
        "figures": figures_for(actor=actor, account=account),
        "history": list(audit_for_record(actor=actor, obj=account)[:15]),
    }
