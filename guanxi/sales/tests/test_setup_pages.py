"""The sales settings pages: pipelines with their stages and the prices of a price list."""

from __future__ import annotations

from decimal import Decimal

from guanxi.sales import services
from guanxi.sales.models import Pipeline, PriceListItem
from guanxi.sales.tests.test_pages import client_for


def test_managers_list_and_create_pipelines_and_reps_are_refused(org):
    manager = client_for(org["lead"])
    services.default_pipeline()
    r = manager.get("/sales/pipelines/")
    assert r.status_code == 200
    assert "赢单" in r.content.decode()
    assert "/sales/pipelines/" in manager.get("/sales/opportunities/").content.decode()
    assert manager.get("/sales/pipelines/new/").status_code == 200
    r = manager.post(
        "/sales/pipelines/new/",
        {"name": "大客户流程", "stages": "接洽, 20, open\n成交, 100, won\n丢单, 0, lost"},
    )
    assert r.status_code == 302
    pipeline = Pipeline.objects.get(name="大客户流程")
    assert list(pipeline.stages.order_by("position").values_list("name", "kind")) == [
        ("接洽", "open"),
        ("成交", "won"),
        ("丢单", "lost"),
    ]

    rep = client_for(org["rep"])
    assert "/sales/pipelines/" not in rep.get("/sales/opportunities/").content.decode()
    assert rep.get("/sales/pipelines/").status_code == 403
    assert rep.get("/sales/pipelines/new/").status_code == 403
    r = rep.post("/sales/pipelines/new/", {"name": "私自流程", "stages": "a, 1, open"})
    assert r.status_code == 403
    assert not Pipeline.objects.filter(name="私自流程").exists()


def test_pipeline_form_shows_the_one_won_one_lost_rule_and_name_clash(org):
    c = client_for(org["lead"], "en")
    r = c.post(
        "/sales/pipelines/new/",
        {"name": "Two wins", "stages": "a, 10, open\nb, 100, won\nc, 100, won\nd, 0, lost"},
    )
    assert r.status_code == 422
    assert "one won and one lost stage" in r.content.decode()
    assert not Pipeline.objects.filter(name="Two wins").exists()
    r = c.post("/sales/pipelines/new/", {"name": "Bad", "stages": "only a name"})
    assert r.status_code == 422
    assert "Line 1" in r.content.decode()
    services.pipeline_create(actor=None, name="Taken")
    r = c.post(
        "/sales/pipelines/new/", {"name": "Taken", "stages": "a, 10, open\nb, 100, won\nc, 0, lost"}
    )
    assert r.status_code == 422
    assert "A pipeline with this name exists." in r.content.decode()


def test_price_list_page_adds_and_changes_prices_and_reps_only_read(org, make_product):
    product = make_product(price="100")
    price_list = services.price_list_create(actor=None, code="vip", name="VIP价")
    manager = client_for(org["lead"])
    assert (
        f"/sales/price-lists/{price_list.pk}/" in manager.get("/sales/products/").content.decode()
    )
    url = f"/sales/price-lists/{price_list.pk}/"
    assert manager.get(url).status_code == 200
    assert manager.post(url, {"product": product.pk, "unit_price": "88"}).status_code == 302
    assert manager.post(url, {"product": product.pk, "unit_price": "77.5"}).status_code == 302
    item = PriceListItem.objects.get(price_list=price_list, product=product)
    assert item.unit_price == Decimal("77.50")
    assert "77.50" in manager.get(url).content.decode()
    r = manager.post(url, {"product": product.pk, "unit_price": "-1"})
    assert r.status_code == 422
    assert PriceListItem.objects.get(pk=item.pk).unit_price == Decimal("77.50")

    rep = client_for(org["rep"])
    r = rep.get(url)
    assert r.status_code == 200
    assert 'name="unit_price"' not in r.content.decode()
    assert rep.post(url, {"product": product.pk, "unit_price": "1"}).status_code == 403
    assert PriceListItem.objects.get(pk=item.pk).unit_price == Decimal("77.50")
    assert manager.get("/sales/price-lists/999999/").status_code == 404
