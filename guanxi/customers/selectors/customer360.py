"""The customer 360 view: profile, contacts, stage history, timeline page and figures."""

from __future__ import annotations

import datetime as dt
from typing import Any

from guanxi.core.models import User
from guanxi.core.selectors import audit_for_record
from guanxi.customers.models import Account, LifecycleChange
from guanxi.customers.selectors.accounts import account_get
from guanxi.customers.selectors.contacts import contacts_of
from guanxi.customers.timeline import figures_for, timeline_for


def _timeline_page(
    actor: User, account: Account, before: dt.datetime | None, limit: int
) -> dict[str, Any]:
    entries = timeline_for(actor=actor, account=account, before=before, limit=limit)
    return {
        "timeline": entries,
        "next_before": entries[-1].at if len(entries) >= limit else None,
    }


def customer_timeline(
    *, actor: User, account_id: Any, before: dt.datetime | None = None, limit: int = 30
) -> dict[str, Any]:
    """One page of a visible customer's timeline (the 360's "load older")."""
    account = account_get(actor=actor, account_id=account_id)
    return {"account": account, **_timeline_page(actor, account, before, limit)}


def customer_360(
    *,
    actor: User,
    account_id: Any,
    before: dt.datetime | None = None,
    limit: int = 30,
    page: bool = False,
) -> dict[str, Any]:
    """Everything about one customer in a bounded number of queries.

    `page` adds what only the web page shows: the record's history, and the owner and team
    read with the account."""
    account = account_get(actor=actor, account_id=account_id, with_people=page)
    data = {
        "account": account,
        "tags": sorted(account.tags.values_list("name", flat=True)),
        "contacts": contacts_of(actor=actor, account=account),
        # StageChangeOut and the page show the actor's id at most: no join.
        "stage_history": list(LifecycleChange.objects.filter(account=account)[:20]),
        **_timeline_page(actor, account, before, limit),
        "figures": figures_for(actor=actor, account=account),
    }
    if page:
        data["history"] = list(audit_for_record(actor=actor, obj=account)[:15])
    return data
