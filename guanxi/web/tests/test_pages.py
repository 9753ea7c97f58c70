"""The shell, home, area pages and error pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from guanxi.web.nav import PLANNED

pytestmark = pytest.mark.django_db


def test_home_greets_and_shows_role_team_and_honest_area_cards(client, make_web_user):
    from guanxi.core.services import team_create

    team = team_create(actor=None, name="华东销售部")
    user = make_web_user("sales", display_name="李娜", team=team)
    client.force_login(user)
    html = client.get(reverse("web:home")).content.decode()
    assert "李娜" in html
    assert "华东销售部" in html
    assert 'data-testid="home-role">销售<' in html
    assert html.count("即将推出") == len(PLANNED)


def test_the_shell_has_sidebar_user_menu_language_switch_and_csrf_meta(admin_client):
    html = admin_client.get(reverse("web:home")).content.decode()
    assert 'id="gx-sidebar"' in html
    assert 'name="csrf-token"' in html
    assert reverse("web:password-change") in html
    assert reverse("web:token-list") in html
    assert reverse("web:logout") in html
    assert reverse("web:set-language") in html
    assert 'id="messages"' in html
    assert "<script>" not in html and "onclick" not in html


@pytest.mark.parametrize("key", sorted(PLANNED))
def test_area_pages_say_they_are_not_available_yet(admin_client, key):
    response = admin_client.get(reverse(f"web:area-{key}"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "暂未开放" in html
    assert "该模块将包含" in html


def test_area_page_in_english(admin_client, english):
    html = admin_client.get(reverse("web:area-loyalty")).content.decode()
    assert "Not available yet." in html
    assert "Points ledger" in html


def test_404_page_is_styled_and_bilingual(admin_client, english):
    response = admin_client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_404_page_for_visitors_in_chinese(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_500_page_renders_without_a_request_context(rf):
    from guanxi.web.views.errors import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "服务器错误" in response.content.decode()


def test_400_and_403_handlers(rf, admin):
    from guanxi.web.views.errors import bad_request, permission_denied

    request = rf.get("/")
    request.user = admin
    assert bad_request(request).status_code == 400
    response = permission_denied(request)
    assert response.status_code == 403
    assert "没有权限" in response.content.decode()
