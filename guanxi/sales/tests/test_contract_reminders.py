"""Contract renewals reach the owner through the task reminder path."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail

from guanxi.core.models import Notification
from guanxi.customers.models import Activity
from guanxi.customers.services.reminders import REMINDER_KIND, activity_reminders_send
from guanxi.sales import services

pytestmark = pytest.mark.django_db


def _contract_near_renewal(org, account):
    return services.contract_create(
        actor=org["rep"],
        account=account,
        title="年度合同",
        start_date=dt.date.today() - dt.timedelta(days=300),
        end_date=dt.date.today() + dt.timedelta(days=20),
        value=Decimal("120000"),
        remind_days_before=30,
    )


def test_a_renewal_task_reminds_its_owner_in_the_app_and_by_email(
    org, account, django_capture_on_commit_callbacks
):
    rep = org["rep"]
    rep.email = "rep@example.cn"
    rep.save(update_fields=["email"])
    contract = _contract_near_renewal(org, account)
    services.contract_remind_renewals()
    task = Activity.objects.get(account=account, kind="task")
    assert task.reminder_at is not None and task.reminder_sent_at is None
    with django_capture_on_commit_callbacks(execute=True):
        assert activity_reminders_send() == 1
    note = Notification.objects.get(recipient=rep)
    assert note.kind == REMINDER_KIND and contract.number in note.title
    assert len(mail.outbox) == 1 and contract.number in mail.outbox[0].subject


def test_the_renewal_task_is_written_in_the_owners_language(org, account):
    rep = org["rep"]
    rep.language = "en"
    rep.save(update_fields=["language"])
    contract = _contract_near_renewal(org, account)
    services.contract_remind_renewals()
    task = Activity.objects.get(account=account, kind="task")
    assert task.subject.startswith(f"Contract {contract.number} renews on")
    activity_reminders_send()
    assert Notification.objects.get().title.startswith("Reminder: Contract")
