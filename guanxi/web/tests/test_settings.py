"""Settings pages: users, teams, roles, audit log, recycle bin and API tokens."""

from __future__ import annotations

import pytest
from django.urls import reverse

from guanxi.core.models import ApiToken, Role, Team, User

pytestmark = pytest.mark.django_db

SETTINGS_PAGES = [
    "web:user-list",
    "web:user-create",
    "web:team-list",
    "web:team-create",
    "web:role-list",
    "web:audit-list",
    "web:recycle-bin",
    "web:token-list",
]
ADMIN_ONLY = [
    "web:user-list",
    "web:user-create",
    "web:team-create",
    "web:role-list",
    "web:audit-list",
    "web:team-list",
]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("name", SETTINGS_PAGES)
def test_every_settings_page_renders_for_admin_in_both_languages(admin_client, name, language):
    from django.conf import settings

    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = admin_client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'lang="{language}"' in html
    assert ("系统设置" in html) == (language == "zh-hans")


def test_role_and_user_edit_pages_render(admin_client, admin):
    role = Role.objects.get(code="sales")
    assert admin_client.get(reverse("web:role-edit", args=[role.pk])).status_code == 200
    assert admin_client.get(reverse("web:user-edit", args=[admin.pk])).status_code == 200


@pytest.mark.parametrize("name", ADMIN_ONLY)
def test_a_sales_rep_gets_403_on_admin_settings_pages(client, make_web_user, name):
    client.force_login(make_web_user("sales"))
    response = client.get(reverse(name))
    assert response.status_code == 403
    assert "没有权限" in response.content.decode()


def test_a_sales_rep_cannot_edit_users_or_roles(client, make_web_user, admin):
    client.force_login(make_web_user("sales"))
    assert client.get(reverse("web:user-edit", args=[admin.pk])).status_code == 403
    role = Role.objects.get(code="sales")
    assert client.post(reverse("web:role-edit", args=[role.pk]), {}).status_code == 403


def test_a_sales_rep_does_not_see_admin_settings_in_the_sidebar(client, make_web_user):
    client.force_login(make_web_user("sales"))
    html = client.get(reverse("web:home")).content.decode()
    assert reverse("web:user-list") not in html
    assert reverse("web:token-list") in html


def test_user_list_pins_queries(admin_client, make_web_user, django_assert_max_num_queries):
    for _ in range(30):
        make_web_user("sales")
    with django_assert_max_num_queries(12):
        response = admin_client.get(reverse("web:user-list"))
    assert response.status_code == 200
    assert response.context["page"].pages == 2


