"""Signing in and out, throttling, password change and the language switch."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from guanxi.core.models import AuditEntry, User

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_signing_in_redirects_home_and_audits(client, admin):
    response = client.post(reverse("web:login"), {"username": admin.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("web:home")
    assert AuditEntry.objects.filter(action="login", object_id=str(admin.pk)).exists()
    assert client.get(reverse("web:home")).status_code == 200


def test_signing_in_follows_a_safe_next_but_not_an_outside_one(client, admin):
    data = {"username": admin.username, "password": PASSWORD, "next": "/settings/users/"}
    assert client.post(reverse("web:login"), data)["Location"] == "/settings/users/"
    client.logout()
    data["next"] = "https://evil.example/"
    assert client.post(reverse("web:login"), data)["Location"] == reverse("web:home")


def test_a_wrong_password_shows_an_error_and_counts_a_failure(client, admin):
    response = client.post(reverse("web:login"), {"username": admin.username, "password": "nope"})
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()
    assert AuditEntry.objects.filter(action="login_failed").count() == 1
    assert "_auth_user_id" not in client.session


def test_an_empty_login_form_shows_per_field_errors(client, db):
    response = client.post(reverse("web:login"), {"username": "", "password": ""})
    html = response.content.decode()
    assert html.count("is-invalid") >= 2
    assert "invalid-feedback" in html


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_too_many_failures_are_throttled_with_429_even_with_the_right_password(client, admin):
    for _ in range(3):
        client.post(reverse("web:login"), {"username": admin.username, "password": "wrong"})
    response = client.post(reverse("web:login"), {"username": admin.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_signed_in_pages_require_sign_in(client, db):
    response = client.get(reverse("web:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


def test_logout_is_a_post_and_signs_out(admin_client):
    assert admin_client.get(reverse("web:logout")).status_code == 405
    response = admin_client.post(reverse("web:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in admin_client.session


def test_changing_the_password_keeps_the_session(admin_client, admin):
    response = admin_client.post(
        reverse("web:password-change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-much-longer-Passw0rd",
            "new_password2": "a-much-longer-Passw0rd",
        },
    )
    assert response.status_code == 302
    admin.refresh_from_db()
    assert admin.check_password("a-much-longer-Passw0rd")
    assert admin_client.get(reverse("web:home")).status_code == 200


def test_a_wrong_current_password_is_shown_on_its_field(admin_client, admin):
    response = admin_client.post(
        reverse("web:password-change"),
        {
            "old_password": "wrong",
            "new_password1": "x-Long-Pass-123",
            "new_password2": "x-Long-Pass-123",
        },
    )
    assert response.status_code == 422
    form = response.context["form"]
    assert form.errors["old_password"] == ["当前密码不正确。"]
    assert 'class="form-control form-control-sm is-invalid"' in response.content.decode()


def test_a_weak_new_password_maps_service_errors_onto_the_new_password_field(admin_client):
    response = admin_client.post(
        reverse("web:password-change"),
        {"old_password": PASSWORD, "new_password1": "123", "new_password2": "123"},
    )
    assert response.status_code == 422
    assert response.context["form"].errors["new_password1"]


def test_switching_language_persists_on_the_user_and_renders_english(admin_client, admin):
    response = admin_client.post(
        reverse("web:set-language"), {"language": "en", "next": reverse("web:user-list")}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("web:user-list")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    admin.refresh_from_db()
    assert admin.language == "en"
    html = admin_client.get(reverse("web:home")).content.decode()
    assert "Customers" in html
    assert 'lang="en"' in html
    admin_client.post(reverse("web:set-language"), {"language": "zh-hans"})
    assert User.objects.get(pk=admin.pk).language == "zh-hans"
    assert "客户" in admin_client.get(reverse("web:home")).content.decode()


def test_anonymous_language_switch_sets_the_cookie_only(client, db):
    response = client.post(
        reverse("web:set-language"), {"language": "en", "next": "/accounts/login/"}
    )
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Sign in" in client.get(reverse("web:login")).content.decode()


def test_an_unknown_language_is_ignored(admin_client, admin):
    admin_client.post(reverse("web:set-language"), {"language": "xx"})
    admin.refresh_from_db()
    assert admin.language == "zh-hans"


def test_signing_in_restores_the_users_language(client, make_web_user):
    user = make_web_user("sales")
    user.language = "en"
    user.save(update_fields=["language"])
    response = client.post(reverse("web:login"), {"username": user.username, "password": PASSWORD})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_zh_hans_is_the_default_language(admin_client):
    html = admin_client.get(reverse("web:home")).content.decode()
    assert 'lang="zh-hans"' in html
    assert "客户" in html
    assert "销售" in html
