"""Opportunity product lines: priced like quote lines, the amount follows them, quotes take them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from guanxi.core.errors import Conflict, Invalid, PreconditionFailed
from guanxi.core.models import AuditEntry
from guanxi.sales import services
from guanxi.sales.models import Opportunity, OpportunityLine, Quote
from guanxi.sales.services import LineInput
from guanxi.sales.tests.test_pages import client_for


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def catalogue(make_product):
    tea = make_product(price="368", tax="0.13", name_zh="龙井")
    cake = make_product(price="38", tax="0.09", category="茶点", name_zh="桂花糕")
    vip = services.price_list_create(actor=None, code="vip", name="VIP")
    services.price_list_set_prices(actor=None, price_list=vip, prices={tea.pk: Decimal("320")})
    return {"tea": tea, "cake": cake, "vip": vip}


@pytest.fixture
def opp(org, account):
    return services.opportunity_create(
        actor=org["rep"], account=account, name="年度采购", amount=Decimal("5000")
    )


def test_lines_are_priced_like_quote_lines_and_the_amount_follows_them(
    org, account, opp, catalogue
):
    tea, cake, vip = catalogue["tea"], catalogue["cake"], catalogue["vip"]
    lines = [
        LineInput(tea.pk, Decimal("10"), discount_percent=Decimal("5")),
        LineInput(cake.pk, Decimal("3"), unit_price=Decimal("30")),
    ]
    updated = services.opportunity_set_lines(
        actor=org["rep"], opportunity=opp, lines=lines, price_list=vip, expected_version=1
    )
    stored = list(OpportunityLine.objects.filter(opportunity=opp).order_by("position"))
    # Tea: 10 × 320 (VIP price) = 3200, 5 % off = 160, net 3040, 13 % tax 395.20.
    assert [
        (ln.unit_price, ln.discount_percent, ln.discount_amount, ln.tax_amount, ln.line_total)
        for ln in stored
    ] == [
        (Decimal("320.0000"), Decimal("5.00"), Decimal("160.00"), Decimal("395.20"),
         Decimal("3435.20")),
        (Decimal("30.0000"), Decimal("0.00"), Decimal("0.00"), Decimal("8.10"), Decimal("98.10")),
    ]  # fmt: skip
    assert [ln.manual_price for ln in stored] == [False, True]
    assert updated.amount == Decimal("3533.30") == sum(ln.line_total for ln in stored)
    assert updated.price_list_id == vip.pk and updated.version == 2
    # The same lines on a quote come to the same total.
    quote = services.quote_create(
        actor=org["rep"],
        account=account,
        price_list=vip,
        lines=[
            LineInput(tea.pk, Decimal("10"), discount=Decimal("160")),
            LineInput(cake.pk, Decimal("3"), unit_price=Decimal("30")),
        ],
    )
    assert quote.total == updated.amount
    entry = AuditEntry.objects.filter(object_type="sales.opportunity", action="lines").get()
    assert entry.changes["amount"] == ["5000.00", "3533.30"]
    assert [ln["product"] for ln in entry.changes["lines"][1]] == [tea.pk, cake.pk]


def test_a_deal_without_lines_keeps_its_hand_entered_amount(org, opp, catalogue):
    rep = org["rep"]
    opp = services.opportunity_update(
        actor=rep, opportunity=opp, changes={"amount": Decimal("6000")}, expected_version=1
    )
    assert opp.amount == Decimal("6000.00")
    opp = services.opportunity_set_lines(
        actor=rep,
        opportunity=opp,
        lines=[LineInput(catalogue["cake"].pk, 1)],
        expected_version=opp.version,
    )
    assert opp.amount == Decimal("41.42")
    with pytest.raises(Invalid) as exc:
        services.opportunity_update(
            actor=rep, opportunity=opp, changes={"amount": Decimal("9")}, expected_version=None
        )
    assert exc.value.fields == {
        "amount": ["The amount follows the product lines; change the lines instead."]
    }
    with pytest.raises(Invalid):
        services.opportunity_win(actor=rep, opportunity=opp, amount=Decimal("9"))
    opp = services.opportunity_set_lines(
        actor=rep, opportunity=opp, lines=[], expected_version=opp.version
    )
    assert opp.amount == Decimal("41.42") and not OpportunityLine.objects.exists()
    opp = services.opportunity_update(
        actor=rep, opportunity=opp, changes={"amount": Decimal("7000")}, expected_version=None
    )
    assert opp.amount == Decimal("7000.00")


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ({"quantity": "-2"}, "lines.0.quantity"),
        ({"quantity": "0"}, "lines.0.quantity"),
        ({"product_id": 987654}, "lines.0.product_id"),
        ({"discount_percent": "120"}, "lines.0.discount_percent"),
        ({"discount_percent": "-1"}, "lines.0.discount_percent"),
        ({"unit_price": "-1"}, "lines.0.unit_price"),
    ],
)
def test_bad_lines_are_a_422_per_field_and_change_nothing(org, api_as, opp, catalogue, line, field):
    api = api_as(org["rep"])
    good = {"product_id": catalogue["tea"].pk, "quantity": "1"}
    body = {"lines": [{**good, **line}]}
    r = api.put(f"/sales/opportunities/{opp.pk}/lines", body, **{"If-Match": f'"{opp.pk}-1"'})
    assert r.status_code == 422, r.content
    assert field in r.json()["error"]["fields"]
    row = Opportunity.objects.get(pk=opp.pk)
    assert (row.amount, row.version) == (Decimal("5000.00"), 1)
    assert not OpportunityLine.objects.exists()


def test_lines_of_a_closed_deal_do_not_change(org, opp, catalogue):
    services.opportunity_win(actor=org["rep"], opportunity=opp)
    with pytest.raises(Conflict):
        services.opportunity_set_lines(
            actor=org["rep"],
            opportunity=opp,
            lines=[LineInput(catalogue["tea"].pk, 1)],
            expected_version=None,
        )
    with pytest.raises(PreconditionFailed):
        services.opportunity_set_lines(
            actor=org["rep"], opportunity=opp, lines=[], expected_version=1
        )


def test_a_new_deal_may_come_with_lines_but_not_with_an_amount_as_well(org, account, catalogue):
    opp = services.opportunity_create(
        actor=org["rep"],
        account=account,
        name="带产品",
        lines=[LineInput(catalogue["tea"].pk, Decimal("2"))],
    )
    assert opp.amount == Decimal("831.68") and opp.lines.count() == 1
    with pytest.raises(Invalid) as exc:
        services.opportunity_create(
            actor=org["rep"],
            account=account,
            name="两者",
            amount=Decimal(1),
            lines=[LineInput(catalogue["tea"].pk, 1)],
        )
    assert "amount" in exc.value.fields


def test_the_api_opens_a_deal_with_lines(org, api_as, account, catalogue):
    api = api_as(org["rep"])
    line = {"product_id": catalogue["tea"].pk, "quantity": "2"}
    body = {"account_id": account.pk, "name": "接口商机", "lines": [line]}
    r = api.post("/sales/opportunities", {**body, "price_list_id": catalogue["vip"].pk})
    assert r.status_code == 201, r.content
    assert r.json()["amount"] == "723.20" and r.json()["lines"][0]["unit_price"] == "320.0000"
    r = api.post("/sales/opportunities", {**body, "amount": "10"})
    assert r.status_code == 422 and "amount" in r.json()["error"]["fields"]
    r = api.post("/sales/opportunities", {**body, "lines": [{**line, "quantity": "-1"}]})
    assert r.status_code == 422 and "lines.0.quantity" in r.json()["error"]["fields"]
    assert Opportunity.objects.count() == 1


def test_a_quote_for_a_deal_takes_its_lines_and_price_list(org, api_as, account, opp, catalogue):
    tea, vip = catalogue["tea"], catalogue["vip"]
    services.opportunity_set_lines(
        actor=org["rep"],
        opportunity=opp,
        lines=[
            LineInput(tea.pk, Decimal("4"), discount_percent=Decimal("10")),
            LineInput(catalogue["cake"].pk, 2, unit_price=Decimal("20")),
        ],
        price_list=vip,
        expected_version=1,
    )
    opp.refresh_from_db()
    # The price list changes after the deal was priced: an unpriced line takes the new price,
    # a price agreed by hand stays.
    services.price_list_set_prices(actor=None, price_list=vip, prices={tea.pk: Decimal("300")})
    r = api_as(org["rep"]).post(
        "/sales/quotes", {"account_id": account.pk, "opportunity_id": opp.pk}
    )
    assert r.status_code == 201, r.content
    quote = r.json()
    assert quote["price_list_id"] == vip.pk and quote["opportunity_id"] == opp.pk
    assert [(ln["product_id"], ln["quantity"], ln["unit_price"]) for ln in quote["lines"]] == [
        (tea.pk, "4.000", "300.0000"),
        (catalogue["cake"].pk, "2.000", "20.0000"),
    ]
    assert quote["lines"][0]["discount_amount"] == "120.00"
    r = api_as(org["rep"]).post("/sales/quotes", {"account_id": account.pk})
    assert r.status_code == 422 and "lines" in r.json()["error"]["fields"]


def test_the_lines_api_needs_if_match_and_answers_with_the_detail(org, api_as, opp, catalogue):
    api = api_as(org["rep"])
    url = f"/sales/opportunities/{opp.pk}/lines"
    body = {"lines": [{"product_id": catalogue["tea"].pk, "quantity": "2"}]}
    assert api.put(url, body).status_code == 428
    assert api.put(url, body, **{"If-Match": f'"{opp.pk}-7"'}).status_code == 412
    r = api.put(url, {**body, "price_list_id": 987654}, **{"If-Match": f'"{opp.pk}-1"'})
    assert r.status_code == 422 and "price_list_id" in r.json()["error"]["fields"]
    r = api.put(url, body, **{"If-Match": f'"{opp.pk}-1"'})
    assert r.status_code == 200 and r["ETag"] == f'"{opp.pk}-2"'
    detail = r.json()
    assert detail["amount"] == "831.68" and len(detail["lines"]) == 1
    assert detail["lines"][0]["line_total"] == "831.68"
    r = api.get(f"/sales/opportunities/{opp.pk}")
    assert r.json()["lines"] == detail["lines"] and r["ETag"] == f'"{opp.pk}-2"'
    r = api.patch(f"/sales/opportunities/{opp.pk}", {"amount": "1"}, **{"If-Match": r["ETag"]})
    assert r.status_code == 422 and "amount" in r.json()["error"]["fields"]
    r = api_as(org["rep2"]).put(url, body, **{"If-Match": f'"{opp.pk}-2"'})
    assert r.status_code == 403  # a teammate sees the deal but does not change it


def test_the_opportunity_detail_api_runs_a_fixed_number_of_queries(
    org, api_as, opp, catalogue, make_product, django_assert_max_num_queries
):
    api = api_as(org["rep"])
    url = f"/sales/opportunities/{opp.pk}"
    api.get(url)  # the first call of a token also stamps its last use

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            r = api.get(url)
        assert r.status_code == 200
        return len(ctx.captured_queries)

    services.opportunity_set_lines(
        actor=org["rep"],
        opportunity=opp,
        lines=[LineInput(catalogue["tea"].pk, 1)],
        expected_version=None,
    )
    one = count()
    products = [make_product(price=str(10 + i)) for i in range(8)]
    services.opportunity_set_lines(
        actor=org["rep"],
        opportunity=opp,
        lines=[LineInput(p.pk, i + 1) for i, p in enumerate(products)],
        expected_version=None,
    )
    assert count() == one
    # The token with its user, the visibility check, the record with its relations, its lines.
    with django_assert_max_num_queries(4):
        assert api.get(url).status_code == 200


# ---- pages -------------------------------------------------------------------------------


def test_the_lines_page_saves_lines_and_shows_errors_on_the_right_row(org, opp, catalogue):
    c = client_for(org["rep"], "en")
    url = f"/sales/opportunities/{opp.pk}/lines/"
    r = c.get(url)
    assert r.status_code == 200 and 'name="product_2"' in r.content.decode()
    data = {
        "version": "1",
        "rows": "3",
        "price_list": catalogue["vip"].pk,
        "product_0": "",
        "product_1": catalogue["tea"].pk,
        "quantity_1": "-1",
        "product_2": catalogue["cake"].pk,
        "quantity_2": "2",
        "discount_percent_2": "130",
    }
    r = c.post(url, data)
    assert r.status_code == 422
    html = r.content.decode()
    assert "The quantity must be above zero." in html and "A percentage from 0 to 100." in html
    assert Opportunity.objects.get(pk=opp.pk).version == 1
    data.update(quantity_1="10", discount_percent_2="10")
    r = c.post(url, data)
    assert r.status_code == 302 and r["Location"] == f"/sales/opportunities/{opp.pk}/"
    opp.refresh_from_db()
    assert opp.lines.count() == 2 and opp.amount == Decimal("3690.56")
    r = c.get(f"/sales/opportunities/{opp.pk}/")
    html = r.content.decode()
    assert 'data-testid="opportunity-lines"' in html and "3,690.56" in html
    assert "the total of the product lines" in html
    r = c.post(url, data)  # the page was read at version 1: refused, not overwritten
    assert r.status_code == 412
    r = c.post(f"/sales/opportunities/{opp.pk}/quote/")
    assert r.status_code == 302
    quote = Quote.objects.get(opportunity=opp)
    assert r["Location"] == f"/sales/quotes/{quote.pk}/"
    assert quote.total == opp.amount and quote.lines.count() == 2
    stranger = client_for(org["stranger"])
    assert stranger.get(url).status_code == 404
    assert stranger.post(url, {**data, "version": "2"}).status_code == 404
    assert stranger.post(f"/sales/opportunities/{opp.pk}/quote/").status_code == 404
    assert Quote.objects.count() == 1
