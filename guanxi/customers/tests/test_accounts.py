"""Accounts: create/edit/delete/restore, search, filters, tags, lifecycle, custom fields."""

from __future__ import annotations

import pytest

from guanxi.core.errors import Invalid, PermissionDenied
from guanxi.core.models import AuditEntry
from guanxi.customers import selectors
from guanxi.customers.models import Account, CustomFieldDef, LifecycleChange
from guanxi.customers.selectors.accounts import AccountFilters
from guanxi.customers.services import (
    account_set_lifecycle_stage,
    account_set_lifecycle_stage_bulk,
    account_update,
)

pytestmark = pytest.mark.django_db


def _names(qs):
    return sorted(a.name for a in qs)


def test_creating_an_account_normalises_phone_and_email_and_stores_search_keys(make_account):
    a = make_account("王小明", kind="individual", mobile="138 0013 8000", email=" XM@Example.CN ")
    assert a.mobile == "+8613800138000"
    assert a.email == "xm@example.cn"
    assert (a.search_name, a.search_pinyin, a.search_initials) == ("王小明", "wangxiaoming", "wxm")
    assert LifecycleChange.objects.filter(account=a, to_stage="lead").exists()


def test_bad_phone_and_email_are_refused_per_field(make_account):
    with pytest.raises(Invalid) as exc:
        make_account("坏数据", mobile="12345", email="nope")
    assert set(exc.value.fields) == {"mobile", "email"}
    assert not Account.objects.filter(name="坏数据").exists()


@pytest.mark.parametrize(
    "term", ["王小", "wangxiao", "WXM", "8000", "138-0013-8000", "xm@example", "XM@EXAMPLE.CN"]
)
def test_search_finds_by_chinese_pinyin_initials_phone_suffix_and_email(org, make_account, term):
    make_account("王小明", kind="individual", mobile="13800138000", email="xm@example.cn")
    make_account("李娜", kind="individual", mobile="13912345678", email="ln@example.cn")
    assert _names(selectors.account_list(actor=org["rep"], search=term)) == ["王小明"]


def test_search_only_returns_what_the_actor_may_see(org, make_account):
    make_account("王小明", actor=org["stranger"])
    assert list(selectors.account_list(actor=org["rep"], search="王")) == []


def test_filters_by_stage_owner_tag_region_and_custom_field(org, make_account):
    CustomFieldDef.objects.create(
        entity="account",
        key="level",
        label_zh="等级",
        label_en="Level",
        type="choice",
        choices=["A", "B"],
    )
    make_account("甲", lifecycle_stage="active", tags=["VIP"], region="华东", custom={"level": "A"})
    make_account("乙", lifecycle_stage="churned", region="华南", custom={"level": "B"})
    make_account("丙", actor=org["mate"], lifecycle_stage="active")
    f = AccountFilters.from_mapping
    assert _names(selectors.account_list(actor=org["rep"], filters=f({"stage": "active"}))) == [
        "丙",
        "甲",
    ]
    assert _names(
        selectors.account_list(actor=org["rep"], filters=f({"owner_id": org["mate"].pk}))
    ) == ["丙"]
    assert _names(selectors.account_list(actor=org["rep"], filters=f({"tag": "VIP"}))) == ["甲"]
    assert _names(selectors.account_list(actor=org["rep"], filters=f({"region": "华南"}))) == ["乙"]
    assert _names(selectors.account_list(actor=org["rep"], filters=f({"cf_level": "B"}))) == ["乙"]


def test_bad_filter_values_are_reported_per_field():
    with pytest.raises(Invalid) as exc:
        AccountFilters.from_mapping({"owner_id": "x", "created_from": "yesterday"})
    assert set(exc.value.fields) == {"owner_id", "created_from"}


def test_custom_fields_are_validated_against_their_definitions(make_account):
    CustomFieldDef.objects.create(
        entity="account",
        key="level",
        label_zh="等级",
        label_en="Level",
        type="choice",
        choices=["A", "B"],
        required=True,
    )
    CustomFieldDef.objects.create(
        entity="account", key="seats", label_zh="座位数", label_en="Seats", type="number"
    )
    with pytest.raises(Invalid) as exc:
        make_account("甲", custom={"seats": "many", "nope": 1})
    assert set(exc.value.fields) == {"custom.level", "custom.seats", "custom.nope"}
    a = make_account("乙", custom={"level": "A", "seats": "12"})
    assert a.custom == {"level": "A", "seats": "12"}


def test_updating_keeps_search_keys_in_step_and_audits(org, make_account):
    a = make_account("华信")
    a = account_update(
        actor=org["rep"],
        account=a,
        changes={"name": "恒通", "mobile": "13800138000"},
        expected_version=a.version,
    )
    assert a.search_pinyin == "hengtong" and a.phone_rev == "00083100831"
    entry = AuditEntry.objects.filter(
        object_type="customers.account", object_id=str(a.pk), action="update"
    ).first()
    assert entry is not None and entry.changes["name"] == ["华信", "恒通"]


def test_changing_the_stage_by_hand_keeps_a_history(org, make_account):
    a = make_account("甲")
    account_set_lifecycle_stage(actor=org["rep"], account=a, stage="prospect", reason="电话沟通")
    account_set_lifecycle_stage(actor=org["rep"], account=a, stage="active")
    history = list(
        LifecycleChange.objects.filter(account=a)
        .order_by("at", "id")
        .values_list("from_stage", "to_stage", "source")
    )
    assert history == [
        ("", "lead", "manual"),
        ("lead", "prospect", "manual"),
        ("prospect", "active", "manual"),
    ]


def test_readers_cannot_change_the_stage(org, make_account):
    a = make_account("甲")
    with pytest.raises(PermissionDenied):
        account_set_lifecycle_stage(actor=org["reader"], account=a, stage="active")


def test_a_rule_job_moves_many_accounts_without_an_actor(make_account):
    a, b, c = make_account("甲"), make_account("乙"), make_account("丙", lifecycle_stage="at_risk")
    before = AuditEntry.objects.count()
    moved = account_set_lifecycle_stage_bulk(
        actor=None,
        moves=[(a.pk, "at_risk"), (b.pk, "at_risk"), (c.pk, "at_risk")],
        reason="90天未购买",
    )
    assert moved == 2
    assert set(Account.objects.filter(lifecycle_stage="at_risk").values_list("pk", flat=True)) == {
        a.pk,
        b.pk,
        c.pk,
    }
    assert LifecycleChange.objects.filter(source="rule", to_stage="at_risk").count() == 2
    assert AuditEntry.objects.count() == before + 1


def test_unknown_stage_is_refused(org, make_account):
    with pytest.raises(Invalid):
        account_set_lifecycle_stage(actor=org["rep"], account=make_account("甲"), stage="vip-ish")
