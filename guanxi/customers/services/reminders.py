"""Task reminders: when an open task's reminder time comes, its assignee hears about it.

A periodic job (`customers.send_task_reminders`, every minute) calls
`activity_reminders_send`. Each due reminder is claimed with a conditional UPDATE of
`reminder_sent_at`, so with several workers every reminder is sent exactly once; moving the
reminder time clears the mark (see `activity_update`), so a rescheduled task reminds again.
Sending a reminder is not a business change: it writes no audit entry and leaves the task's
version alone, so nobody's open edit form goes stale because of it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from guanxi.core.services import NotificationDraft, notify_many
from guanxi.customers.models import Activity

REMINDER_KIND = "customers.task_reminder"
BATCH_SIZE = 500
MAX_BATCHES = 20  # at most 10,000 reminders a minute; the rest follow a minute later


def activity_reminders_send(
    *, now: dt.datetime | None = None, batch_size: int = BATCH_SIZE, max_batches: int = MAX_BATCHES
) -> int:
    """Remind the assignee of every open task whose reminder time has passed and was not
    reminded of yet, in the assignee's language, in batches; returns how many were sent."""
    now = now or timezone.now()
    total = 0
    for _batch in range(max_batches):
        found, sent = _remind_batch(now, batch_size)
        total += sent
        if found < batch_size:
            break
    return total


def _due(now: dt.datetime) -> QuerySet[Activity]:
    return Activity.objects.filter(
        kind=Activity.Kind.TASK,
        reminder_at__isnull=False,
        reminder_at__lte=now,
        reminder_sent_at__isnull=True,
        done_at__isnull=True,
        assignee__isnull=False,
        account__deleted_at__isnull=True,
    )


@transaction.atomic
def _remind_batch(now: dt.datetime, limit: int) -> tuple[int, int]:
    """One transaction: pick due reminders, claim them, write the notifications. E-mails
    are queued by `notify_many` for after the commit."""
    tasks = list(
        _due(now)
        # PostgreSQL: another worker's batch is skipped, not waited for. SQLite takes the
        # write lock at BEGIN, so there batches simply run one after the other.
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("account", "contact", "assignee")
        .order_by("reminder_at", "pk")[:limit]
    )
    if not tasks:
        return 0, 0
    claimed = _claim(tasks, now)
    notify_many(drafts=[_draft(task) for task in claimed])
    return len(tasks), len(claimed)


def _claim(tasks: list[Activity], now: dt.datetime) -> list[Activity]:
    """Mark the reminders sent, only where they are still unsent: the conditional UPDATE is
    what makes a reminder go out once even if two workers picked the same task."""
    ids = [t.pk for t in tasks]
    claimed = Activity.all_objects.filter(
        pk__in=ids, reminder_sent_at__isnull=True, reminder_at__lte=now
    ).update(reminder_sent_at=now)
    if claimed == len(ids):
        return tasks
    # Someone else took some of them: keep those that carry this run's mark.
    mine = set(
        Activity.all_objects.filter(pk__in=ids, reminder_sent_at=now).values_list("pk", flat=True)
    )
    return [t for t in tasks if t.pk in mine]


def _draft(task: Activity) -> NotificationDraft:
    assignee = task.assignee
    assert assignee is not None  # filtered in _due
    with translation.override(assignee.language or settings.LANGUAGE_CODE):
        lines = [_("Customer: %(name)s") % {"name": task.account.name}]
        if task.contact is not None:
            lines.append(_("Contact: %(name)s") % {"name": task.contact.name})
        if task.due_at is not None:
            due = formats.date_format(timezone.localtime(task.due_at), "Y-m-d H:i")
            lines.append(_("Due: %(when)s") % {"when": due})
        if task.body:
            lines.append(task.body[:500])
        title = _("Reminder: %(subject)s") % {"subject": task.subject}
    return NotificationDraft(
        recipient=assignee,
        kind=REMINDER_KIND,
        title=title,
        body="\n".join(lines),
        url=reverse("customers:activity-edit", args=[task.pk]),
        obj=task,
    )
