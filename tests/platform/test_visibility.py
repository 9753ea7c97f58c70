"""Record visibility: who sees what, through every API endpoint that takes an id."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from config.api import api as ninja_api
from guanxi.core.models import ApiToken, AuditEntry, Notification
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


def _account_record(org: dict[str, Any]) -> dict[str, Any]:
    account = account_create(actor=org["rep_east"], name="东区客户")
    return {"record_type": "customers.account", "record_id": account.pk}


def _token(org: dict[str, Any]) -> dict[str, Any]:
    from guanxi.core.services import token_create

    return {"token_id": token_create(actor=org["rep_east"], name="east")[0].pk}


def _notification(org: dict[str, Any]) -> dict[str, Any]:
    from guanxi.core.services import notify

    note = notify(recipient=org["rep_east"], kind="test", title="东区提醒", email=False)
    return {"notification_id": note.pk}


def _team(org: dict[str, Any]) -> dict[str, Any]:
    return {"team_id": org["east"].pk}


def _user(org: dict[str, Any]) -> dict[str, Any]:
    return {"user_id": org["rep_east"].pk}


def _score_run(org: dict[str, Any]) -> dict[str, Any]:
    from guanxi.analytics.services import analytics_refresh

    return {"run_id": analytics_refresh(actor=None).pk}


def _role(org: dict[str, Any]) -> dict[str, Any]:
    return {"role_id": org["rep_east"].role_id}


def _sales_lead(org: dict[str, Any]) -> dict[str, Any]:
    from guanxi.sales.services import lead_create

    return {"lead_id": lead_create(actor=org["rep_east"], name="东区线索", company="东区").pk}


def _sales_account_and_product(org: dict[str, Any]) -> tuple[Any, Any]:
    from decimal import Decimal

    from guanxi.sales.services import product_create

    account = account_create(actor=org["rep_east"], name="东区销售客户")
    product = product_create(
        actor=None, sku=f"VIS-{account.pk}", name_zh="测试产品", list_price=Decimal("10")
    )
    return account, product


def _sales_opportunity(org: dict[str, Any]) -> dict[str, Any]:
    from guanxi.sales.services import opportunity_create

    account = account_create(actor=org["rep_east"], name="东区商机客户")
    opp = opportunity_create(actor=org["rep_east"], account=account, name="东区商机")
    return {"opportunity_id": opp.pk}


def _sales_product(org: dict[str, Any]) -> dict[str, Any]:
    return {"product_id": _sales_account_and_product(org)[1].pk}


def _sales_price_list(org: dict[str, Any]) -> dict[str, Any]:
    from guanxi.sales.services import price_list_create

    return {"price_list_id": price_list_create(actor=None, code="vip-vis", name="VIP").pk}


def _sales_quote(org: dict[str, Any]) -> dict[str, Any]:
    from decimal import Decimal

    from guanxi.sales.services import LineInput, quote_create

    account, product = _sales_account_and_product(org)
    quote = quote_create(
        actor=org["rep_east"], account=account, lines=[LineInput(product.pk, Decimal("1"))]
    )
    return {"quote_id": quote.pk}


def _sales_order(org: dict[str, Any]) -> dict[str, Any]:
    from decimal import Decimal

    from guanxi.sales.services import LineInput, order_create

    account, product = _sales_account_and_product(org)
    order = order_create(
        actor=org["rep_east"], account=account, lines=[LineInput(product.pk, Decimal("1"))]
    )
    return {"order_id": order.pk}


def _sales_contract(org: dict[str, Any]) -> dict[str, Any]:
    import datetime as dt
    from decimal import Decimal

    from guanxi.sales.services import contract_create

    account = account_create(actor=org["rep_east"], name="东区合同客户")
    contract = contract_create(
        actor=org["rep_east"],
        account=account,
        title="年度框架合同",
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 12, 31),
        value=Decimal("100000"),
    )
    return {"contract_id": contract.pk}


def _sales_target(org: dict[str, Any]) -> dict[str, Any]:
    import datetime as dt
    from decimal import Decimal

    from guanxi.sales.services import target_set

    target = target_set(
        actor=org["lead"],
        period_kind="month",
        period_start_on=dt.date(2026, 11, 1),
        amount=Decimal("50000"),
        rep=org["rep_east"],
    )
    return {"target_id": target.pk}


def _sales_pipeline(org: dict[str, Any]) -> dict[str, Any]:
    from guanxi.sales.services import pipeline_create

    pipeline = pipeline_create(actor=None, name=f"东区流程{org['east'].pk}")
    return {"pipeline_id": pipeline.pk, "stage_id": pipeline.stages.order_by("position")[0].pk}


def _sales_price(org: dict[str, Any]) -> dict[str, Any]:
    from decimal import Decimal

    from guanxi.sales.models import PriceList
    from guanxi.sales.services import price_list_set_prices

    made = _sales_price_list(org)
    product = _sales_account_and_product(org)[1]
    price_list_set_prices(
        actor=None,
        price_list=PriceList.objects.get(pk=made["price_list_id"]),
        prices={product.pk: Decimal("8")},
    )
    return made | {"product_id": product.pk}


ID_ENDPOINTS: dict[str, tuple[Maker, int]] = {
    "/api/v1/sales/leads/{lead_id}": (_sales_lead, 404),
    "/api/v1/sales/leads/{lead_id}/claim": (_sales_lead, 404),
    "/api/v1/sales/leads/{lead_id}/release": (_sales_lead, 404),
    "/api/v1/sales/leads/{lead_id}/interactions": (_sales_lead, 404),
    "/api/v1/sales/leads/{lead_id}/convert": (_sales_lead, 404),
    "/api/v1/sales/opportunities/{opportunity_id}": (_sales_opportunity, 404),
    "/api/v1/sales/opportunities/{opportunity_id}/move": (_sales_opportunity, 404),
    "/api/v1/sales/opportunities/{opportunity_id}/win": (_sales_opportunity, 404),
    "/api/v1/sales/opportunities/{opportunity_id}/lose": (_sales_opportunity, 404),
    "/api/v1/sales/opportunities/{opportunity_id}/history": (_sales_opportunity, 404),
    "/api/v1/sales/opportunities/{opportunity_id}/lines": (_sales_opportunity, 404),
    "/api/v1/sales/pipelines/{pipeline_id}": (_sales_pipeline, 403),
    "/api/v1/sales/pipelines/{pipeline_id}/stages": (_sales_pipeline, 403),
    "/api/v1/sales/pipelines/{pipeline_id}/stages/{stage_id}": (_sales_pipeline, 403),
    "/api/v1/sales/pipelines/{pipeline_id}/stage-order": (_sales_pipeline, 403),
    "/api/v1/sales/products/{product_id}": (_sales_product, 403),
    "/api/v1/sales/price-lists/{price_list_id}": (_sales_price_list, 403),
    "/api/v1/sales/price-lists/{price_list_id}/prices": (_sales_price_list, 403),
    "/api/v1/sales/price-lists/{price_list_id}/prices/{product_id}": (_sales_price, 403),
    "/api/v1/sales/quotes/{quote_id}": (_sales_quote, 404),
    "/api/v1/sales/quotes/{quote_id}/status": (_sales_quote, 404),
    "/api/v1/sales/quotes/{quote_id}/convert": (_sales_quote, 404),
    "/api/v1/sales/orders/{order_id}": (_sales_order, 404),
    "/api/v1/sales/orders/{order_id}/payments": (_sales_order, 404),
    "/api/v1/sales/orders/{order_id}/status": (_sales_order, 404),
    "/api/v1/sales/orders/{order_id}/cancel": (_sales_order, 404),
    "/api/v1/sales/orders/{order_id}/returns": (_sales_order, 404),
    "/api/v1/sales/contracts/{contract_id}": (_sales_contract, 404),
    "/api/v1/sales/targets/{target_id}": (_sales_target, 404),
    "/api/v1/customers/accounts/{account_id}": (_account, 404),
    "/api/v1/recycle-bin/{record_type}/{record_id}/restore": (_deleted_account, 404),
    "/api/v1/tokens/{token_id}": (_token, 404),
    "/api/v1/notifications/{notification_id}/read": (_notification, 404),
    "/api/v1/records/{record_type}/{record_id}/history": (_account_record, 404),
    "/api/v1/teams/{team_id}": (_team, 403),
    "/api/v1/users/{user_id}": (_user, 403),
    "/api/v1/roles/{role_id}": (_role, 403),
    "/api/v1/analytics/runs/{run_id}": (_score_run, 403),
}


# --- customers (issue 3) ---
def _east_account(org: dict[str, Any]) -> Account:
    return account_create(actor=org["rep_east"], name="东区客户", email="east@example.cn")


def _customer_deleted(org: dict[str, Any]) -> dict[str, Any]:
    return _deleted_account(org) | {"account_id": _deleted_account(org)["record_id"]}


def _customer_contact(org: dict[str, Any]) -> dict[str, Any]:
    from guanxi.customers.services import contact_create

    contact = contact_create(actor=org["rep_east"], account=_east_account(org), name="联系人")
    return {"contact_id": contact.pk, "account_id": contact.account_id}


def _customer_deleted_contact(org: dict[str, Any]) -> dict[str, Any]:
    from guanxi.customers.models import Contact
    from guanxi.customers.services import contact_delete

    made = _customer_contact(org)
    contact = Contact.objects.get(pk=made["contact_id"])
    contact_delete(actor=org["rep_east"], contact=contact, expected_version=None)
    return made


def _customer_task(org: dict[str, Any]) -> dict[str, Any]:
    import datetime as dt

    from django.utils import timezone

    from guanxi.customers.services import activity_create

    task = activity_create(
        actor=org["rep_east"],
        account=_east_account(org),
        kind="task",
        subject="回访",
        due_at=timezone.now() + dt.timedelta(days=1),
    )
    return {"activity_id": task.pk}


def _customer_import(org: dict[str, Any]) -> dict[str, Any]:
    from guanxi.customers.services.imports import import_create

    job = import_create(
        actor=org["rep_east"], entity="account", filename="a.csv", content="name\n甲\n".encode()
    )
    return {"import_id": job.pk}


def _customer_saved_view(org: dict[str, Any]) -> dict[str, Any]:
    from guanxi.customers.services.lists import saved_view_create

    view = saved_view_create(actor=org["rep_east"], entity="account", name="东区", filters={})
    return {"view_id": view.pk}


def _customer_pair(org: dict[str, Any]) -> dict[str, Any]:
    return {"account_id": _east_account(org).pk}


ID_ENDPOINTS.update(
    {
        "/api/v1/customers/accounts/{account_id}/restore": (_customer_deleted, 404),
        "/api/v1/customers/{account_id}/360": (_account, 404),
        "/api/v1/customers/accounts/{account_id}/timeline": (_account, 404),
        "/api/v1/customers/accounts/{account_id}/stage": (_account, 404),
        "/api/v1/customers/accounts/{account_id}/stage-history": (_account, 404),
        "/api/v1/customers/accounts/{account_id}/duplicates": (_account, 404),
        "/api/v1/customers/accounts/{account_id}/merge-preview": (_customer_pair, 404),
        "/api/v1/customers/accounts/{account_id}/merge": (_customer_pair, 404),
        "/api/v1/customers/accounts/{account_id}/contacts": (_account, 404),
        "/api/v1/customers/accounts/{account_id}/activities": (_account, 404),
        "/api/v1/customers/contacts/{contact_id}": (_customer_contact, 404),
        "/api/v1/customers/contacts/{contact_id}/restore": (_customer_deleted_contact, 404),
        "/api/v1/customers/contacts/{contact_id}/vcard": (_customer_contact, 404),
        "/api/v1/customers/activities/{activity_id}": (_customer_task, 404),
        "/api/v1/customers/activities/{activity_id}/complete": (_customer_task, 404),
        "/api/v1/customers/saved-views/{view_id}": (_customer_saved_view, 404),
        "/api/v1/customers/imports/{import_id}": (_customer_import, 404),
        "/api/v1/customers/imports/{import_id}/mapping": (_customer_import, 404),
        "/api/v1/customers/imports/{import_id}/preview": (_customer_import, 404),
        "/api/v1/customers/imports/{import_id}/start": (_customer_import, 404),
        "/api/v1/customers/imports/{import_id}/errors.csv": (_customer_import, 404),
    }
)
# --- end customers ---


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
        list(Notification.objects.order_by("pk").values_list("pk", "read_at")),
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


# Personal credentials are the user's own, not company records: a read-only user may keep
# API tokens to read through scripts. Likewise one's own notifications (marking them read is
# a personal receipt, not a change to company records) and one's own preferences.
READ_ONLY_MAY = {
    ("/api/v1/tokens", "post"),
    ("/api/v1/tokens/{token_id}", "delete"),
    ("/api/v1/notifications/{notification_id}/read", "post"),
    ("/api/v1/notifications/read-all", "post"),
    ("/api/v1/me", "patch"),
}


def _unsafe_operations() -> list[tuple[str, str]]:
    schema = ninja_api.get_openapi_schema()
    return sorted(
        (path, method)
        for path, methods in schema["paths"].items()
        for method in methods
        if method in {"post", "patch", "put", "delete"} and (path, method) not in READ_ONLY_MAY
    )


def _row_counts() -> dict[str, int]:
    from django.apps import apps

    return {
        m._meta.label: m._base_manager.count()
        for m in apps.get_models()
        if m._meta.app_label in {"core", "customers", "sales", "analytics"}
        and m._meta.label not in {"core.IdempotencyRecord", "core.ApiToken", "core.LoginAttempt"}
    }


@pytest.mark.parametrize(("path", "method"), _unsafe_operations())
def test_a_read_only_user_cannot_write_through_any_endpoint(org, api_as, path, method):
    """The reader sits in the record owner's team, so records are visible but not writable."""
    url = path.removeprefix("/api/v1")
    if "{" in path:
        maker, _expected = ID_ENDPOINTS[path]
        for name, value in maker(org).items():
            url = url.replace("{" + name + "}", str(value))
    reader = api_as(org["reader"])
    before = _row_counts()
    call = getattr(reader, method)
    response = (
        call(url, {}, **{"If-Match": "*"}) if method != "delete" else call(url, **{"If-Match": "*"})
    )
    assert response.status_code in {403, 404, 422}, (path, method, response.content)
    assert _row_counts() == before


