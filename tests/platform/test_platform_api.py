"""Users, teams, roles, tokens and the audit trail through the API."""

from __future__ import annotations

import hashlib

import pytest

from guanxi.core.models import ApiToken, AuditEntry, Team, User


@pytest.fixture
def admin(make_user):
    return make_user("admin", team=None)


def test_tokens_are_stored_hashed_and_work_until_revoked(make_user, api_as):
    rep = make_user("sales")
    api = api_as(rep)
    created = api.post("/tokens", {"name": "脚本"})
    assert created.status_code == 201
    raw = created.json()["token"]
    stored = ApiToken.objects.get(pk=created.json()["id"])
    assert stored.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {stored.digest, stored.prefix, stored.name}
    from django.test import Client

    script = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert script.get("/api/v1/me").json()["username"] == rep.username
    assert api.delete(f"/tokens/{stored.pk}").status_code == 204
    assert script.get("/api/v1/me").status_code == 401


def test_requests_without_credentials_or_with_a_bad_token_are_401(db):
    from django.test import Client

    assert Client().get("/api/v1/me").status_code == 401
    bad = Client(HTTP_AUTHORIZATION="Bearer gx_nope").get("/api/v1/me")
    assert bad.status_code == 401
    assert bad.json()["error"]["code"] == "unauthenticated"


def test_session_api_calls_need_the_csrf_token_for_writes(make_user):
    from django.test import Client

    user = make_user("sales")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.get("/api/v1/me").status_code == 200
    refused = client.post(
        "/api/v1/customers/accounts", data={"name": "x"}, content_type="application/json"
    )
    assert refused.status_code == 403
    from django.middleware.csrf import _get_new_csrf_string

    secret = _get_new_csrf_string()
    client.cookies["csrftoken"] = secret
    ok = client.post(
        "/api/v1/customers/accounts",
        data={"name": "x"},
        content_type="application/json",
        headers={"X-CSRFToken": secret},
    )
    assert ok.status_code == 201, ok.content


def test_admin_manages_users_and_every_write_is_audited(admin, api_as, roles, make_team):
    api = api_as(admin)
    team = make_team("售后一组")
    created = api.post(
        "/users",
        {
            "username": "zhangsan",
            "password": "Guanxi-2026-pw!",
            "role": "service",
            "team_id": team.pk,
            "display_name": "张三",
        },
    )
    assert created.status_code == 201, created.content
    user_id = created.json()["id"]
    assert User.objects.get(pk=user_id).password.startswith(("argon2", "md5"))
    changed = api.patch(f"/users/{user_id}", {"role": "sales"}, **{"If-Match": created["ETag"]})
    assert changed.status_code == 200 and changed.json()["role"] == "sales"
    entries = AuditEntry.objects.filter(object_type="core.user", object_id=str(user_id)).order_by(
        "id"
    )
    assert [e.action for e in entries] == ["create", "update"]
    assert entries[1].changes["role"] == [roles["service"].pk, roles["sales"].pk]
    assert entries[1].actor == admin
    assert "password" not in entries[0].changes


def test_weak_passwords_and_taken_usernames_are_refused_per_field(admin, api_as):
    api = api_as(admin)
    weak = api.post("/users", {"username": "lisi", "password": "123", "role": "sales"})
    assert weak.status_code == 422 and "password" in weak.json()["error"]["fields"]
    api.post("/users", {"username": "wangwu", "password": "Guanxi-2026-pw!", "role": "sales"})
    taken = api.post(
        "/users", {"username": "WANGWU", "password": "Guanxi-2026-pw!", "role": "sales"}
    )
    assert taken.status_code == 409 and "username" in taken.json()["error"]["fields"]
    unknown_role = api.post(
        "/users", {"username": "zhaoliu", "password": "Guanxi-2026-pw!", "role": "boss"}
    )
    assert unknown_role.status_code == 422


def test_a_manager_cycle_is_refused(admin, make_user, api_as):
    top = make_user("manager")
    below = make_user("sales", manager=top)
    api = api_as(admin)
    response = api.patch(f"/users/{top.pk}", {"manager_id": below.pk}, **{"If-Match": "*"})
    assert response.status_code == 422
    top.refresh_from_db()
    assert top.manager is None


def test_admin_cannot_demote_themselves(admin, api_as):
    response = api_as(admin).patch(f"/users/{admin.pk}", {"role": "sales"}, **{"If-Match": "*"})
    assert response.status_code == 422
    admin.refresh_from_db()
    assert admin.role_code == "admin"


