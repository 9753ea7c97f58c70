"""Notifications and reminders in a real browser: the bell, mark read in place, remind-me."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.test_shell import sign_in

pytestmark = pytest.mark.browser


def _shot(page, name: str, tmp_path: Path) -> None:
    page.screenshot(path=str(tmp_path / name), full_page=True)


def test_the_bell_counts_and_mark_read_updates_it_in_place(page, admin_user, tmp_path):
    from guanxi.core.services import notify

    for title in ("提醒：回访王总", "提醒：合同 CT-0001 将续约"):
        notify(
            recipient=admin_user,
            kind="customers.task_reminder",
            title=title,
            body="客户：上海华信贸易有限公司\n到期：2031-05-06 15:30",
            url="/customers/my-day/",
            email=False,
        )
    sign_in(page, admin_user)
    bell = page.locator("[data-testid=bell]")
    assert bell.get_attribute("data-unread") == "2"
    assert bell.locator(".gx-bell-count").inner_text() == "2"
    bell.click()
    page.wait_for_url("**/notifications/")
    _shot(page, "notifications-zh.png", tmp_path)
    page.evaluate("window.__marker = 1")
    page.locator("[data-testid=mark-read]").first.click()
    page.locator("[data-testid=bell][data-unread='1']").wait_for()
    # The bell and the item are swapped separately: wait for the item as well.
    expect(page.locator(".gx-unread .gx-notification-title")).to_have_count(1)
    assert page.locator("[data-testid=mark-read]").count() == 1
    assert page.evaluate("window.__marker") == 1  # no reload: htmx swapped item and bell
    # Opening one marks it read and follows its link.
    page.locator(".gx-unread .gx-notification-title").click()
    page.wait_for_url("**/customers/my-day/")
    assert page.locator("[data-testid=bell]").get_attribute("data-unread") == "0"
    assert page.js_errors == []


def test_remind_me_shows_the_time_field_only_for_a_chosen_time(page, admin_user, tmp_path):
    from django.utils import timezone

    from guanxi.customers.services import account_create

    account = account_create(actor=admin_user, name="杭州西湖茶业有限公司")
    sign_in(page, admin_user)
    page.goto(f"/customers/{account.pk}/")
    custom = page.locator("[data-gx-show-if='remind=custom']")
    assert not custom.is_visible()
    page.select_option("select[name=remind]", "custom")
    assert custom.is_visible()
    page.select_option("select[name=remind]", "60")
    assert not custom.is_visible()
    page.select_option("select[name=kind]", "task")
    page.fill("input[name=subject]", "回访王总")
    due = timezone.localtime() + dt.timedelta(days=1)
    page.fill("input[name=due_at]", due.strftime("%Y-%m-%dT%H:%M"))
    _shot(page, "remind-me-zh.png", tmp_path)
    page.locator("form[action$='/activities/'] button[type=submit]").click()
    page.wait_for_load_state()
    from guanxi.customers.models import Activity

    task = Activity.objects.get(subject="回访王总")
    assert task.due_at - task.reminder_at == dt.timedelta(hours=1)
    assert page.js_errors == []


def test_the_bell_fits_the_phone_top_bar(browser, live_server, admin_user, tmp_path):
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=live_server.url)
    page = context.new_page()
    sign_in(page, admin_user)
    bell = page.locator("[data-testid=bell]").bounding_box()
    user = page.locator("[data-testid=user-menu]").bounding_box()
    assert bell is not None and user is not None
    assert bell["x"] + bell["width"] <= user["x"] and user["x"] + user["width"] <= 390
    _shot(page, "bell-phone.png", tmp_path)
    context.close()
