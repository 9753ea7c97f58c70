"""Record visibility: who sees what, through every API endpoint that takes an id."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from config.api import api as ninja_api
from guanxi.core.models import ApiToken, AuditEntry
from guanxi.core.visibility import visible
from guanxi.customers.models import Account
from guanxi.customers.services import account_create


@pytest.fixture
def org(make_user, make_team):
    """Two teams under one manager chain, an admin, an analyst and a read-only user."""
    east, west = make_team("华东"), make_team("华西")
    boss = make_user("manager", team=None)
    lead = make_user("manager", team=east, manager=boss)
    rep_east = make_user("sales", team=east, manager=lead)
    rep_east2 = make_user("sales", team=east, manager=lead)
    rep_west = make_user("sales", team=west)
    return {
        "east": east,
        "west": west,
        "boss": boss,
        "lead": lead,
        "rep_east": rep_east,
        "rep_east2": rep_east2,
        "rep_west": rep_west,
        "admin": make_user("admin", team=None),
        "analyst": make_user("analyst", team=None),
        "reader": make_user("read_only", team=east),
    }


def test_reps_see_their_own_and_their_teams_records_only(org):
    mine = account_create(actor=org["rep_east"], name="自己的")
    teammates = account_create(actor=org["rep_east2"], name="同事的")
    other = account_create(actor=org["rep_west"], name="别队的")
    seen = set(visible(org["rep_east"], Account).values_list("pk", flat=True))
    assert seen == {mine.pk, teammates.pk}
    assert other.pk not in seen


def test_managers_see_down_their_hierarchy(org):
    a = account_create(actor=org["rep_east"], name="A")
    b = account_create(actor=org["rep_west"], name="B")
    assert set(visible(org["boss"], Account).values_list("pk", flat=True)) == {a.pk}
    assert set(visible(org["lead"], Account).values_list("pk", flat=True)) == {a.pk}
    assert b.pk not in set(visible(org["lead"], Account).values_list("pk", flat=True))


def test_admins_and_analysts_see_everything(org):
    a = account_create(actor=org["rep_east"], name="A")
    b = account_create(actor=org["rep_west"], name="B")
    for who in ("admin", "analyst"):
        assert set(visible(org[who], Account).values_list("pk", flat=True)) == {a.pk, b.pk}


def test_analysts_get_pseudonymised_personal_data(org, api_as):
    account_create(
        actor=org["rep_east"], name="王小明", email="xm@example.cn", mobile="+8613800138000"
    )
    item = api_as(org["analyst"]).get("/customers/accounts").json()["items"][0]
    assert item["name"] != "王小明" and item["name"].startswith("name-")
    assert "@" not in item["email"] and "138" not in item["mobile"]
    own = api_as(org["rep_east"]).get("/customers/accounts").json()["items"][0]
    assert own["name"] == "王小明"


def test_read_only_users_cannot_write_anything(org, api_as):
    account = account_create(actor=org["rep_east"], name="只读测试")
    api = api_as(org["reader"])
    assert api.get(f"/customers/accounts/{account.pk}").status_code == 200
    etag = f'"{account.pk}-1"'
    assert api.post("/customers/accounts", {"name": "新"}).status_code == 403
    assert (
        api.patch(
            f"/customers/accounts/{account.pk}", {"name": "改"}, **{"If-Match": etag}
        ).status_code
        == 403
    )
    assert api.delete(f"/customers/accounts/{account.pk}", **{"If-Match": etag}).status_code == 403
    assert api.post("/teams", {"name": "新团队"}).status_code == 403
    assert (
        api.post("/users", {"username": "x", "password": "x", "role": "admin"}).status_code == 403
    )
    account.refresh_from_db()
    assert (account.name, account.version, account.deleted_at) == ("只读测试", 1, None)
    assert not Account.objects.filter(name="新").exists()


def test_read_only_cannot_be_granted_writes_by_a_role_edit(org, roles):
    from guanxi.core.permissions import has_perm
    from guanxi.core.services import role_update_permissions

    role_update_permissions(
        actor=org["admin"],
        role=roles["read_only"],
        permissions={"customers.account": ["view", "create", "change", "delete"]},
        expected_version=None,
    )
    org["reader"].role.refresh_from_db()
    assert has_perm(org["reader"], "customers.account", "view")
    assert not has_perm(org["reader"], "customers.account", "create")


# Every API operation with a path parameter must appear here: how to make the record it
# addresses, and what a stranger (another team, or a non-admin for admin resources) gets.
Maker = Callable[[dict[str, Any]], dict[str, Any]]


def _account(org: dict[str, Any]) -> dict[str, Any]:
    return {"account_id": account_create(actor=org["rep_east"], name="东区客户").pk}


def _deleted_account(org: dict[str, Any]) -> dict[str, Any]:
    from guanxi.customers.services import account_delete

    account = account_create(actor=org["rep_east"], name="已删除")
    account_delete(actor=org["rep_east"], account=account, expected_version=account.version)
    return {"record_type": "customers.account", "record_id": account.pk}


def _token(org: dict[str, Any]) -> dict[str, Any]:
    from guanxi.core.services import token_create

    return {"token_id": token_create(actor=org["rep_east"], name="east")[0].pk}


def _team(org: dict[str, Any]) -> dict[str, Any]:
    return {"team_id": org["east"].pk}


def _user(org: dict[str, Any]) -> dict[str, Any]:
    return {"user_id": org["rep_east"].pk}


def _role(org: dict[str, Any]) -> dict[str, Any]:
    return {"role_id": org["rep_east"].role_id}


ID_ENDPOINTS: dict[str, tuple[Maker, int]] = {
    "/api/v1/customers/accounts/{account_id}": (_account, 404),
    "/api/v1/recycle-bin/{record_type}/{record_id}/restore": (_deleted_account, 404),
    "/api/v1/tokens/{token_id}": (_token, 404),
    "/api/v1/teams/{team_id}": (_team, 403),
    "/api/v1/users/{user_id}": (_user, 403),
    "/api/v1/roles/{role_id}": (_role, 403),
}


def _operations() -> list[tuple[str, str]]:
    schema = ninja_api.get_openapi_schema()
    ops: list[tuple[str, str]] = []
    for path, methods in schema["paths"].items():
        if "{" in path:
            ops.extend((path, m) for m in methods if m in {"get", "post", "patch", "put", "delete"})
    return sorted(ops)


def test_every_api_operation_with_an_id_is_covered_by_the_stranger_test():
    missing = {path for path, _m in _operations() if path not in ID_ENDPOINTS}
    assert not missing, f"add these to ID_ENDPOINTS: {sorted(missing)}"


def _snapshot() -> tuple[Any, ...]:
    return (
        list(Account.all_objects.order_by("pk").values_list("pk", "name", "version", "deleted_at")),
        list(ApiToken.objects.order_by("pk").values_list("pk", "revoked_at")),
        AuditEntry.objects.count(),
    )


@pytest.mark.parametrize(("path", "method"), _operations())
def test_a_stranger_gets_404_or_403_and_the_record_is_unchanged(org, api_as, path, method):
    maker, expected = ID_ENDPOINTS[path]
    params = maker(org)
    url = path.removeprefix("/api/v1")
    for name, value in params.items():
        url = url.replace("{" + name + "}", str(value))
    assert not re.search(r"\{\w+\}", url)
    stranger = api_as(org["rep_west"])
    before = _snapshot()
    headers = {"If-Match": "*"}
    body = {"name": "hijacked", "notes": "hijacked", "permissions": {}}
    call = getattr(stranger, method)
    response = (
        call(url, body, **headers) if method in {"post", "patch", "put"} else call(url, **headers)
    )
    assert response.status_code == expected, (path, method, response.content)
    assert _snapshot() == before
