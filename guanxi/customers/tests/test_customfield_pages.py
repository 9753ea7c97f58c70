"""The custom field administration pages: admins list, create, edit and delete; others get 403."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from guanxi.core.models import AuditEntry
from guanxi.customers.models import CustomFieldDef

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    client.cookies["guanxi_language"] = "zh-hans"
    return client


def test_an_admin_creates_edits_and_deletes_a_field_through_the_pages(org):
    client = _client(org["admin"])
    assert client.get(reverse("customers:customfield-list")).status_code == 200
    data = {
        "entity": "account", "key": "grade", "label_zh": "等级", "label_en": "Grade",
        "type": "choice", "required": "on", "choices": "A\nB\n\n",
    }  # fmt: skip
    r = client.post(reverse("customers:customfield-create"), data)
    assert r.status_code == 302
    defn = CustomFieldDef.objects.get()
    assert (defn.entity, defn.key, defn.type, defn.required, defn.choices) == (
        "account", "grade", "choice", True, ["A", "B"],
    )  # fmt: skip
    page = client.get(reverse("customers:customfield-list")).content.decode()
    assert "等级" in page and reverse("customers:customfield-edit", args=[defn.pk]) in page
    edit = data | {"key": "changed", "label_zh": "客户等级", "choices": "A\nB\nC"}
    r = client.post(reverse("customers:customfield-edit", args=[defn.pk]), edit)
    assert r.status_code == 302
    defn.refresh_from_db()
    assert (defn.key, defn.label_zh, defn.choices) == ("grade", "客户等级", ["A", "B", "C"])
    r = client.post(reverse("customers:customfield-delete", args=[defn.pk]))
    assert r.status_code == 302 and not CustomFieldDef.objects.exists()
    assert AuditEntry.objects.filter(action="delete").exists()


def test_a_choice_field_without_choices_is_refused_on_the_page(org):
    data = {
        "entity": "contact", "key": "level", "label_zh": "级别", "label_en": "Level",
        "type": "choice", "choices": "",
    }  # fmt: skip
    r = _client(org["admin"]).post(reverse("customers:customfield-create"), data)
    assert r.status_code == 422 and not CustomFieldDef.objects.exists()


def test_sales_get_403_on_every_custom_field_page(org):
    from guanxi.customers.services.lists import custom_field_create

    defn = custom_field_create(
        actor=org["admin"], entity="account", key="grade", label_zh="等级", label_en="Grade"
    )
    client = _client(org["rep"])
    for url in (
        reverse("customers:customfield-list"),
        reverse("customers:customfield-create"),
        reverse("customers:customfield-edit", args=[defn.pk]),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("customers:customfield-delete", args=[defn.pk])).status_code == 403
    assert CustomFieldDef.objects.count() == 1
    home = client.get(reverse("customers:account-list")).content.decode()
    assert reverse("customers:customfield-list") not in home
    admin_home = _client(org["admin"]).get(reverse("customers:account-list")).content.decode()
    assert reverse("customers:customfield-list") in admin_home
