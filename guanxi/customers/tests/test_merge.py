"""Duplicates and merge: scan with scores, reviewed merge that loses nothing, audited."""

from __future__ import annotations

import pytest

from guanxi.core.models import AuditEntry
from guanxi.customers import selectors
from guanxi.customers.models import Account, Activity, Contact, LifecycleChange
from guanxi.customers.services import account_merge, contact_create, register_merge_handler
from guanxi.customers.services import merge as merge_module

pytestmark = pytest.mark.django_db


def test_the_scan_lists_pairs_with_the_same_email_phone_or_name(org, make_account):
    a = make_account("华信贸易", email="a@huaxin.cn")
    b = make_account("华信贸易有限公司", email="A@huaxin.cn")
    c = make_account("恒通", mobile="13800138000")
    d = make_account("恒通科技", mobile="138 0013 8000")
    make_account("无关")
    pairs = {
        (p.a.pk, p.b.pk): (p.reason, p.score) for p in selectors.duplicates_scan(actor=org["rep"])
    }
    assert pairs == {(a.pk, b.pk): ("email", 90), (c.pk, d.pk): ("phone", 90)}


def test_merge_moves_contacts_activities_tags_history_and_later_apps_rows(
    org, make_account, make_task
):
    survivor = make_account("华信", tags=["VIP"])
    merged = make_account("华信贸易", tags=["老客户"], mobile="13800138000", city="上海市")
    contact_create(actor=org["rep"], account=merged, name="张经理")
    make_task(merged)
    seen = []
    register_merge_handler(lambda actor, s, m: seen.append((s.pk, m.pk)), key="test.handler")
    try:
        preview = merge_module.merge_preview(actor=org["rep"], survivor=survivor, merged=merged)
        assert preview["moves"] == {"contacts": 1, "activities": 1, "tags": 1, "stage_history": 1}
        assert preview["fills"] == {"mobile": "+8613800138000", "city": "上海市"}
        assert Contact.objects.filter(account=merged).count() == 1  # the preview wrote nothing
        result = account_merge(actor=org["rep"], survivor=survivor, merged=merged)
    finally:
        merge_module._HANDLERS.pop("test.handler")
    assert seen == [(survivor.pk, merged.pk)]
    assert Contact.objects.filter(account=survivor).count() == 1
    assert Activity.objects.filter(account=survivor).count() == 1
    assert LifecycleChange.objects.filter(account=survivor).count() == 2
    assert sorted(result.tags.values_list("name", flat=True)) == ["VIP", "老客户"]
    assert result.mobile == "+8613800138000" and result.phone_rev
    gone = Account.all_objects.get(pk=merged.pk)
    assert gone.deleted_at is not None and gone.merged_into_id == survivor.pk
    assert AuditEntry.objects.filter(action="merge", object_id=str(survivor.pk)).exists()


def test_merge_through_the_api_needs_if_match_and_rejects_itself(org, api_as, make_account):
    a, b = make_account("甲"), make_account("乙")
    api = api_as(org["rep"])
    assert api.post(f"/customers/accounts/{a.pk}/merge", {"merged_id": b.pk}).status_code == 428
    assert (
        api.post(
            f"/customers/accounts/{a.pk}/merge", {"merged_id": a.pk}, **{"If-Match": "*"}
        ).status_code
        == 422
    )
    preview = api.get(f"/customers/accounts/{a.pk}/merge-preview?merged_id={b.pk}").json()
    assert preview["moves"]["contacts"] == 0
    assert (
        api.post(
            f"/customers/accounts/{a.pk}/merge", {"merged_id": b.pk}, **{"If-Match": "*"}
        ).status_code
        == 200
    )
    assert api.get(f"/customers/accounts/{b.pk}").status_code == 404


def test_a_stranger_cannot_merge_someone_elses_account_into_theirs(org, api_as, make_account):
    mine = make_account("我的", actor=org["stranger"])
    theirs = make_account("别人的")
    r = api_as(org["stranger"]).post(
        f"/customers/accounts/{mine.pk}/merge", {"merged_id": theirs.pk}, **{"If-Match": "*"}
    )
    assert r.status_code == 404
    assert Account.objects.filter(pk=theirs.pk).exists()
