"""Activities and tasks: my day, periodic callbacks, iCalendar."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from guanxi.core.errors import Conflict
from guanxi.customers import selectors
from guanxi.customers.models import Activity
from guanxi.customers.services import activity_complete, activity_create

pytestmark = pytest.mark.django_db


def test_my_day_lists_todays_and_overdue_tasks_of_the_signed_in_user(org, make_account, make_task):
    a = make_account("甲")
    overdue = make_task(a, due_in_days=-2, subject="逾期")
    today = make_task(a, due_in_days=0, subject="今天")
    make_task(a, due_in_days=3, subject="以后")
    make_task(a, due_in_days=0, subject="同事的", assignee_id=org["mate"].pk)
    activity_complete(
        actor=org["rep"], activity=make_task(a, subject="已完成"), expected_version=None
    )
    day = selectors.my_day(actor=org["rep"], now=timezone.now())
    assert [t.pk for t in day["overdue"]] == [overdue.pk]
    assert today.pk in [t.pk for t in day["today"]]
    assert {t.subject for t in day["today"]} == {"今天"}


def test_completing_a_periodic_callback_schedules_the_next_one(org, make_account, make_task):
    a = make_account("甲")
    task = make_task(a, due_in_days=0, repeat_every_days=30)
    done, following = activity_complete(
        actor=org["rep"], activity=task, expected_version=task.version
    )
    assert done.done_at is not None
    assert following is not None and following.repeat_every_days == 30 and following.done_at is None
    assert following.due_at - task.due_at == dt.timedelta(days=30)
    with pytest.raises(Conflict):
        activity_complete(actor=org["rep"], activity=done, expected_version=None)


def test_a_one_off_task_does_not_repeat(org, make_account, make_task):
    _done, following = activity_complete(
        actor=org["rep"], activity=make_task(make_account("甲")), expected_version=None
    )
    assert following is None


def test_tasks_need_a_due_date(org, make_account):
    from guanxi.core.errors import Invalid

    with pytest.raises(Invalid):
        activity_create(actor=org["rep"], account=make_account("甲"), kind="task", subject="x")


def test_complete_through_the_api_returns_the_next_task(org, api_as, make_account, make_task):
    task = make_task(make_account("甲"), repeat_every_days=7)
    api = api_as(org["rep"])
    r = api.post(
        f"/customers/activities/{task.pk}/complete", **{"If-Match": f'"{task.pk}-{task.version}"'}
    )
    assert r.status_code == 200 and r.json()["next"]["repeat_every_days"] == 7
    assert Activity.objects.filter(done_at__isnull=True).count() == 1


def test_logging_a_call_through_the_api(org, api_as, make_account):
    a = make_account("甲")
    r = api_as(org["rep"]).post(
        f"/customers/accounts/{a.pk}/activities", {"kind": "call", "subject": "电话沟通"}
    )
    assert r.status_code == 201 and r.json()["kind"] == "call"
    assert (
        api_as(org["rep"])
        .post(f"/customers/accounts/{a.pk}/activities", {"kind": "fax", "subject": "x"})
        .status_code
        == 422
    )


def test_icalendar_export_has_tasks_as_todos(org, api_as, make_account, make_task):
    make_task(make_account("甲"), subject="回访, 华信")
    r = api_as(org["rep"]).get("/customers/activities/ics")
    text = r.content.decode()
    assert r["Content-Type"].startswith("text/calendar")
    assert (
        "BEGIN:VTODO" in text
        and "SUMMARY:回访\\, 华信" in text
        and text.endswith("END:VCALENDAR\r\n")
    )
