"""The customers API: CRUD with If-Match, lists with pinned query counts, duplicates, 360."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from guanxi.customers.models import Account, CustomerScore
from guanxi.customers.services import ScoreRow, account_scores_bulk_upsert, contact_create

pytestmark = pytest.mark.django_db


def test_create_edit_delete_restore_through_the_api(org, api_as):
    api = api_as(org["rep"])
    r = api.post(
        "/customers/accounts",
        {"name": "上海华信贸易有限公司", "mobile": "021-6234-5678", "tags": ["VIP"]},
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["phone"] == "" and body["mobile"] == "+862162345678" and body["tags"] == ["VIP"]
    url = f"/customers/accounts/{body['id']}"
    assert api.patch(url, {"notes": "x"}).status_code == 428
    assert api.patch(url, {"notes": "x"}, **{"If-Match": '"0-0"'}).status_code == 412
    r = api.patch(url, {"notes": "大客户", "lifecycle_stage": "active"}, **{"If-Match": r["ETag"]})
    assert r.status_code == 200 and r.json()["notes"] == "大客户"
    assert api.delete(url, **{"If-Match": r["ETag"]}).status_code == 204
    assert api.get(url).status_code == 404
    assert api.post(f"{url}/restore").status_code == 200
    assert api.get(url).status_code == 200


def test_invalid_input_gets_a_422_with_field_messages_and_writes_nothing(org, api_as):
    r = api_as(org["rep"]).post(
        "/customers/accounts", {"name": "坏", "email": "bad", "mobile": "1"}
    )
    assert r.status_code == 422
    assert set(r.json()["error"]["fields"]) == {"email", "mobile"}
    assert not Account.objects.exists()


def test_creating_a_likely_duplicate_warns_with_a_link(org, api_as, make_account):
    old = make_account("华信贸易", email="sales@huaxin.cn")
    r = api_as(org["rep"]).post(
        "/customers/accounts", {"name": "华信贸易公司", "email": "SALES@huaxin.cn"}
    )
    assert r.status_code == 201
    dups = r.json()["possible_duplicates"]
    assert (
        dups[0]["id"] == old.pk
        and dups[0]["reason"] == "email"
        and dups[0]["url"].endswith(f"/{old.pk}/")
    )


def test_account_list_pins_its_query_count(
    org, api_as, make_account, django_assert_max_num_queries
):
    for i in range(30):
        make_account(f"客户{i}", tags=["VIP"])
    api = api_as(org["rep"])
    # Token and its last use, the page (on PostgreSQL its ids, then their rows), the capped count.
    with django_assert_max_num_queries(5):
        r = api.get("/customers/accounts?page_size=20&search=kehu&stage=lead&sort=-created_at")
    assert r.status_code == 200 and len(r.json()["items"]) == 20
    assert r.json()["count"] == 30 and r.json()["count_is_estimate"] is False


def test_the_count_is_capped_instead_of_counting_everything(org, api_as, make_account, monkeypatch):
    from guanxi.customers.selectors import search

    monkeypatch.setattr(search, "COUNT_CAP", 5)
    for i in range(8):
        make_account(f"客户{i}")
    body = api_as(org["rep"]).get("/customers/accounts?page_size=2").json()
    assert body["count"] == 5 and body["count_is_estimate"] is True


def test_contact_and_activity_lists_pin_their_query_counts(
    org, api_as, make_account, make_task, django_assert_max_num_queries
):
    a = make_account("华信")
    for i in range(10):
        contact_create(actor=org["rep"], account=a, name=f"联系人{i}", mobile=f"1380013{8000 + i}")
        make_task(a, due_in_days=-1)
    api = api_as(org["rep"])
    with django_assert_max_num_queries(8):
        assert len(api.get("/customers/contacts?search=lianxi").json()["items"]) == 10
    with django_assert_max_num_queries(8):
        assert api.get("/customers/activities").json()["count"] == 10
    with django_assert_max_num_queries(8):
        assert len(api.get(f"/customers/accounts/{a.pk}/contacts").json()) == 10
    with django_assert_max_num_queries(8):
        assert len(api.get("/customers/my-day").json()["overdue"]) == 10
    with django_assert_max_num_queries(8):
        assert api.get("/customers/duplicates").status_code == 200
    with django_assert_max_num_queries(8):
        assert api.get("/customers/saved-views").status_code == 200


def test_customer_360_returns_profile_contacts_timeline_and_figures(
    org, api_as, make_account, make_task, django_assert_max_num_queries
):
    a = make_account("华信", tags=["VIP"])
    contact_create(actor=org["rep"], account=a, name="张经理")
    for i in range(5):
        make_task(a, due_in_days=-i, subject=f"回访{i}")
    api = api_as(org["rep"])
    with django_assert_max_num_queries(10):
        r = api.get(f"/customers/{a.pk}/360?limit=3")
    body = r.json()
    assert body["account"]["name"] == "华信" and body["tags"] == ["VIP"]
    assert [c["name"] for c in body["contacts"]] == ["张经理"]
    assert [e["title"] for e in body["timeline"]] == ["回访0", "回访1", "回访2"]
    assert [f["key"] for f in body["figures"]][:9] == [
        "rfm_segment",
        "clv",
        "churn_risk",
        "tier",
        "points",
        "nps",
        "csat",
        "open_tickets",
        "lifetime_revenue",
    ]
    # No scores yet: honest "—", never a made-up number.
    assert [f["display"] for f in body["figures"][:3]] == ["—", "—", "—"]
    older = api.get(
        f"/customers/{a.pk}/360?limit=3&before={body['next_before'].replace('+', '%2B')}"
    ).json()
    assert [e["title"] for e in older["timeline"]] == ["回访3", "回访4"]


def test_scores_are_written_in_bulk_shown_as_figures_and_usable_as_filters(
    org, api_as, make_account
):
    a, b = make_account("甲"), make_account("乙")
    n = account_scores_bulk_upsert(
        rows=[
            ScoreRow(
                account_id=a.pk,
                rfm_segment="Champions",
                r_score=5,
                f_score=5,
                m_score=5,
                clv=__import__("decimal").Decimal("12345.60"),
                churn_risk=0.1,
                risk_band="low",
            ),
            ScoreRow(
                account_id=b.pk,
                rfm_segment="At Risk",
                clv=__import__("decimal").Decimal("10"),
                churn_risk=0.8,
                risk_band="high",
            ),
            ScoreRow(account_id=999999, rfm_segment="ghost"),
        ]
    )
    assert n == 2 and CustomerScore.objects.count() == 2
    account_scores_bulk_upsert(rows=[ScoreRow(account_id=b.pk, rfm_segment="Lost", churn_risk=0.9)])
    assert CustomerScore.objects.get(pk=b.pk).rfm_segment == "Lost"
    api = api_as(org["rep"])
    figures = {f["key"]: f for f in api.get(f"/customers/{a.pk}/360").json()["figures"]}
    assert (
        figures["rfm_segment"]["display"] == "Champions"
        and figures["clv"]["display"] == "¥12,345.60"
    )
    assert figures["tier"]["display"] == "—"
    names = [i["name"] for i in api.get("/customers/accounts?sort=-churn_risk").json()["items"]]
    assert names == ["乙", "甲"]
    assert [
        i["name"] for i in api.get("/customers/accounts?rfm_segment=Champions").json()["items"]
    ] == ["甲"]


def test_lifecycle_stage_endpoint_and_history(org, api_as, make_account):
    a = make_account("甲")
    api = api_as(org["rep"])
    assert api.post(f"/customers/accounts/{a.pk}/stage", {"stage": "nope"}).status_code == 422
    assert (
        api.post(
            f"/customers/accounts/{a.pk}/stage", {"stage": "active", "reason": "首单"}
        ).status_code
        == 200
    )
    history = api.get(f"/customers/accounts/{a.pk}/stage-history").json()
    assert history[0]["to_stage"] == "active" and history[0]["reason"] == "首单"


def test_saved_views_belong_to_their_user(org, api_as):
    api = api_as(org["rep"])
    r = api.post(
        "/customers/saved-views", {"name": "我的VIP", "filters": {"tag": "VIP"}, "sort": "-clv"}
    )
    assert r.status_code == 201
    assert api.post("/customers/saved-views", {"name": "我的VIP"}).status_code == 409
    assert api_as(org["mate"]).get("/customers/saved-views").json() == []
    assert api_as(org["mate"]).delete(f"/customers/saved-views/{r.json()['id']}").status_code == 404


def test_only_admins_define_custom_fields(org, api_as):
    body = {
        "entity": "account",
        "key": "level",
        "label_zh": "等级",
        "label_en": "Level",
        "type": "choice",
        "choices": ["A"],
    }
    assert api_as(org["rep"]).post("/customers/custom-fields", body).status_code == 403
    assert api_as(org["admin"]).post("/customers/custom-fields", body).status_code == 201


def test_timeline_sources_from_other_apps_merge_in_time_order(org, make_account, make_task):
    from decimal import Decimal

    from guanxi.customers import timeline

    a = make_account("甲")
    make_task(a, due_in_days=-2, subject="回访")
    now = timezone.now()

    def orders(actor, account, before, limit):
        rows = [
            timeline.TimelineEntry(
                at=now - dt.timedelta(days=d),
                kind="order",
                title=f"订单{d}",
                source="sales.orders",
                ref_id=str(d),
                amount=Decimal("99.00"),
                currency="CNY",
            )
            for d in (1, 3)
        ]
        return [e for e in rows if before is None or e.at < before][:limit]

    timeline.register_timeline_source("test.orders", orders)
    try:
        entries = timeline.timeline_for(actor=org["rep"], account=a)
        assert [e.title for e in entries] == ["订单1", "回访", "订单3"]
        assert [
            e.title
            for e in timeline.timeline_for(
                actor=org["rep"], account=a, before=entries[0].at, limit=1
            )
        ] == ["回访"]
    finally:
        timeline._TIMELINE_SOURCES.pop("test.orders")


def test_a_broken_source_does_not_break_the_360(org, make_account):
    from guanxi.customers import timeline

    def broken(actor, account, before=None, limit=0):
        raise RuntimeError("boom")

    timeline.register_timeline_source("test.broken", broken)
    timeline.register_figure_source("test.broken", broken)
    try:
        a = make_account("甲")
        assert timeline.timeline_for(actor=org["rep"], account=a) == []
        assert len(timeline.figures_for(actor=org["rep"], account=a)) == 9
    finally:
        timeline._TIMELINE_SOURCES.pop("test.broken")
        timeline._FIGURE_SOURCES.pop("test.broken")
