"""Activity writes: log interactions, schedule tasks, complete them (and repeat callbacks)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.errors import Conflict, Invalid
from guanxi.core.models import User
from guanxi.core.permissions import require_perm
from guanxi.core.records import record_create, record_soft_delete, record_update
from guanxi.core.visibility import visible
from guanxi.customers.models import Account, Activity, Contact

ACTIVITY_FIELDS = frozenset(
    {
        "kind", "subject", "body", "occurred_at", "due_at", "reminder_at",
        "assignee_id", "contact_id", "repeat_every_days",
    }
)  # fmt: skip


def _clean(actor: User, account: Account | None, data: dict[str, Any]) -> dict[str, Any]:
    unknown = set(data) - ACTIVITY_FIELDS
    errors: dict[str, list[str]] = {k: [_("Unknown field.")] for k in sorted(unknown)}
    if "kind" in data and data["kind"] not in Activity.Kind.values:
        errors["kind"] = [_("Unknown activity kind.")]
    if data.get("assignee_id") is not None:
        from guanxi.core.selectors import colleague_choices

        if not colleague_choices(actor=actor).filter(pk=data["assignee_id"]).exists():
            errors["assignee_id"] = [_("Unknown assignee.")]
    if (
        data.get("contact_id") is not None
        and account is not None
        and not Contact.objects.filter(pk=data["contact_id"], account=account).exists()
    ):
        errors["contact_id"] = [_("This contact does not belong to the account.")]
    if data.get("repeat_every_days") is not None and not (
        1 <= int(data["repeat_every_days"]) <= 3650
    ):
        errors["repeat_every_days"] = [_("Between 1 and 3650 days.")]
    if errors:
        raise Invalid(fields=errors)
    return {k: v for k, v in data.items() if k in ACTIVITY_FIELDS}


@transaction.atomic
def activity_create(*, actor: User, account: Account, **data: Any) -> Activity:
    """Log an interaction or schedule a task on an account; tasks default to the actor."""
    require_perm(actor, Activity.resource, "create")
    data = _clean(actor, account, data)
    data.setdefault("kind", Activity.Kind.NOTE)
    data.setdefault("occurred_at", data.get("due_at") or timezone.now())
    if data["kind"] == Activity.Kind.TASK:
        data.setdefault("assignee_id", actor.pk)
        if not data.get("due_at"):
            raise Invalid(fields={"due_at": [_("A task needs a due date.")]})
    data["account"] = account
    data["team_id"] = account.team_id
    return record_create(actor=actor, model=Activity, data=data, owner=account.owner)


@transaction.atomic
def activity_update(
    *, actor: User, activity: Activity, changes: dict[str, Any], expected_version: int | None
) -> Activity:
    """Change an activity if it is still at the version the client saw; moving the reminder
    time re-arms the reminder."""
    require_perm(actor, Activity.resource, "change")
    changes = _clean(actor, activity.account, dict(changes))
    if "due_at" in changes and activity.kind == Activity.Kind.TASK and changes["due_at"]:
        changes.setdefault("occurred_at", changes["due_at"])
    if "reminder_at" in changes and changes["reminder_at"] != activity.reminder_at:
        # A new reminder time is a new reminder: it will be sent when that time comes.
        changes["reminder_sent_at"] = None
    return record_update(
        actor=actor, obj=activity, changes=changes, expected_version=expected_version
    )


@transaction.atomic
def activity_delete(*, actor: User, activity: Activity, expected_version: int | None) -> Activity:
    """Move an activity to the recycle bin."""
    return record_soft_delete(actor=actor, obj=activity, expected_version=expected_version)


@transaction.atomic
def activity_complete(
    *, actor: User, activity: Activity, expected_version: int | None
) -> tuple[Activity, Activity | None]:
    """Mark a task done; a periodic callback (定期回访) schedules its next task N days later."""
    require_perm(actor, Activity.resource, "change")
    if activity.kind != Activity.Kind.TASK:
        raise Conflict(_("Only tasks can be completed."))
    if activity.done_at is not None:
        raise Conflict(_("This task is already done."))
    now = timezone.now()
    done = record_update(
        actor=actor,
        obj=activity,
        changes={"done_at": now, "occurred_at": now},
        expected_version=expected_version,
    )
    following: Activity | None = None
    if done.repeat_every_days:
        due = (done.due_at or now) + dt.timedelta(days=done.repeat_every_days)
        if due <= now:
            due = now + dt.timedelta(days=done.repeat_every_days)
        reminder = None
        if done.reminder_at and done.due_at:
            reminder = due - (done.due_at - done.reminder_at)
        account = visible(actor, Account.objects.all()).filter(pk=done.account_id).first()
        if account is not None:
            following = activity_create(
                actor=actor,
                account=account,
                kind=Activity.Kind.TASK,
                subject=done.subject,
                body=done.body,
                due_at=due,
                reminder_at=reminder,
                assignee_id=done.assignee_id,
                contact_id=done.contact_id,
                repeat_every_days=done.repeat_every_days,
            )
    return done, following
