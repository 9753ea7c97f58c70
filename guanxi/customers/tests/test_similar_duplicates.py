"""Fuzzy duplicates: similar organisation names, similar contact names at the same company."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from guanxi.customers import selectors
from guanxi.customers.models import Contact
from guanxi.customers.normalize import company_core, similar_person_names, within_one_edit
from guanxi.customers.services import contact_create

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    client.cookies["guanxi_language"] = "zh-hans"
    return client


def test_company_suffixes_are_stripped_and_person_names_compared():
    assert company_core("北京华信科技有限公司")[0] == "北京华信科技"
    assert company_core("北京华信科技股份有限公司")[0] == "北京华信科技"
    assert company_core("Huaxin Tech Co., Ltd.")[0] == "huaxintech"
    assert within_one_edit("王小明", "王晓明") and not within_one_edit("王小明", "李晓红")
    assert similar_person_names("王小明", "王晓明")  # same pinyin
    assert similar_person_names("张伟", "张伟明")  # one contains the other
    assert not similar_person_names("王小明", "李建国")


def test_similar_company_names_are_flagged_on_create_with_a_lower_score(org, make_account):
    old = make_account("北京华信科技有限公司")
    make_account("上海恒通物流")
    hits = selectors.duplicates_for(actor=org["rep"], name="北京华信科技")
    assert [(h.account.pk, h.reason, h.score) for h in hits] == [(old.pk, "similar_name", 50)]
    assert selectors.duplicates_for(actor=org["rep"], name="广州白云酒店") == []
    exact = selectors.duplicates_for(actor=org["rep"], name="北京华信科技有限公司")
    assert exact[0].reason == "name" and exact[0].score > 50


def test_similar_names_are_not_shown_to_who_cannot_see_the_account(org, make_account):
    make_account("北京华信科技有限公司")
    assert selectors.duplicates_for(actor=org["stranger"], name="北京华信科技") == []


def test_the_create_form_warns_about_a_similar_company_name(org, make_account):
    old = make_account("北京华信科技有限公司")
    data = {"kind": "organization", "name": "北京华信科技", "lifecycle_stage": "lead"}
    r = _client(org["rep"]).post(reverse("customers:account-create"), data)
    assert r.status_code == 422
    assert reverse("customers:account-detail", args=[old.pk]) in r.content.decode()


def test_the_scan_lists_similar_company_names_with_a_score(org, make_account):
    a = make_account("北京华信科技有限公司")
    b = make_account("北京华信科技")
    make_account("北京华信科技发展有限公司")
    make_account("无关")
    pairs = {
        (p.a.pk, p.b.pk): (p.reason, p.score) for p in selectors.duplicates_scan(actor=org["rep"])
    }
    assert pairs == {(a.pk, b.pk): ("similar_name", 50)}


def test_similar_contact_names_at_the_same_company_are_flagged(org, make_account):
    acme, other = make_account("华信"), make_account("恒通")
    wang = contact_create(actor=org["rep"], account=acme, name="王小明")
    contact_create(actor=org["rep"], account=acme, name="李建国")
    contact_create(actor=org["rep"], account=other, name="王晓明")
    hits = selectors.contact_duplicates_for(actor=org["rep"], account_id=acme.pk, name="王晓明")
    assert [c.pk for c in hits] == [wang.pk]
    assert (
        selectors.contact_duplicates_for(actor=org["rep"], account_id=other.pk, name="李建国") == []
    )
    # At different companies the same name is not a pair.
    assert selectors.contact_duplicates_scan(actor=org["rep"]) == []
    twin = contact_create(actor=org["rep"], account=acme, name="王晓明")
    pairs = [
        (p.a.pk, p.b.pk, p.reason, p.score)
        for p in selectors.contact_duplicates_scan(actor=org["rep"])
    ]
    assert pairs == [(wang.pk, twin.pk, "similar_name", 70)]


def test_adding_a_similar_contact_through_the_page_warns_first(org, make_account):
    acme = make_account("华信")
    wang = contact_create(actor=org["rep"], account=acme, name="王小明")
    client = _client(org["rep"])
    url = reverse("customers:contact-create", args=[acme.pk])
    r = client.post(url, {"name": "王晓明"})
    assert r.status_code == 422
    assert reverse("customers:contact-edit", args=[wang.pk]) in r.content.decode()
    assert Contact.objects.count() == 1
    r = client.post(url, {"name": "王晓明", "confirm_duplicate": "on"})
    assert r.status_code == 302 and Contact.objects.count() == 2


def test_the_scan_page_and_api_list_similar_pairs(org, api_as, make_account):
    acme = make_account("北京华信科技有限公司")
    make_account("北京华信科技")
    contact_create(actor=org["rep"], account=acme, name="王小明")
    contact_create(actor=org["rep"], account=acme, name="王晓明")
    r = _client(org["rep"]).get(reverse("customers:duplicates"))
    assert r.status_code == 200 and 'data-testid="contact-duplicates"' in r.content.decode()
    api = api_as(org["rep"])
    assert api.get("/customers/duplicates").json()[0]["reason"] == "similar_name"
    body = api.get("/customers/contacts/duplicates").json()
    assert [(p["a_name"], p["b_name"], p["score"]) for p in body] == [("王小明", "王晓明", 70)]


def test_fuzzy_checks_keep_a_bounded_query_count(org, make_account, django_assert_max_num_queries):
    for i in range(40):
        account = make_account(f"客户{i}科技有限公司")
        contact_create(actor=org["rep"], account=account, name=f"联系人{i}")
    make_account("客户1科技")
    with django_assert_max_num_queries(8):
        hits = selectors.duplicates_for(actor=org["rep"], name="客户7科技")
    assert [h.reason for h in hits] == ["similar_name"]
    with django_assert_max_num_queries(8):
        pairs = selectors.duplicates_scan(actor=org["rep"])
    assert [p.reason for p in pairs] == ["similar_name"]
    with django_assert_max_num_queries(4):
        assert selectors.contact_duplicates_scan(actor=org["rep"]) == []


def _import(capture, actor, content: bytes, entity: str):
    from guanxi.customers.models import ImportJob
    from guanxi.customers.services import imports

    job = imports.import_create(actor=actor, entity=entity, filename="x.csv", content=content)
    job = imports.import_configure(
        actor=actor, job=job, mapping=dict(job.mapping), policy="create", upsert_key="mobile"
    )
    with capture(execute=True):
        imports.import_start(actor=actor, job=job)
    return ImportJob.objects.get(pk=job.pk)


def test_the_import_report_flags_similar_names_but_still_imports(
    org, make_account, django_capture_on_commit_callbacks
):
    old = make_account("北京华信科技有限公司")
    wang = contact_create(actor=org["rep"], account=old, name="王小明")
    content = "客户名称,城市\n北京华信科技,北京市\n广州白云酒店,广州市\n".encode()
    job = _import(django_capture_on_commit_callbacks, org["rep"], content, "account")
    assert job.created_count == 2 and job.error_count == 0
    lines = [(e.row, e.kind, str(old.pk) in e.message) for e in job.row_errors.all()]
    assert lines == [(2, "similar", True)]
    content = "公司,姓名\n北京华信科技有限公司,王晓明\n北京华信科技有限公司,李建国\n".encode()
    job = _import(django_capture_on_commit_callbacks, org["rep"], content, "contact")
    assert job.created_count == 2 and job.error_count == 0
    lines = [(e.row, e.kind, str(wang.pk) in e.message) for e in job.row_errors.all()]
    assert lines == [(2, "similar", True)]