def test_teams_crud_with_if_match_and_a_team_with_members_cannot_be_deleted(
    admin, api_as, make_user
):
    api = api_as(admin)
    created = api.post("/teams", {"name": "华南大客户部"})
    team_id = created.json()["id"]
    renamed = api.patch(
        f"/teams/{team_id}", {"name": "华南大客户一部"}, **{"If-Match": created["ETag"]}
    )
    assert renamed.status_code == 200
    assert api.post("/teams", {"name": "华南大客户一部"}).status_code == 409
    make_user("sales", team=Team.objects.get(pk=team_id))
    assert api.delete(f"/teams/{team_id}", **{"If-Match": renamed["ETag"]}).status_code == 409
    assert Team.objects.filter(pk=team_id).exists()


def test_role_permissions_can_be_edited_but_not_for_admin(admin, api_as, roles):
    api = api_as(admin)
    role = api.get(f"/roles/{roles['marketing'].pk}")
    edited = api.patch(
        f"/roles/{roles['marketing'].pk}",
        {"permissions": {"customers.account": ["view", "export", "change"]}},
        **{"If-Match": role["ETag"]},
    )
    assert edited.status_code == 200
    assert edited.json()["permissions"]["customers.account"] == ["change", "export", "view"]
    bad = api.patch(
        f"/roles/{roles['marketing'].pk}", {"permissions": {"nope": ["view"]}}, **{"If-Match": "*"}
    )
    assert bad.status_code == 422
    admin_edit = api.patch(f"/roles/{roles['admin'].pk}", {"permissions": {}}, **{"If-Match": "*"})
    assert admin_edit.status_code == 422


def test_me_lists_the_actors_permissions(make_user, api_as):
    me = api_as(make_user("read_only")).get("/me").json()
    assert me["role"] == "read_only"
    assert me["permissions"]["customers.account"] == ["view"]


def test_audit_log_is_admin_visible_and_never_editable(admin, make_user, api_as):
    from guanxi.customers.services import account_create

    rep = make_user("sales")
    account = account_create(actor=rep, name="审计客户")
    log = api_as(admin).get("/audit?object_type=customers.account").json()
    assert log["items"][0]["object_id"] == str(account.pk)
    assert log["items"][0]["changes"]["name"] == [None, "审计客户"]
    assert api_as(rep).get("/audit").status_code == 403
    entry = AuditEntry.objects.filter(
        object_type="customers.account", object_id=str(account.pk)
    ).get()
    entry.object_repr = "tampered"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(object_repr="x")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()


def test_every_service_write_writes_an_audit_row_in_the_same_transaction(make_user):
    from django.db import transaction

    from guanxi.customers.services import account_create

    rep = make_user("sales")
    before = AuditEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        account_create(actor=rep, name="回滚")
        raise RuntimeError("boom")
    assert AuditEntry.objects.count() == before  # rolled back together with the record


def test_each_record_shows_its_own_history_to_those_who_may_see_it(make_user, api_as):
    from guanxi.customers.services import account_create, account_update

    rep = make_user("sales")
    account = account_create(actor=rep, name="历史客户")
    account_update(actor=rep, account=account, changes={"notes": "回访"}, expected_version=1)
    history = api_as(rep).get(f"/records/customers.account/{account.pk}/history").json()
    assert [e["action"] for e in history["items"]] == ["update", "create"]
    assert history["items"][0]["changes"]["notes"] == ["", "回访"]
    assert api_as(rep).get(f"/records/no.such/{account.pk}/history").status_code == 404


@pytest.mark.parametrize(
    "path", ["/users", "/teams", "/audit", "/tokens", "/recycle-bin", "/roles"]
)
def test_platform_list_endpoints_have_a_bounded_query_count(
    admin, make_user, api_as, django_assert_max_num_queries, path
):
    from guanxi.customers.services import account_create, account_delete

    api = api_as(admin)
    for _ in range(15):
        user = make_user("sales")
        account = account_create(actor=user, name="批量")
        account_delete(actor=user, account=account, expected_version=1)
    from guanxi.core.records import soft_deletable_models

    # The recycle bin reads each soft-deletable model once; nothing grows with the rows.
    bound = 8 if path != "/recycle-bin" else 4 + len(soft_deletable_models())
    with django_assert_max_num_queries(bound):
        response = api.get(
            path + ("?page_size=100" if path in {"/users", "/teams", "/audit"} else "")
        )
    assert response.status_code == 200


def test_the_customer_page_shows_the_records_own_audit_history(make_user):
    from django.test import Client

    from guanxi.customers.services import account_create, account_update

    rep = make_user("sales")
    account = account_create(actor=rep, name="页面历史客户")
    account_update(actor=rep, account=account, changes={"notes": "已回访"}, expected_version=1)
    client = Client()
    client.force_login(rep)
    page = client.get(f"/customers/{account.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    history = page.split('data-testid="record-history"')[1].split("</ul>")[0]
    assert rep.username in history
    assert "notes" in history