def test_user_list_search_via_htmx_returns_only_the_table(admin_client, make_web_user):
    make_web_user("sales", username="lina", display_name="李娜")
    make_web_user("sales", username="zhangwei")
    response = admin_client.get(reverse("web:user-list"), {"q": "李娜"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="user-table"')
    assert "<html" not in html and "gx-sidebar" not in html
    assert "lina" in html and "zhangwei" not in html


def test_user_list_filters_by_team(admin_client, make_web_user):
    from guanxi.core.services import team_create

    north = team_create(actor=None, name="North")
    make_web_user("sales", username="in-north", team=north)
    make_web_user("sales", username="elsewhere")
    html = admin_client.get(reverse("web:user-list"), {"team": north.pk}).content.decode()
    assert "in-north" in html and "elsewhere" not in html


def test_htmx_permission_error_is_an_error_partial_retargeted_to_messages(client, make_web_user):
    client.force_login(make_web_user("sales"))
    response = client.get(reverse("web:user-list"), HTTP_HX_REQUEST="true")
    assert response.status_code == 403
    assert response["HX-Retarget"] == "#messages"
    html = response.content.decode()
    assert "<html" not in html
    assert "您没有执行此操作的权限。" in html


def test_creating_a_user(admin_client):
    sales = Role.objects.get(code="sales")
    response = admin_client.post(
        reverse("web:user-create"),
        {
            "username": "newbie",
            "password": "a-Long-enough-pw-42",
            "role": sales.pk,
            "display_name": "新人",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="newbie").role == sales


def test_creating_a_user_shows_service_errors_on_their_fields(admin_client, admin):
    sales = Role.objects.get(code="sales")
    response = admin_client.post(
        reverse("web:user-create"),
        {"username": admin.username, "password": "a-Long-enough-pw-42", "role": sales.pk},
    )
    assert response.status_code == 409
    assert response.context["form"].errors["username"] == ["该用户名已被占用。"]
    html = response.content.decode()
    assert "is-invalid" in html and "该用户名已被占用。" in html


def test_creating_a_user_with_missing_fields_shows_per_field_errors(admin_client):
    response = admin_client.post(reverse("web:user-create"), {"username": ""})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "username" in errors and "password" in errors and "role" in errors


def _edit_data(user, **overrides):
    data = {
        "display_name": user.display_name,
        "email": user.email,
        "phone": user.phone,
        "role": user.role_id,
        "team": user.team_id or "",
        "manager": user.manager_id or "",
        "language": user.language,
        "is_active": "on" if user.is_active else "",
        "version": user.version,
    }
    data.update(overrides)
    return data


def test_editing_a_user_saves_and_bumps_the_version(admin_client, make_web_user):
    user = make_web_user("sales")
    manager = Role.objects.get(code="manager")
    response = admin_client.post(
        reverse("web:user-edit", args=[user.pk]),
        _edit_data(user, display_name="改名", role=manager.pk),
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.display_name, user.role, user.version) == ("改名", manager, 2)


def test_editing_with_a_stale_version_shows_the_conflict_and_changes_nothing(
    admin_client, admin, make_web_user
):
    from guanxi.core.services import user_update

    user = make_web_user("sales", display_name="原名")
    stale = _edit_data(user, display_name="我的修改")
    user_update(actor=admin, user=user, changes={"phone": "13800000000"}, expected_version=1)

    response = admin_client.post(reverse("web:user-edit", args=[user.pk]), stale)

    assert response.status_code == 412
    html = response.content.decode()
    assert "已被他人修改" in html
    assert 'value="我的修改"' in html  # the user's input is kept
    assert 'name="version" value="2"' in html  # saving again overwrites deliberately
    user.refresh_from_db()
    assert (user.display_name, user.phone, user.version) == ("原名", "13800000000", 2)


def test_an_admin_cannot_change_their_own_role(admin_client, admin):
    sales = Role.objects.get(code="sales")
    response = admin_client.post(
        reverse("web:user-edit", args=[admin.pk]), _edit_data(admin, role=sales.pk)
    )
    assert response.status_code == 422
    assert response.context["form"].errors["role"]
    admin.refresh_from_db()
    assert admin.role.code == "admin"


def test_team_create_edit_delete(admin_client):
    response = admin_client.post(reverse("web:team-create"), {"name": "客服中心"})
    assert response.status_code == 302
    team = Team.objects.get(name="客服中心")
    response = admin_client.post(
        reverse("web:team-edit", args=[team.pk]),
        {"name": "客服一部", "description": "", "lead": "", "version": team.version},
    )
    assert response.status_code == 302
    team.refresh_from_db()
    assert team.name == "客服一部"
    response = admin_client.post(
        reverse("web:team-delete", args=[team.pk]), {"version": team.version}
    )
    assert response.status_code == 302
    assert not Team.objects.filter(pk=team.pk).exists()


def test_a_duplicate_team_name_is_shown_on_the_name_field(admin_client):
    from guanxi.core.services import team_create

    team_create(actor=None, name="North")
    response = admin_client.post(reverse("web:team-create"), {"name": "north"})
    assert response.status_code == 409
    assert response.context["form"].errors["name"]


def test_deleting_a_team_with_members_is_refused_with_a_message(admin_client, make_web_user):
    from guanxi.core.services import team_create

    team = team_create(actor=None, name="Busy")
    make_web_user("sales", team=team)
    response = admin_client.post(
        reverse("web:team-delete", args=[team.pk]), {"version": team.version}, follow=True
    )
    assert Team.objects.filter(pk=team.pk).exists()
    assert "请先将该团队的成员移到其他团队。" in response.content.decode()


def test_team_list_pins_queries(admin_client, django_assert_max_num_queries):
    from guanxi.core.services import team_create

    for i in range(10):
        team_create(actor=None, name=f"T{i}")
    with django_assert_max_num_queries(10):
        assert admin_client.get(reverse("web:team-list")).status_code == 200


def test_role_permission_matrix_saves_checked_boxes(admin_client):
    role = Role.objects.get(code="analyst")
    response = admin_client.post(
        reverse("web:role-edit", args=[role.pk]),
        {"version": role.version, "perm:core.team:view": "1", "perm:core.audit:view": "1"},
    )
    assert response.status_code == 302
    role.refresh_from_db()
    assert role.permissions["core.team"] == ["view"]
    assert role.permissions["core.user"] == []


def test_admin_role_matrix_is_read_only(admin_client):
    role = Role.objects.get(code="admin")
    html = admin_client.get(reverse("web:role-edit", args=[role.pk])).content.decode()
    assert "保存权限" not in html
    assert "disabled" in html
    admin_client.post(reverse("web:role-edit", args=[role.pk]), {"version": role.version})
    role.refresh_from_db()
    assert role.permissions == {}


def test_role_list_pins_queries(admin_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        assert admin_client.get(reverse("web:role-list")).status_code == 200


def test_audit_log_shows_before_and_after_and_filters(admin_client, admin, make_web_user):
    from guanxi.core.services import user_update

    user = make_web_user("sales", display_name="旧名")
    user_update(actor=admin, user=user, changes={"display_name": "新名"}, expected_version=1)
    response = admin_client.get(
        reverse("web:audit-list"), {"object_type": "core.user", "object_id": str(user.pk)}
    )
    html = response.content.decode()
    assert "旧名" in html and "新名" in html
    assert "显示名称" in html  # field shown by its label
    assert "bi-arrow-right" in html


def test_audit_log_htmx_returns_the_table_only(admin_client):
    response = admin_client.get(reverse("web:audit-list"), HTTP_HX_REQUEST="true")
    assert response.content.decode().lstrip().startswith('<div id="audit-table"')


def test_audit_log_pins_queries(admin_client, make_web_user, django_assert_max_num_queries):
    for _ in range(15):
        make_web_user("sales")
    with django_assert_max_num_queries(12):
        assert admin_client.get(reverse("web:audit-list")).status_code == 200


def test_recycle_bin_lists_and_restores_a_deleted_record(admin_client, admin):
    from guanxi.core.records import record_create, record_soft_delete
    from guanxi.customers.models import Account

    account = record_create(actor=admin, model=Account, data={"name": "上海某某贸易有限公司"})
    record_soft_delete(actor=admin, obj=account, expected_version=None)
    html = admin_client.get(reverse("web:recycle-bin")).content.decode()
    assert str(account) in html
    response = admin_client.post(
        reverse("web:recycle-restore"), {"model": "customers.account", "pk": account.pk}
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.deleted_at is None


def test_recycle_bin_pins_queries(admin_client, django_assert_max_num_queries):
    from guanxi.core.records import soft_deletable_models

    # The recycle bin reads one query per soft-deletable model, plus the page's own.
    with django_assert_max_num_queries(8 + len(soft_deletable_models())):
        assert admin_client.get(reverse("web:recycle-bin")).status_code == 200


def test_creating_a_token_shows_it_once_and_revoking_it(admin_client, admin):
    response = admin_client.post(reverse("web:token-create"), {"name": "脚本"})
    assert response.status_code == 200
    raw = response.context["raw_token"]
    assert raw.startswith("gx_") and raw in response.content.decode()
    assert raw not in admin_client.get(reverse("web:token-list")).content.decode()
    token = ApiToken.objects.get(user=admin)
    response = admin_client.post(reverse("web:token-revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_token_without_a_name_shows_a_field_error(admin_client):
    response = admin_client.post(reverse("web:token-create"), {"name": ""})
    assert response.status_code == 400
    assert response.context["form"].errors["name"]


def test_nobody_revokes_someone_elses_token(client, admin, make_web_user):
    from guanxi.core.services import token_create

    token, _raw = token_create(actor=admin, name="admin's")
    client.force_login(make_web_user("sales"))
    assert client.post(reverse("web:token-revoke", args=[token.pk])).status_code == 404


def test_token_list_pins_queries(admin_client, admin, django_assert_max_num_queries):
    from guanxi.core.services import token_create

    for i in range(5):
        token_create(actor=admin, name=f"t{i}")
    with django_assert_max_num_queries(8):
        assert admin_client.get(reverse("web:token-list")).status_code == 200
