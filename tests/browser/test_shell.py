"""The web shell in a real browser: sign in, navigate, switch language, settings."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def sign_in(page, user, password="browser-pass-123"):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit].btn-primary")
    page.wait_for_url("**/")


def test_sign_in_switch_language_and_open_settings(page, admin_user, tmp_path):
    sign_in(page, admin_user)
    sidebar = page.locator("#gx-sidebar")
    assert sidebar.get_by_text("客户", exact=True).first.is_visible()
    assert sidebar.get_by_text("销售", exact=True).first.is_visible()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.screenshot(path=str(tmp_path / "home-zh.png"), full_page=True)

    page.click("[data-testid=lang-en]")
    page.wait_for_load_state()
    assert sidebar.get_by_text("Customers", exact=True).first.is_visible()
    assert sidebar.get_by_text("Sales", exact=True).first.is_visible()
    assert page.locator("html").get_attribute("lang") == "en"
    admin_user.refresh_from_db()
    assert admin_user.language == "en"

    page.click("[data-testid=lang-zh]")
    page.wait_for_load_state()
    assert sidebar.get_by_text("客户", exact=True).first.is_visible()

    sidebar.get_by_text("用户", exact=True).first.click()
    page.wait_for_url("**/settings/users/")
    assert page.locator("h1").inner_text() == "用户"
    assert page.locator("#user-table").get_by_text("browser-admin").is_visible()
    page.screenshot(path=str(tmp_path / "users-zh.png"), full_page=True)
    assert (tmp_path / "users-zh.png").stat().st_size > 0
    assert page.js_errors == []


def test_user_search_swaps_only_the_table(page, admin_user):
    from guanxi.core.models import Role
    from guanxi.core.services import user_create

    for name in ("lina", "zhangwei"):
        user_create(
            actor=None,
            username=name,
            password="x" * 12,
            role=Role.objects.get(code="sales"),
            check_password=False,
        )
    sign_in(page, admin_user)
    page.goto("/settings/users/")
    page.evaluate("window.__marker = 1")  # survives only if the page is not reloaded
    page.fill("input[name=q]", "lina")
    page.locator("#user-table").get_by_text("zhangwei").wait_for(state="detached")
    assert page.locator("#user-table").get_by_text("lina").is_visible()
    assert page.evaluate("window.__marker") == 1
    assert "q=lina" in page.url
    assert page.js_errors == []


def test_phone_sidebar_toggles(browser, live_server, admin_user):
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=live_server.url)
    page = context.new_page()
    sign_in(page, admin_user)
    sidebar = page.locator("#gx-sidebar")
    assert not sidebar.get_by_text("客户", exact=True).first.is_visible() or (
        sidebar.bounding_box()["x"] < 0
    )
    page.click("[data-gx-toggle=sidebar]")
    page.wait_for_function("document.body.classList.contains('gx-sidebar-open')")
    page.wait_for_timeout(300)
    assert sidebar.bounding_box()["x"] >= 0
    page.keyboard.press("Escape")
    page.wait_for_function("!document.body.classList.contains('gx-sidebar-open')")
    context.close()
