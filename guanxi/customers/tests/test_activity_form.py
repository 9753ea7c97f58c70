"""Editing a task in the web form can take its due time and repetition away again."""

from __future__ import annotations

from django.urls import reverse

from guanxi.customers.models import Activity


def test_emptying_the_due_time_and_repetition_clears_them(client, org, make_account, make_task):
    task = make_task(make_account(), due_in_days=2, repeat_every_days=7)
    client.force_login(org["rep"])
    url = reverse("customers:activity-edit", args=[task.pk])
    form = {
        "version": task.version, "kind": "task", "subject": "回访", "body": "",
        "occurred_at": "", "due_at": "", "remind": "", "reminder_at": "",
        "repeat_every_days": "",
    }  # fmt: skip
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:500]
    task = Activity.objects.get(pk=task.pk)
    assert task.due_at is None and task.repeat_every_days is None


def test_a_reminder_before_the_due_time_needs_a_due_time(client, org, make_account, make_task):
    task = make_task(make_account(), due_in_days=2)
    client.force_login(org["rep"])
    url = reverse("customers:activity-edit", args=[task.pk])
    form = {"version": task.version, "kind": "task", "subject": "回访", "due_at": "",
            "remind": "15"}  # fmt: skip
    response = client.post(url, form)
    assert response.status_code == 422
    assert Activity.objects.get(pk=task.pk).due_at == task.due_at
