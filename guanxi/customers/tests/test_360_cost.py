"""The customer 360 (API and page) reads only what it shows, in a pinned number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanxi.core.errors import NotFound
from guanxi.customers.selectors.customer360 import customer_360, customer_timeline
from guanxi.customers.services import account_update, contact_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy(org, make_account, make_task):
    a = make_account("华信", tags=["VIP"])
    a = account_update(
        actor=org["rep"], account=a, changes={"notes": "大客户"}, expected_version=a.version
    )
    for i in range(5):
        contact_create(actor=org["rep"], account=a, name=f"张{i}")
    for i in range(40):
        make_task(a, due_in_days=-i, subject=f"回访{i}")
    return a


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_360_api_skips_the_page_only_history(org, api_as, busy):
    api = api_as(org["rep"])
    with CaptureQueriesContext(connection) as ctx:
        r = api.get(f"/customers/{busy.pk}/360")
    assert r.status_code == 200 and "history" not in r.json()
    assert not [q for q in ctx.captured_queries if "core_auditentry" in q["sql"]]
    # Token (and its last use), account, tags, contacts, stage history, then one query per
    # timeline and figure source (activities, orders, scores, revenue).
    assert len(ctx.captured_queries) <= 10


def test_the_360_page_reads_owner_team_and_history_without_extra_queries(org, busy):
    client = _client(org["rep"])
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(reverse("customers:account-detail", args=[busy.pk]))
    text = r.content.decode()
    assert r.status_code == 200 and str(org["rep"]) in text and "华东" in text
    assert 'data-testid="record-history"' in text and "notes" in text
    assert not [q for q in ctx.captured_queries if 'FROM "core_team"' in q["sql"]]
    assert len(ctx.captured_queries) <= 17


def test_loading_older_timeline_entries_reads_only_the_timeline(org, busy):
    client = _client(org["rep"])
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(reverse("customers:account-timeline", args=[busy.pk]))
    text = r.content.decode()
    assert r.status_code == 200 and "回访0" in text and "timeline-more" in text
    # Session, user and role, the account, then one query per timeline source.
    assert len(ctx.captured_queries) <= 6
    assert client.get(reverse("customers:account-timeline", args=[busy.pk + 99])).status_code == 404


def test_timeline_entries_link_to_their_activity(org, busy):
    entries = customer_timeline(actor=org["rep"], account_id=busy.pk, limit=3)["timeline"]
    assert [e.title for e in entries] == ["回访0", "回访1", "回访2"]
    for e in entries:
        assert e.url == reverse("customers:activity-edit", args=[int(e.ref_id)])
        assert e.icon == "check2-square" and e.source == "customers.activities"


def test_the_360_and_its_timeline_stay_scoped_to_what_the_actor_may_see(org, busy):
    for fn in (customer_360, customer_timeline):
        with pytest.raises(NotFound):
            fn(actor=org["stranger"], account_id=busy.pk)
    with pytest.raises(NotFound):
        customer_360(actor=org["stranger"], account_id=busy.pk, page=True)
    page = customer_360(actor=org["rep"], account_id=busy.pk, page=True)
    assert page["account"].owner == org["rep"] and page["history"]


def test_the_duplicate_warning_loads_after_the_page(org, make_account):
    from django.test import Client
    from django.urls import reverse

    a = make_account("杭州龙井茶业有限公司", email="buy@longjing.cn")
    b = make_account("杭州龙井茶业有限公司", email="buy@longjing.cn")
    client = Client()
    client.force_login(org["rep"])
    page = client.get(reverse("customers:account-detail", args=[a.pk])).content.decode()
    url = reverse("customers:account-duplicates", args=[a.pk])
    assert f'hx-get="{url}"' in page and "duplicate-warning" not in page
    panel = client.get(url).content.decode()
    assert 'data-testid="duplicate-warning"' in panel
    assert reverse("customers:account-detail", args=[b.pk]) in panel
    # Analysts see the duplicate's pseudonym, not its name.
    analyst = Client()
    analyst.force_login(org["analyst"])
    panel = analyst.get(url).content.decode()
    assert 'data-testid="duplicate-warning"' in panel and "杭州龙井茶业有限公司" not in panel
    # A customer without look-alikes gets an empty panel.
    c = make_account("成都锦江茶馆")
    panel = client.get(reverse("customers:account-duplicates", args=[c.pk])).content.decode()
    assert "duplicate-warning" not in panel
