"""Activities: calls, meetings, visits, e-mails, notes and tasks on an account."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.core.records import OwnedRecord, bin_index
from guanxi.customers.models.accounts import Account, Contact


class Activity(OwnedRecord):
    """One interaction or to-do; tasks have a due date, an assignee and maybe a repeat."""

    class Kind(models.TextChoices):
        CALL = "call", _("Call")
        MEETING = "meeting", _("Meeting")
        VISIT = "visit", _("Visit")
        EMAIL = "email", _("E-mail")
        NOTE = "note", _("Note")
        TASK = "task", _("Task")

    resource: ClassVar[str] = "customers.activity"

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="activities"
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.NOTE)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("details"), blank=True)
    occurred_at = models.DateTimeField(_("when"), db_index=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    reminder_at = models.DateTimeField(_("reminder"), null=True, blank=True)
    # Set when the assignee was reminded; cleared when the reminder time changes.
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    # 定期回访: when a task with a repeat is done, the next one is created this many days later.
    repeat_every_days = models.PositiveSmallIntegerField(
        _("repeat every (days)"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes: ClassVar[list[models.Index]] = [
            bin_index("activity_bin_idx"),
            models.Index(fields=["account", "-occurred_at"], name="activity_timeline_idx"),
            models.Index(fields=["assignee", "done_at", "due_at"], name="activity_myday_idx"),
            # The reminder job's question, "which reminders are due and unsent?", reads only
            # this small index.
            models.Index(
                fields=["reminder_at"],
                condition=models.Q(
                    reminder_at__isnull=False,
                    reminder_sent_at__isnull=True,
                    done_at__isnull=True,
                ),
                name="activity_reminder_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.subject
