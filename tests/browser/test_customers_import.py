"""Importing customers in a real browser: a bad row and a duplicate are both reported."""

from __future__ import annotations

import os

import pytest

pytestmark = pytest.mark.browser
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CSV = (
    "\ufeff客户名称,手机,邮箱\n"
    "上海华信贸易有限公司,13800138000,info@huaxin.cn\n"
    "坏手机客户,12345,bad@x.cn\n"
    "华信重复,138-0013-8000,dup@huaxin.cn\n"
    "深圳恒通科技,13600136000,hr@hengtong.cn\n"
)


def test_import_reports_a_bad_row_and_a_duplicate(page, admin_user, tmp_path):
    from guanxi.customers.models import Account

    path = tmp_path / "客户.csv"
    path.write_bytes(CSV.encode("utf-8"))
    page.goto("/accounts/login/")
    page.fill("input[name=username]", admin_user.username)
    page.fill("input[name=password]", "browser-pass-123")
    page.click("form button[type=submit].btn-primary")
    page.wait_for_url("**/")

    page.goto("/customers/imports/new/")
    page.set_input_files("input[name=file]", str(path))
    page.click("[data-testid=upload]")
    page.wait_for_url("**/customers/imports/*/")
    assert page.locator("[data-testid=mapping-form]").is_visible()
    assert page.locator("select[name=col_0]").input_value() == "name"
    assert page.locator("select[name=col_1]").input_value() == "mobile"

    page.click("[data-testid=start-import]")
    page.wait_for_selector("[data-testid=import-status][data-status=done]")
    errors = page.locator("[data-testid=import-errors] tbody tr")
    assert errors.count() == 2
    rows = [errors.nth(i).inner_text() for i in range(2)]
    assert rows[0].startswith("3") and "mobile" in rows[0]
    assert rows[1].startswith("4") and page.locator("[data-kind=duplicate]").count() == 1
    assert page.locator("[data-testid=download-errors]").is_visible()
    assert sorted(Account.objects.values_list("name", flat=True)) == [
        "上海华信贸易有限公司",
        "深圳恒通科技",
    ]
    assert not page.js_errors
