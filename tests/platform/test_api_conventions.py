"""ETag/If-Match, idempotency keys, soft delete and restore, error mapping — through the API."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from guanxi.core.models import AuditEntry, IdempotencyRecord
from guanxi.customers.models import Account


@pytest.fixture
def rep(make_user):
    return make_user("sales")


@pytest.fixture
def api(rep, api_as):
    return api_as(rep)


def create_account(api, name="杭州西湖茶业有限公司", **extra):
    response = api.post("/customers/accounts", {"name": name, **extra})
    assert response.status_code == 201, response.content
    return response


def test_responses_carry_an_etag_that_follows_the_version(api):
    created = create_account(api)
    body = created.json()
    assert created["ETag"] == f'"{body["id"]}-1"'
    fetched = api.get(f"/customers/accounts/{body['id']}")
    assert fetched["ETag"] == created["ETag"]
    changed = api.patch(
        f"/customers/accounts/{body['id']}", {"notes": "VIP"}, **{"If-Match": created["ETag"]}
    )
    assert changed.status_code == 200
    assert changed["ETag"] == f'"{body["id"]}-2"'
    assert changed.json()["version"] == 2


def test_patch_without_if_match_is_refused_with_428_and_changes_nothing(api):
    body = create_account(api).json()
    response = api.patch(f"/customers/accounts/{body['id']}", {"name": "改名"})
    assert response.status_code == 428
    assert response.json()["error"]["code"] == "precondition_required"
    assert Account.objects.get(pk=body["id"]).name == "杭州西湖茶业有限公司"


def test_delete_without_if_match_is_refused_with_428(api):
    body = create_account(api).json()
    assert api.delete(f"/customers/accounts/{body['id']}").status_code == 428
    assert Account.objects.filter(pk=body["id"]).exists()


def test_two_edits_from_the_same_version_one_wins_one_gets_412(api):
    created = create_account(api)
    account_id = created.json()["id"]
    first = api.patch(
        f"/customers/accounts/{account_id}", {"notes": "first"}, **{"If-Match": created["ETag"]}
    )
    second = api.patch(
        f"/customers/accounts/{account_id}", {"notes": "second"}, **{"If-Match": created["ETag"]}
    )
    assert (first.status_code, second.status_code) == (200, 412)
    assert second.json()["error"]["code"] == "stale_version"
    account = Account.objects.get(pk=account_id)
    assert (account.notes, account.version) == ("first", 2)


@pytest.mark.django_db(transaction=True)
def test_concurrent_edits_never_overwrite_silently(make_user, api_as):
    """Two threads PATCH the same version at once: exactly one 200 and one 412."""
    rep = make_user("sales")
    api = api_as(rep)
    created = create_account(api)
    account_id = created.json()["id"]
    etag = created["ETag"]
    results: list[int] = []
    barrier = threading.Barrier(2)

    def edit(note: str) -> None:
        client = api_as(rep)
        barrier.wait()
        try:
            results.append(
                client.patch(
                    f"/customers/accounts/{account_id}", {"notes": note}, **{"If-Match": etag}
                ).status_code
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200, 412]
    account = Account.objects.get(pk=account_id)
    assert account.version == 2
    assert (
        AuditEntry.objects.filter(
            object_type="customers.account", object_id=str(account_id), action="update"
        ).count()
        == 1
    )


def test_if_match_star_and_weak_etags_are_accepted(api):
    created = create_account(api)
    account_id = created.json()["id"]
    weak = api.patch(
        f"/customers/accounts/{account_id}", {"notes": "w"}, **{"If-Match": "W/" + created["ETag"]}
    )
    assert weak.status_code == 200
    star = api.patch(f"/customers/accounts/{account_id}", {"notes": "s"}, **{"If-Match": "*"})
    assert star.status_code == 200


def test_same_idempotency_key_and_body_replays_the_first_response(api):
    first = api.post("/customers/accounts", {"name": "重试公司"}, **{"Idempotency-Key": "k-1"})
    again = api.post("/customers/accounts", {"name": "重试公司"}, **{"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert again["ETag"] == first["ETag"]
    assert Account.objects.filter(name="重试公司").count() == 1


def test_same_idempotency_key_with_another_body_is_422(api):
    api.post("/customers/accounts", {"name": "甲"}, **{"Idempotency-Key": "k-2"})
    other = api.post("/customers/accounts", {"name": "乙"}, **{"Idempotency-Key": "k-2"})
    assert other.status_code == 422
    assert "Idempotency-Key" in other.json()["error"]["fields"]
    assert not Account.objects.filter(name="乙").exists()


def test_idempotency_keys_are_per_user(make_user, api_as):
    a, b = api_as(make_user("sales")), api_as(make_user("sales"))
    assert (
        a.post("/customers/accounts", {"name": "A"}, **{"Idempotency-Key": "same"}).status_code
        == 201
    )
    assert (
        b.post("/customers/accounts", {"name": "B"}, **{"Idempotency-Key": "same"}).status_code
        == 201
    )
    assert Account.objects.filter(name__in=["A", "B"]).count() == 2


def test_a_failed_request_under_a_key_is_replayed_as_failed_and_writes_nothing(api):
    bad = api.post("/customers/accounts", {"name": ""}, **{"Idempotency-Key": "k-3"})
    assert bad.status_code == 422
    assert IdempotencyRecord.objects.get(key="k-3").status_code == 422
    assert Account.objects.count() == 0


def test_soft_delete_moves_to_recycle_bin_and_restore_brings_it_back(api):
    created = create_account(api, name="回收站公司")
    account_id = created.json()["id"]
    assert (
        api.delete(f"/customers/accounts/{account_id}", **{"If-Match": created["ETag"]}).status_code
        == 204
    )
    assert api.get(f"/customers/accounts/{account_id}").status_code == 404
    assert all(a["id"] != account_id for a in api.get("/customers/accounts").json()["items"])
    assert Account.all_objects.filter(pk=account_id, deleted_at__isnull=False).exists()
    binned = api.get("/recycle-bin").json()
    assert {"type": "customers.account", "id": account_id} in [
        {"type": b["type"], "id": b["id"]} for b in binned
    ]
    restored = api.post(f"/recycle-bin/customers.account/{account_id}/restore")
    assert restored.status_code == 200
    assert api.get(f"/customers/accounts/{account_id}").status_code == 200
    actions = list(
        AuditEntry.objects.filter(object_id=str(account_id), object_type="customers.account")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "delete", "restore"]


def test_restoring_a_record_that_is_not_deleted_is_404(api):
    account_id = create_account(api).json()["id"]
    assert api.post(f"/recycle-bin/customers.account/{account_id}/restore").status_code == 404


def test_stale_delete_is_412_and_keeps_the_record(api):
    created = create_account(api)
    account_id = created.json()["id"]
    api.patch(f"/customers/accounts/{account_id}", {"notes": "x"}, **{"If-Match": created["ETag"]})
    assert (
        api.delete(f"/customers/accounts/{account_id}", **{"If-Match": created["ETag"]}).status_code
        == 412
    )
    assert Account.objects.filter(pk=account_id).exists()


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/customers/accounts/not-a-number", None),
        ("get", "/customers/accounts/999999", None),
        ("get", "/customers/accounts?page=0", None),
        ("get", "/customers/accounts?page_size=100000", None),
        ("get", "/customers/accounts?sort=password", None),
        ("post", "/customers/accounts", {"name": "x" * 500}),
        ("post", "/customers/accounts", {"name": "ok", "email": "not-an-email"}),
        ("post", "/customers/accounts", {"name": "ok", "owner_id": 987654}),
        ("post", "/customers/accounts", {"nam": "typo"}),
        ("post", "/customers/accounts", "not an object"),
        ("patch", "/customers/accounts/999999", {"name": "x"}),
        ("delete", "/customers/accounts/999999", None),
        ("get", "/teams/999999", None),
        ("post", "/recycle-bin/no.such/1/restore", None),
        ("post", "/tokens", {"name": ""}),
        ("delete", "/tokens/999999", None),
    ],
)
def test_expected_errors_are_4xx_with_a_clear_body_never_500(api, method, path, body):
    response = getattr(api, method)(path, body) if body is not None else getattr(api, method)(path)
    assert 400 <= response.status_code < 500, response.content
    error = response.json()["error"]
    assert error["code"] and error["message"]


def test_malformed_json_is_422_not_500(rep):
    from django.test import Client

    from guanxi.core.services import token_create

    _t, raw = token_create(actor=rep, name="t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = client.post(
        "/api/v1/customers/accounts", data="{bad json", content_type="application/json"
    )
    assert response.status_code in (400, 422)
    assert Account.objects.count() == 0


def test_page_size_is_capped_and_pages_are_reported(api):
    for i in range(3):
        create_account(api, name=f"公司{i}")
    page = api.get("/customers/accounts?page=2&page_size=2").json()
    assert (page["count"], page["page"], page["pages"], len(page["items"])) == (3, 2, 2, 1)
    assert api.get("/customers/accounts?page_size=201").status_code == 422


def test_sorting_uses_an_allow_list(api):
    for name in ["乙", "甲", "丙"]:
        create_account(api, name=name)
    names = [a["name"] for a in api.get("/customers/accounts?sort=name").json()["items"]]
    assert names == sorted(names)
    desc = [a["name"] for a in api.get("/customers/accounts?sort=-name").json()["items"]]
    assert desc == sorted(names, reverse=True)


def test_openapi_document_and_docs_are_served(api):
    doc = api.get("/openapi.json")
    assert doc.status_code == 200
    paths = doc.json()["paths"]
    assert "/api/v1/customers/accounts/{account_id}" in paths
    assert api.client.get("/api/v1/docs").status_code == 200


def test_list_endpoint_query_count_is_bounded(api, django_assert_max_num_queries):
    for i in range(20):
        create_account(api, name=f"批量{i}")
    with django_assert_max_num_queries(6):
        response = api.get("/customers/accounts?page_size=50")
    assert len(response.json()["items"]) == 20