def test_a_read_only_user_may_read_their_own_notifications_and_set_preferences(org, api_as):
    from guanxi.core.services import notify

    note = notify(recipient=org["reader"], kind="test", title="只读用户的提醒", email=False)
    reader = api_as(org["reader"])
    assert reader.post(f"/notifications/{note.pk}/read").status_code == 200
    note.refresh_from_db()
    assert note.read_at is not None
    assert reader.post("/notifications/read-all").json() == {"marked": 0, "unread_count": 0}
    changed = reader.patch("/me", {"email_notifications": False}, **{"If-Match": "*"})
    assert changed.status_code == 200 and changed.json()["email_notifications"] is False


def test_analysts_get_pseudonymised_contacts_through_the_api(org, api_as):
    from guanxi.customers.services import contact_create

    account = account_create(actor=org["rep_east"], name="联系人公司")
    contact_create(
        actor=org["rep_east"],
        account=account,
        name="李雷",
        email="lilei@example.cn",
        mobile="13800138000",
    )
    item = api_as(org["analyst"]).get("/customers/contacts").json()["items"][0]
    assert item["name"].startswith("name-")
    assert "@" not in item["email"] and "138" not in item["mobile"]
    own = api_as(org["rep_east"]).get("/customers/contacts").json()["items"][0]
    assert (own["name"], own["email"]) == ("李雷", "lilei@example.cn")
