"""Activity reads: per account, "my day", and the activity timeline source."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from guanxi.core.models import User
from guanxi.core.permissions import has_perm, require_perm
from guanxi.core.records import record_get
from guanxi.core.visibility import reach, register_scope, visible
from guanxi.customers.display import url_for_id
from guanxi.customers.models import Account, Activity
from guanxi.customers.timeline import TimelineEntry

ACTIVITY_ICONS = {
    "call": "telephone",
    "meeting": "people",
    "visit": "geo-alt",
    "email": "envelope",
    "note": "sticky",
    "task": "check2-square",
}


def _through_account(actor: User, qs: QuerySet[Any]) -> QuerySet[Any]:
    # Seen by whoever sees the account, and always by the task's assignee.
    return qs.filter(reach(actor).q("account__owner", "account__team") | Q(assignee_id=actor.pk))


register_scope(Activity, _through_account)


def activity_list(
    *, actor: User, account_id: int | None = None, kind: str = "", open_tasks: bool = False
) -> QuerySet[Activity]:
    require_perm(actor, Activity.resource, "view")
    qs = visible(actor, Activity.objects.filter(account__deleted_at__isnull=True)).select_related(
        "account", "assignee", "contact"
    )
    if account_id is not None:
        qs = qs.filter(account_id=account_id)
    if kind:
        qs = qs.filter(kind=kind)
    if open_tasks:
        qs = qs.filter(kind=Activity.Kind.TASK, done_at__isnull=True)
    return qs.order_by("-occurred_at", "-pk")


def activity_get(*, actor: User, activity_id: Any) -> Activity:
    require_perm(actor, Activity.resource, "view")
    return record_get(actor, Activity, activity_id)


def my_day(*, actor: User, now: dt.datetime | None = None) -> dict[str, list[Activity]]:
    """The actor's open tasks: overdue (due before today) and today's, earliest first."""
    require_perm(actor, Activity.resource, "view")
    now = timezone.localtime(now or timezone.now())
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    end = start + dt.timedelta(days=1)
    qs = (
        visible(actor, Activity.objects.filter(account__deleted_at__isnull=True))
        .filter(kind=Activity.Kind.TASK, assignee_id=actor.pk, done_at__isnull=True, due_at__lt=end)
        .select_related("account", "contact")
        .order_by("due_at", "pk")
    )
    tasks = list(qs[:500])
    return {
        "overdue": [t for t in tasks if t.due_at is not None and t.due_at < start],
        "today": [t for t in tasks if t.due_at is not None and t.due_at >= start],
    }


def activity_timeline(
    actor: User, account: Account, before: dt.datetime | None, limit: int
) -> list[TimelineEntry]:
    """The customers app's own timeline source: activities, newest first."""
    if not has_perm(actor, Activity.resource, "view"):
        return []
    qs = Activity.objects.filter(account=account)
    if before is not None:
        qs = qs.filter(occurred_at__lt=before)
    rows = qs.order_by("-occurred_at", "-pk").values_list(
        "pk", "occurred_at", "kind", "subject", "body"
    )[:limit]
    edit_url = url_for_id("customers:activity-edit")
    return [
        TimelineEntry(
            at=occurred_at,
            kind=kind,
            title=subject,
            source="customers.activities",
            ref_id=str(pk),
            detail=body[:300],
            url=edit_url(pk),
            icon=ACTIVITY_ICONS.get(kind, "circle"),
        )
        for pk, occurred_at, kind, subject, body in rows
    ]
