"""The account list page offers the API's filters: team, updated-date range, custom fields."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from guanxi.customers.models import Account
from guanxi.customers.services.lists import custom_field_create

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    client.cookies["guanxi_language"] = "zh-hans"
    return client


def test_filtering_by_team_through_the_page(org, make_account):
    make_account("东区客户", actor=org["rep"])
    make_account("西区客户", actor=org["stranger"])
    client = _client(org["admin"])
    page = client.get(reverse("customers:account-list")).content.decode()
    assert 'name="team_id"' in page and "华西" in page
    text = client.get(
        reverse("customers:account-list"), {"team_id": org["west"].pk}
    ).content.decode()
    assert "西区客户" in text and "东区客户" not in text


def test_filtering_by_updated_date_through_the_page(org, make_account):
    old, new = make_account("陈年贸易"), make_account("最近贸易")
    Account.objects.filter(pk=old.pk).update(updated_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    client = _client(org["rep"])
    text = client.get(
        reverse("customers:account-list"), {"updated_from": "2021-01-01"}
    ).content.decode()
    assert new.name in text and old.name not in text
    text = client.get(
        reverse("customers:account-list"), {"updated_to": "2020-12-31"}
    ).content.decode()
    assert old.name in text and new.name not in text


def test_filtering_by_a_custom_field_through_the_page(org, make_account):
    custom_field_create(
        actor=org["admin"], entity="account", key="grade", label_zh="等级", label_en="Grade",
        type="choice", choices=["A", "B"],
    )  # fmt: skip
    make_account("甲级客户", custom={"grade": "A"})
    make_account("乙级客户", custom={"grade": "B"})
    client = _client(org["rep"])
    page = client.get(reverse("customers:account-list")).content.decode()
    assert 'name="cf_grade"' in page and "等级" in page
    text = client.get(reverse("customers:account-list"), {"cf_grade": "A"}).content.decode()
    assert "甲级客户" in text and "乙级客户" not in text


def test_a_contact_list_view_can_be_saved_and_reopened(org, make_account):
    from guanxi.customers.models import SavedView
    from guanxi.customers.services import contact_create

    contact_create(actor=org["rep"], account=make_account("华信"), name="张经理")
    client = _client(org["rep"])
    r = client.post(
        reverse("customers:saved-view-create"),
        {"entity": "contact", "name": "张姓", "query": "search=zhang"},
    )
    assert r.status_code == 302 and r["Location"].startswith(reverse("customers:contact-list"))
    view = SavedView.objects.get(user=org["rep"])
    assert view.entity == "contact" and view.filters == {"search": "zhang"}
    page = client.get(reverse("customers:contact-list")).content.decode()
    assert "张姓" in page and "search=zhang" in page
