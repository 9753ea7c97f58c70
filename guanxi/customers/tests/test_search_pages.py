"""Searching a list: the same matches and order whichever way the database runs it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi.customers import selectors
from guanxi.customers.selectors.search import paginate_capped
from guanxi.customers.services import account_create, contact_create

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("sort", ["-updated_at", "name", "-created_at", "pk"])
def test_search_pages_follow_the_sort_and_count_every_match(org, sort):
    rep = org["rep"]
    for i in range(12):
        account_create(actor=rep, name=f"北京华信{i}号", email=f"bj{i}@hx.cn")  # initials bjhx…
        account_create(actor=rep, name=f"上海{i}", email=f"bjhx{i}@x.cn")  # e-mail bjhx…
        account_create(actor=rep, name=f"广州{i}", email=f"gz{i}@x.cn")  # no match
    account_create(actor=org["stranger"], name="北京华信外队", email="bjhx-other@x.cn")
    qs = selectors.account_list(actor=rep, search="bjhx").order_by(sort)
    expected = list(qs.order_by(sort, "-id").values_list("pk", flat=True))
    assert len(expected) == 24  # not the other team's
    with CaptureQueriesContext(connection) as queries:
        first = paginate_capped(qs, page=1, page_size=10, searching=True)
    second = paginate_capped(qs, page=2, page_size=10, searching=True)
    third = paginate_capped(qs, page=3, page_size=10, searching=True)
    assert [a.pk for a in first.items + second.items + third.items] == expected
    assert (first.count, first.count_is_estimate, third.has_next) == (24, False, False)
    if connection.vendor == "postgresql":  # one index-only select per search key
        assert "UNION" in queries.captured_queries[0]["sql"]


def test_contact_search_is_split_the_same_way(org, make_account):
    account = make_account("联系人公司")
    for i in range(5):
        contact_create(actor=org["rep"], account=account, name=f"王小明{i}", mobile="")
    qs = selectors.contact_list(actor=org["rep"], search="wxm").order_by("-updated_at")
    page = paginate_capped(qs, page=1, page_size=3, searching=True)
    assert [c.pk for c in page.items] == list(
        qs.order_by("-updated_at", "-id").values_list("pk", flat=True)[:3]
    )
    assert page.count == 5
