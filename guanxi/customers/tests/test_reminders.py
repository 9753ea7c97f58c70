"""Task reminders: the periodic job reminds each assignee once, in their language, in bulk."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.utils import timezone

from guanxi.core.models import Notification, ScheduledJob
from guanxi.core.scheduling import scheduler_tick
from guanxi.customers.models import Activity
from guanxi.customers.services import activity_complete, activity_delete, activity_update
from guanxi.customers.services.reminders import REMINDER_KIND, _claim, activity_reminders_send

pytestmark = pytest.mark.django_db


class BrokenBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Any) -> int:
        raise OSError("mail server down")


def _with_email(user: Any, language: str = "zh-hans") -> Any:
    user.email, user.language = f"{user.username}@example.cn", language
    user.save(update_fields=["email", "language"])
    return user


def _due_task(make_task: Any, account: Any, minutes_ago: int = 5, **data: Any) -> Any:
    now = timezone.now()
    return make_task(
        account,
        due_in_days=1,
        reminder_at=now - dt.timedelta(minutes=minutes_ago),
        **data,
    )


def test_a_due_reminder_notifies_the_assignee_once_with_task_customer_and_due_date(
    org, make_account, make_task, django_capture_on_commit_callbacks
):
    rep = _with_email(org["rep"])
    account = make_account("上海华信贸易有限公司")
    task = _due_task(make_task, account, subject="回访王总")
    with django_capture_on_commit_callbacks(execute=True):
        assert activity_reminders_send() == 1
    note = Notification.objects.get()
    assert (note.recipient_id, note.kind, note.object_type, note.object_id) == (
        rep.pk,
        REMINDER_KIND,
        "customers.activity",
        str(task.pk),
    )
    due = timezone.localtime(task.due_at).strftime("%Y-%m-%d %H:%M")
    assert note.title == "提醒：回访王总"
    assert "客户：上海华信贸易有限公司" in note.body and f"到期：{due}" in note.body
    assert note.url == f"/customers/activities/{task.pk}/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [rep.email]
    assert "回访王总" in mail.outbox[0].subject
    task.refresh_from_db()
    assert task.reminder_sent_at is not None
    # The next minute's run finds nothing to do.
    with django_capture_on_commit_callbacks(execute=True):
        assert activity_reminders_send() == 0
    assert Notification.objects.count() == 1 and len(mail.outbox) == 1


def test_reminders_speak_the_assignees_language(org, make_account, make_task):
    _with_email(org["mate"], language="en")
    account = make_account("甲")
    _due_task(make_task, account, subject="Call back", assignee_id=org["mate"].pk)
    _due_task(make_task, account, subject="回访")
    activity_reminders_send()
    english = Notification.objects.get(recipient=org["mate"])
    assert english.title == "Reminder: Call back"
    assert "Customer: 甲" in english.body and "Due: " in english.body
    chinese = Notification.objects.get(recipient=org["rep"])
    assert chinese.title == "提醒：回访"


def test_nothing_is_sent_before_the_reminder_time_or_without_one(org, make_account, make_task):
    account = make_account("甲")
    make_task(account, due_in_days=1, reminder_at=timezone.now() + dt.timedelta(minutes=10))
    # Overdue but without a reminder: the assignee is not spammed.
    make_task(account, due_in_days=-3)
    assert activity_reminders_send() == 0
    assert not Notification.objects.exists()


def test_done_deleted_and_unassigned_tasks_are_not_reminded(org, make_account, make_task):
    account = make_account("甲")
    done = _due_task(make_task, account, subject="已完成")
    activity_complete(actor=org["rep"], activity=done, expected_version=None)
    deleted = _due_task(make_task, account, subject="已删除")
    activity_delete(actor=org["rep"], activity=deleted, expected_version=None)
    orphan = _due_task(make_task, account, subject="无人负责")
    Activity.objects.filter(pk=orphan.pk).update(assignee=None)
    gone_account = make_account("已删除客户")
    _due_task(make_task, gone_account, subject="客户已删除")
    from guanxi.customers.services import account_delete

    account_delete(actor=org["rep"], account=gone_account, expected_version=None)
    assert activity_reminders_send() == 0


def test_a_rescheduled_reminder_reminds_again(org, make_account, make_task):
    task = _due_task(make_task, make_account("甲"))
    assert activity_reminders_send() == 1
    task.refresh_from_db()
    later = timezone.now() + dt.timedelta(hours=2)
    task = activity_update(
        actor=org["rep"], activity=task, changes={"reminder_at": later}, expected_version=None
    )
    assert task.reminder_sent_at is None
    assert activity_reminders_send() == 0
    assert activity_reminders_send(now=later + dt.timedelta(seconds=1)) == 1
    assert Notification.objects.count() == 2


def test_editing_a_task_without_touching_the_reminder_does_not_resend(org, make_account, make_task):
    task = _due_task(make_task, make_account("甲"))
    activity_reminders_send()
    task.refresh_from_db()
    sent = task.reminder_sent_at
    task = activity_update(
        actor=org["rep"],
        activity=task,
        changes={"subject": "改了标题", "reminder_at": task.reminder_at},
        expected_version=None,
    )
    assert task.reminder_sent_at == sent
    assert activity_reminders_send() == 0


def test_sending_a_reminder_leaves_the_tasks_version_and_audit_alone(org, make_account, make_task):
    from guanxi.core.models import AuditEntry

    task = _due_task(make_task, make_account("甲"))
    audits = AuditEntry.objects.count()
    activity_reminders_send()
    task.refresh_from_db()
    assert task.version == 1 and AuditEntry.objects.count() == audits


def test_a_reminder_claimed_by_another_worker_is_not_sent_again(org, make_account, make_task):
    """Two workers picked the same tasks; the conditional UPDATE lets only the first claim."""
    account = make_account("甲")
    tasks = [_due_task(make_task, account, subject=f"任务{i}") for i in range(3)]
    now = timezone.now()
    first = _claim(list(tasks), now)
    second = _claim(list(tasks), now + dt.timedelta(microseconds=1))
    assert [t.pk for t in first] == [t.pk for t in tasks]
    assert second == []


def test_a_partly_claimed_batch_keeps_only_its_own(org, make_account, make_task):
    account = make_account("甲")
    tasks = [_due_task(make_task, account, subject=f"任务{i}") for i in range(3)]
    now = timezone.now()
    _claim([tasks[1]], now - dt.timedelta(seconds=1))  # another worker took one
    assert [t.pk for t in _claim(list(tasks), now)] == [tasks[0].pk, tasks[2].pk]


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_reminder_exactly_once(make_user, make_team):
    from guanxi.customers.services import account_create, activity_create

    rep = make_user("sales", team=make_team("华东"))
    account = account_create(actor=rep, name="并发客户")
    now = timezone.now()
    for i in range(40):
        activity_create(
            actor=rep,
            account=account,
            kind="task",
            subject=f"任务{i}",
            due_at=now + dt.timedelta(days=1),
            reminder_at=now - dt.timedelta(minutes=1),
        )
    barrier = threading.Barrier(2)
    sent: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            sent.append(activity_reminders_send(batch_size=7))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sum(sent) == 40
    assert Notification.objects.count() == 40
    assert Notification.objects.values("object_id").distinct().count() == 40
    assert not Activity.objects.filter(reminder_sent_at__isnull=True).exists()


def test_a_failing_mail_server_keeps_the_in_app_reminder_and_the_job_finishes(
    org, make_account, make_task, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.BrokenBackend"
    _with_email(org["rep"])
    task = _due_task(make_task, make_account("甲"))
    with django_capture_on_commit_callbacks(execute=True):
        assert activity_reminders_send() == 1
    note = Notification.objects.get()
    assert note.emailed_at is None and note.read_at is None
    task.refresh_from_db()
    assert task.reminder_sent_at is not None  # not retried every minute


def test_reminder_query_count_does_not_grow_with_the_batch(
    org, make_account, make_task, django_capture_on_commit_callbacks, django_assert_num_queries
):
    _with_email(org["rep"])
    _with_email(org["mate"], language="en")
    accounts = [make_account(f"客户{i}") for i in range(3)]

    def make(n: int) -> None:
        for i in range(n):
            _due_task(
                make_task,
                accounts[i % 3],
                subject=f"任务{i}",
                assignee_id=(org["rep"] if i % 2 else org["mate"]).pk,
            )

    def run() -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return activity_reminders_send()

    make(2)
    # SAVEPOINT, SELECT due tasks (with account, contact, assignee), UPDATE claim,
    # SAVEPOINT + INSERT notifications + RELEASE, RELEASE; after commit the e-mail task:
    # SELECT notifications with recipients, UPDATE emailed_at.
    with django_assert_num_queries(9):
        assert run() == 2
    make(60)
    with django_assert_num_queries(9):
        assert run() == 60
    assert len(mail.outbox) == 62


def test_the_reminder_job_runs_every_minute_from_the_scheduler(org, make_account, make_task):
    _due_task(make_task, make_account("甲"))
    now = timezone.now()
    assert "customers.send_task_reminders" in scheduler_tick(now)
    assert Notification.objects.count() == 1  # the test task backend runs it at once
    job = ScheduledJob.objects.get(name="customers.send_task_reminders")
    assert job.next_run_at == now + dt.timedelta(minutes=1)
    assert "customers.send_task_reminders" not in scheduler_tick(now + dt.timedelta(seconds=30))


# The "remind me" choice on the task forms ---------------------------------------------------


def _page_client(user: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_remind_me_one_hour_before_sets_the_reminder_from_the_due_time(org, make_account):
    from django.urls import reverse

    account = make_account("甲")
    response = _page_client(org["rep"]).post(
        reverse("customers:activity-create", args=[account.pk]),
        {"kind": "task", "subject": "拜访", "due_at": "2031-05-06T15:30", "remind": "60"},
    )
    assert response.status_code == 302
    task = Activity.objects.get(subject="拜访")
    assert timezone.localtime(task.reminder_at).strftime("%Y-%m-%d %H:%M") == "2031-05-06 14:30"


def test_the_edit_form_shows_the_choice_and_no_reminder_clears_it(org, make_account, make_task):
    from django.urls import reverse

    task = make_task(make_account("甲"), due_in_days=2)
    task = activity_update(
        actor=org["rep"],
        activity=task,
        changes={"reminder_at": task.due_at - dt.timedelta(minutes=15)},
        expected_version=None,
    )
    client = _page_client(org["rep"])
    url = reverse("customers:activity-edit", args=[task.pk])
    html = client.get(url).content.decode()
    assert '<option value="15" selected>' in html
    assert 'data-gx-show-if="remind=custom"' in html
    due = timezone.localtime(task.due_at).strftime("%Y-%m-%dT%H:%M")
    data = {"version": task.version, "kind": "task", "subject": task.subject, "due_at": due}
    assert client.post(url, {**data, "remind": ""}).status_code == 302
    task.refresh_from_db()
    assert task.reminder_at is None


def test_a_chosen_time_is_required_for_a_custom_reminder(org, make_account, make_task):
    from django.urls import reverse

    task = make_task(make_account("甲"), due_in_days=2)
    url = reverse("customers:activity-edit", args=[task.pk])
    response = _page_client(org["rep"]).post(
        url, {"version": task.version, "kind": "task", "subject": "x", "remind": "custom"}
    )
    assert response.status_code == 422
    assert "请选择提醒时间" in response.content.decode()
