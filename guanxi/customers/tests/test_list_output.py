"""The account list (API and page) is read as plain rows; its output equals what the schema
and the templates give for the full model instances, for every kind of viewer."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from ninja.responses import NinjaJSONEncoder

from guanxi.customers.models import Account, CustomFieldDef
from guanxi.customers.schemas import AccountOut
from guanxi.customers.services import ScoreRow, account_scores_bulk_upsert

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers(org, make_account):
    """Accounts with every kind of column the list shows: custom fields, tags, another owner
    in the team, scores, personal data, dates and consent."""
    CustomFieldDef.objects.create(
        entity="account", key="level", label_zh="等级", label_en="Level", type="choice",
        choices=["A", "B"],
    )  # fmt: skip
    CustomFieldDef.objects.create(
        entity="account", key="since", label_zh="开户", label_en="Since", type="date"
    )
    made = [
        make_account(
            "上海华信贸易有限公司",
            name_en="Huaxin Trading",
            email="buy@huaxin.cn",
            mobile="13800138000",
            phone="021-6234-5678",
            wechat="huaxin",
            street="南京西路1号",
            province="上海市",
            city="上海市",
            district="静安区",
            birthday=dt.date(1990, 5, 4),
            custom={"level": "A", "since": "2020-01-02"},
            tags=["VIP", "老客户"],
            consent_email=True,
            consent_at=timezone.now(),
            consent_how="表单",
            lifecycle_stage="active",
        ),
        make_account("华信物流", kind="individual", mobile="+44 20 7946 0958", tags=["VIP"]),
        make_account("华信科技", actor=org["mate"], custom={"level": "B"}, lifecycle_stage="loyal"),
        make_account("恒通", email="x@hengtong.cn"),
    ]
    account_scores_bulk_upsert(
        rows=[ScoreRow(account_id=made[0].pk, rfm_segment="champions", clv=Decimal("12.50"))]
    )
    return made


def _schema_items(user, ids):
    """What the response schema makes of the model instances, in the same order."""
    by_pk = Account.objects.select_related("owner", "team", "score").in_bulk(ids)
    request = SimpleNamespace(auth=user)
    return [
        json.loads(
            json.dumps(
                AccountOut.model_validate(by_pk[pk], context={"request": request}).model_dump(),
                cls=NinjaJSONEncoder,
            )
        )
        for pk in ids
    ]


@pytest.mark.parametrize("who", ["rep", "mate", "analyst", "admin"])
@pytest.mark.parametrize(
    "query",
    ["", "?search=huaxin", "?search=华信&sort=-clv", "?page_size=2&page=2&sort=pinyin", "?tag=VIP"],
)
def test_list_items_equal_the_schema_output(org, api_as, customers, who, query):
    r = api_as(org[who]).get(f"/customers/accounts{query}")
    assert r.status_code == 200 and r["Content-Type"] == "application/json; charset=utf-8"
    body = r.json()
    assert list(body) == ["items", "count", "count_is_estimate", "page", "page_size", "pages"]
    ids = [item["id"] for item in body["items"]]
    assert ids, "the fixture set must give each query some rows"
    expected = _schema_items(org[who], ids)
    assert body["items"] == expected
    assert [list(item) for item in body["items"]] == [list(item) for item in expected]


def test_analysts_get_pseudonyms_and_no_birthday_in_the_list(org, api_as, customers):
    item = next(
        i
        for i in api_as(org["analyst"]).get("/customers/accounts").json()["items"]
        if i["id"] == customers[0].pk
    )
    assert item["name"].startswith("name-") and item["mobile"].startswith("mobile-")
    assert item["street"].startswith("street-") and item["birthday"] is None
    assert item["custom"] == {"level": "A", "since": "2020-01-02"}


def test_the_list_still_only_shows_what_the_actor_may_see(org, api_as, customers, make_account):
    make_account("华信远方", actor=org["stranger"])
    names = [
        i["name"] for i in api_as(org["rep"]).get("/customers/accounts?search=华信").json()["items"]
    ]
    assert "华信远方" not in names and len(names) == 2
    stranger = api_as(org["stranger"]).get("/customers/accounts?search=华信").json()
    assert [i["name"] for i in stranger["items"]] == ["华信远方"] and stranger["count"] == 1


# The list rows as the template rendered them from model instances before the list was read
# as plain rows; the page must keep giving exactly this markup.
_INSTANCE_ROW = Template(
    """{% load customers_tags %}{% for a in items %}
        <tr>
          <td><a class="fw-semibold" href="{% url 'customers:account-detail' a.pk %}">{% pii "name" a.name %}</a>{% if a.name_en %} <small class="text-body-secondary">{% pii "name" a.name_en %}</small>{% endif %}</td>
          <td><span class="badge text-bg-secondary">{{ a.get_lifecycle_stage_display }}</span></td>
          <td>{% if a.mobile %}{% pii "mobile" a.mobile %}{% else %}—{% endif %}</td>
          <td>{{ a.city|default:"—" }}</td>
          <td>{{ a.owner }}</td>
          <td class="text-nowrap small">{{ a.updated_at|date:"Y-m-d H:i" }}</td>
        </tr>
      {% endfor %}"""
)


def _rows(html):
    return re.sub(r"\s+", " ", html.split("<tbody>")[1].split("</tbody>")[0]).strip()


@pytest.mark.parametrize("who", ["rep", "analyst"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_list_page_rows_equal_the_markup_of_the_model_instances(org, customers, who, language):
    from django.utils import translation

    client = Client()
    client.force_login(org[who])
    client.cookies["guanxi_language"] = language
    r = client.get(reverse("customers:account-list") + "?sort=pinyin")
    assert r.status_code == 200
    ordered = sorted(Account.objects.select_related("owner"), key=lambda a: a.search_pinyin)
    assert len(ordered) == len(customers)
    with translation.override(language):
        expected = _INSTANCE_ROW.render(Context({"items": ordered, "user": org[who]}))
    assert _rows(r.content.decode()) == re.sub(r"\s+", " ", expected).strip()


def test_list_page_rows_show_owners_outside_the_owner_picker(org, make_account, make_user):
    # An account of the rep's team owned by someone who left (inactive: not in the picker).
    leaver = make_user("sales", team=org["west"])
    a = make_account("华信旧户", actor=org["admin"], owner=leaver)
    Account.objects.filter(pk=a.pk).update(team=org["east"])
    leaver.is_active = False
    leaver.save(update_fields=["is_active"])
    client = Client()
    client.force_login(org["rep"])
    text = client.get(reverse("customers:account-list")).content.decode()
    assert f"<td>{leaver}</td>" in text


def test_the_full_list_page_pins_its_query_count(org, customers, django_assert_max_num_queries):
    client = Client()
    client.force_login(org["rep"])
    # Session, user and role; the rows (on PostgreSQL their ids, then the rows); owners (the
    # picker's users name the rows' owners), teams, custom field filters, saved views;
    # the unread notifications of the page header.
    with django_assert_max_num_queries(10):
        r = client.get(reverse("customers:account-list") + "?search=华信")
    assert r.status_code == 200 and "华信科技" in r.content.decode()
