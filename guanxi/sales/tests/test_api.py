"""The sales API: the same services behind thin handlers; 422s per field; query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi.customers.services import account_create
from guanxi.sales import services
from guanxi.sales.models import Lead, Opportunity, Order, Quote


def test_lead_to_order_through_the_api(org, api_as, product):
    api = api_as(org["rep"])
    r = api.post("/sales/leads", {"name": "王五", "company": "API 公司", "email": "w@api.cn"})
    assert r.status_code == 201, r.content
    lead_id = r.json()["id"]
    r = api.post(f"/sales/leads/{lead_id}/convert", {"create_account": True, "amount": "1000"})
    assert r.status_code == 201, r.content
    account_id, opp_id = r.json()["account_id"], r.json()["opportunity_id"]
    r = api.post(f"/sales/opportunities/{opp_id}/win", {})
    assert r.status_code == 200 and r.json()["status"] == "won"
    r = api.post(
        "/sales/quotes",
        {"account_id": account_id, "lines": [{"product_id": product.pk, "quantity": "2"}]},
    )
    assert r.status_code == 201, r.content
    quote = r.json()
    assert quote["total"] == "449.74" and len(quote["lines"]) == 1
    r = api.post(f"/sales/quotes/{quote['id']}/convert", {"region": "华东"})
    assert r.status_code == 201, r.content
    order = r.json()
    r = api.post(f"/sales/orders/{order['id']}/payments", {"amount": order["total"]})
    assert r.status_code == 201
    r = api.get(f"/sales/orders/{order['id']}")
    assert r.json()["status"] == "paid" and r.json()["status_history"][-1]["to_status"] == "paid"
    line_id = r.json()["lines"][0]["id"]
    r = api.post(f"/sales/orders/{order['id']}/returns", {"lines": {str(line_id): "1"}})
    assert r.status_code == 200 and r.json()["status"] == "partially_returned"


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        ([{"product_id": "PRODUCT", "quantity": "-2"}], "lines.0.quantity"),
        ([{"product_id": 987654, "quantity": "1"}], "lines.0.product_id"),
        ([], "lines"),
    ],
)
def test_bad_order_lines_get_a_422_per_field_and_nothing_changes(
    org, api_as, product, lines, field
):
    account = account_create(actor=org["rep"], name="客户")
    for line in lines:
        if line["product_id"] == "PRODUCT":
            line["product_id"] = product.pk
    r = api_as(org["rep"]).post("/sales/orders", {"account_id": account.pk, "lines": lines})
    assert r.status_code == 422
    assert field in r.json()["error"]["fields"]
    assert not Order.objects.exists()


def test_winning_without_an_amount_is_a_422(org, api_as, account):
    opp = services.opportunity_create(actor=org["rep"], account=account, name="无金额")
    r = api_as(org["rep"]).post(f"/sales/opportunities/{opp.pk}/win", {})
    assert r.status_code == 422 and "amount" in r.json()["error"]["fields"]
    assert Opportunity.objects.get(pk=opp.pk).status == "open"


def test_an_expired_quote_is_a_422(org, api_as, account, product):
    quote = services.quote_create(
        actor=org["rep"], account=account, lines=[services.LineInput(product.pk, 1)]
    )
    Quote.objects.filter(pk=quote.pk).update(valid_until=dt.date(2020, 1, 1))
    r = api_as(org["rep"]).post(f"/sales/quotes/{quote.pk}/convert", {})
    assert r.status_code == 422 and "valid_until" in r.json()["error"]["fields"]
    assert not Order.objects.exists()
    r = api_as(org["rep"]).post(
        "/sales/quotes",
        {
            "account_id": account.pk,
            "valid_until": "2020-01-01",
            "lines": [{"product_id": product.pk, "quantity": 1}],
        },
    )
    assert r.status_code == 422 and "valid_until" in r.json()["error"]["fields"]


def test_an_account_the_rep_cannot_see_is_unknown(org, api_as, product):
    theirs = account_create(actor=org["stranger"], name="别人的")
    r = api_as(org["rep"]).post(
        "/sales/orders",
        {"account_id": theirs.pk, "lines": [{"product_id": product.pk, "quantity": 1}]},
    )
    assert r.status_code == 422 and "account_id" in r.json()["error"]["fields"]


def test_reps_do_not_change_a_teammates_records_and_readers_write_nothing(org, api_as, account):
    opp = services.opportunity_create(actor=org["rep"], account=account, name="同事的")
    etag = {"If-Match": f'"{opp.pk}-{opp.version}"'}
    assert api_as(org["rep2"]).get(f"/sales/opportunities/{opp.pk}").status_code == 200
    r = api_as(org["rep2"]).patch(f"/sales/opportunities/{opp.pk}", {"name": "改"}, **etag)
    assert r.status_code == 403
    assert api_as(org["reader"]).post("/sales/leads", {"name": "x"}).status_code == 403
    r = api_as(org["reader"]).patch(f"/sales/opportunities/{opp.pk}", {"name": "改"}, **etag)
    assert r.status_code == 403
    r = api_as(org["lead"]).patch(f"/sales/opportunities/{opp.pk}", {"name": "经理改"}, **etag)
    assert r.status_code == 200 and r.json()["name"] == "经理改"


def test_only_managers_change_the_catalogue(org, api_as):
    body = {"sku": "T-1", "name_zh": "茶", "list_price": "10"}
    assert api_as(org["rep"]).post("/sales/products", body).status_code == 403
    r = api_as(org["lead"]).post("/sales/products", body)
    assert r.status_code == 201
    r = api_as(org["lead"]).post("/sales/products", {**body, "list_price": "-1", "sku": "T-2"})
    assert r.status_code == 422 and "list_price" in r.json()["error"]["fields"]


def test_forecast_and_reports_endpoints(org, api_as, make_order):
    make_order(paid=True)
    api = api_as(org["lead"])
    r = api.get("/sales/forecast?kind=quarter")
    assert r.status_code == 200 and set(r.json()) >= {"won", "weighted", "forecast", "run_rate"}
    assert api.get("/sales/forecast?kind=decade").status_code == 422
    r = api.get("/sales/reports/revenue?by=product")
    assert r.status_code == 200 and len(r.json()) == 1
    assert api.get("/sales/reports/revenue?by=colour").status_code == 422
    r = api.get("/sales/reports/summary")
    assert r.status_code == 200 and {"funnel", "win_rate", "yoy"} <= set(r.json())


def _queries(api, path):
    with CaptureQueriesContext(connection) as ctx:
        r = api.get(path)
    assert r.status_code == 200, r.content
    return len(ctx.captured_queries)


LIST_PATHS = [
    "/sales/leads",
    "/sales/opportunities",
    "/sales/products",
    "/sales/quotes",
    "/sales/orders",
    "/sales/contracts",
    "/sales/targets",
    "/sales/pipelines",
    "/sales/price-lists",
]


def _grow(org, n):
    rep = org["rep"]
    product = services.product_create(
        actor=None, sku=f"Q-{n}-{Lead.objects.count()}", name_zh="p", list_price=Decimal(1)
    )
    price_list = services.price_list_create(actor=None, code=f"pl-{n}-{product.pk}", name="pl")
    services.price_list_set_prices(
        actor=None, price_list=price_list, prices={product.pk: Decimal(1)}
    )
    services.pipeline_create(actor=None, name=f"流程{product.pk}")
    for _ in range(n):
        account = account_create(actor=rep, name="q")
        services.lead_create(actor=rep, name="q")
        services.opportunity_create(actor=rep, account=account, name="q")
        line = [services.LineInput(product.pk, 1)]
        services.quote_create(actor=rep, account=account, lines=line)
        services.order_create(actor=rep, account=account, lines=line)
        services.contract_create(
            actor=rep, account=account, title="c", start_date=dt.date(2026, 1, 1),
            end_date=dt.date(2026, 12, 31), value=Decimal(1),
        )  # fmt: skip
    services.target_set(
        actor=org["lead"], period_kind="month", period_start_on=dt.date(2026, n, 1),
        amount=Decimal(1), rep=rep,
    )  # fmt: skip


# Per list: the token (with its user and role) + count + page; pipelines and price lists
# are unpaginated: the rows + one prefetch.
EXPECTED_QUERIES = dict.fromkeys(LIST_PATHS, 3)


@pytest.mark.parametrize("path", LIST_PATHS)
def test_every_list_endpoint_runs_a_fixed_number_of_queries(org, api_as, path):
    api = api_as(org["rep"])
    api.get(path)  # the first call of a token also stamps its last use
    _grow(org, 1)
    small = _queries(api, path)
    _grow(org, 4)
    assert _queries(api, path) == small == EXPECTED_QUERIES[path]
