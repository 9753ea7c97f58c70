"""The sales pages: they render in zh-Hans and English, hide others' records, and drive the
same services as the API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from guanxi.customers.services import account_create
from guanxi.sales import services
from guanxi.sales.models import Lead, Opportunity, Order, Stage


def client_for(user, language: str = "zh-hans") -> Client:
    c = Client(headers={"Accept-Language": language})
    c.force_login(user)
    c.cookies["guanxi_language"] = language
    return c


LIST_PAGES = [
    "/sales/leads/",
    "/sales/leads/?tab=pool",
    "/sales/opportunities/",
    "/sales/opportunities/list/",
    "/sales/products/",
    "/sales/quotes/",
    "/sales/orders/",
    "/sales/contracts/",
    "/sales/forecast/",
    "/sales/reports/",
    "/sales/leads/new/",
    "/sales/opportunities/new/",
    "/sales/quotes/new/",
    "/sales/orders/new/",
    "/sales/contracts/new/",
    "/sales/leads/scoring/",
]


@pytest.mark.parametrize(("language", "word"), [("zh-hans", "线索"), ("en", "Leads")])
def test_every_page_renders_in_both_languages(org, make_order, language, word):
    make_order(paid=True)
    c = client_for(org["admin"], language)
    for url in LIST_PAGES:
        r = c.get(url)
        assert r.status_code == 200, (url, r.status_code)
    assert word in c.get("/sales/leads/").content.decode()


def _records(org):
    rep = org["rep"]
    account = account_create(actor=rep, name="东区客户")
    product = services.product_create(actor=None, sku="PG-1", name_zh="茶", list_price=Decimal(10))
    lead = services.lead_create(actor=rep, name="东区线索")
    opp = services.opportunity_create(actor=rep, account=account, name="东区商机")
    line = [services.LineInput(product.pk, 1)]
    quote = services.quote_create(actor=rep, account=account, lines=line)
    order = services.order_create(actor=rep, account=account, lines=line)
    contract = services.contract_create(
        actor=rep, account=account, title="合同", start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 12, 31), value=Decimal(100),
    )  # fmt: skip
    return lead, opp, quote, order, contract


def test_a_stranger_gets_404_on_every_page_with_an_id_and_nothing_changes(org):
    lead, opp, quote, order, contract = _records(org)
    stage = (
        Stage.objects.filter(pipeline_id=opp.pipeline_id, kind="open").order_by("position").last()
    )
    assert stage is not None
    c = client_for(org["stranger"])
    gets = [
        f"/sales/leads/{lead.pk}/",
        f"/sales/leads/{lead.pk}/edit/",
        f"/sales/opportunities/{opp.pk}/",
        f"/sales/quotes/{quote.pk}/",
        f"/sales/orders/{order.pk}/",
        f"/sales/contracts/{contract.pk}/",
    ]
    posts = {
        f"/sales/leads/{lead.pk}/edit/": {"name": "x", "source": "other", "status": "new"},
        f"/sales/leads/{lead.pk}/claim/": {},
        f"/sales/leads/{lead.pk}/release/": {},
        f"/sales/leads/{lead.pk}/interaction/": {},
        f"/sales/leads/{lead.pk}/convert/": {"account": "new"},
        f"/sales/opportunities/{opp.pk}/": {"action": "win", "amount": "1"},
        f"/sales/opportunities/{opp.pk}/move/": {"stage_id": stage.pk},
        f"/sales/quotes/{quote.pk}/convert/": {},
        f"/sales/quotes/{quote.pk}/status/": {"status": "sent"},
        f"/sales/orders/{order.pk}/payment/": {"amount": "1"},
        f"/sales/orders/{order.pk}/cancel/": {},
        f"/sales/orders/{order.pk}/status/": {"status": "shipped"},
        f"/sales/contracts/{contract.pk}/": {"title": "x"},
    }
    before = [
        (m.objects.get(pk=o.pk).version, m.objects.get(pk=o.pk).updated_at)
        for m, o in ((Lead, lead), (Opportunity, opp), (Order, order))
    ]
    for url in gets:
        assert c.get(url).status_code == 404, url
    for url, data in posts.items():
        assert c.post(url, data).status_code == 404, url
    after = [
        (m.objects.get(pk=o.pk).version, m.objects.get(pk=o.pk).updated_at)
        for m, o in ((Lead, lead), (Opportunity, opp), (Order, order))
    ]
    assert before == after
    # The owner sees them all.
    owner = client_for(org["rep"])
    for url in gets:
        assert owner.get(url).status_code == 200, url


def test_dropping_a_card_on_won_asks_for_the_amount_then_wins(org, account):
    opp = services.opportunity_create(actor=org["rep"], account=account, name="看板商机")
    won = Stage.objects.get(pipeline_id=opp.pipeline_id, kind="won")
    c = client_for(org["rep"])
    headers = {"HX-Request": "true"}
    r = c.post(f"/sales/opportunities/{opp.pk}/move/", {"stage_id": won.pk}, headers=headers)
    assert r.status_code == 200 and b'data-testid="close-dialog"' in r.content
    r = c.post(
        f"/sales/opportunities/{opp.pk}/move/",
        {"stage_id": won.pk, "confirmed": "1"},
        headers=headers,
    )
    assert r.status_code == 422  # no amount yet
    assert r["HX-Retarget"] == "#board"  # the dialog comes back with its error, in place
    assert b"is-invalid" in r.content  # …next to the field, where Bootstrap shows it
    assert Opportunity.objects.get(pk=opp.pk).status == "open"
    r = c.post(
        f"/sales/opportunities/{opp.pk}/move/",
        {"stage_id": won.pk, "confirmed": "1", "amount": "5000"},
        headers=headers,
    )
    assert r.status_code == 200 and b"gx-kanban" in r.content
    assert Opportunity.objects.get(pk=opp.pk).status == "won"


def test_quote_form_shows_line_errors_on_the_right_row(org, account, product):
    c = client_for(org["rep"], "en")
    r = c.post(
        "/sales/quotes/new/",
        {"account": account.pk, "product_0": product.pk, "quantity_0": "-3"},
    )
    assert r.status_code == 200 and b"The quantity must be above zero." in r.content
    r = c.post(
        "/sales/quotes/new/",
        {"account": account.pk, "product_0": product.pk, "quantity_0": "3", "discount_0": "10"},
    )
    assert r.status_code == 302
    quote_url = r["Location"]
    r = c.post(quote_url + "convert/")
    assert r.status_code == 302 and "/sales/orders/" in r["Location"]


def test_admins_edit_score_weights_on_a_page_and_managers_may_not(org):
    lead = services.lead_create(actor=org["rep"], name="评分", source="event")
    assert client_for(org["lead"]).get("/sales/leads/scoring/").status_code == 403
    data = {"completeness": 0, "engagement": 0, "source": 100}
    data.update({f"points_{k}": 10 for k in Lead.Source.values})
    data["points_event"] = 70
    r = client_for(org["admin"]).post("/sales/leads/scoring/", data)
    assert r.status_code == 302
    assert Lead.objects.get(pk=lead.pk).score == 70
