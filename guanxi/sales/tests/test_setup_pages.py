"""The sales settings pages: pipelines with their stages and the prices of a price list."""

from __future__ import annotations

from decimal import Decimal

from guanxi.sales import services
from guanxi.sales.models import Opportunity, Pipeline, PriceListItem, Stage
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


def test_pipeline_form_shows_the_open_won_lost_rule_and_name_clash(org):
    c = client_for(org["lead"], "en")
    r = c.post(
        "/sales/pipelines/new/",
        {"name": "No loss", "stages": "a, 10, open\nb, 100, won\nc, 100, won"},
    )
    assert r.status_code == 422
    assert "at least one open, one won and one lost stage" in r.content.decode()
    assert not Pipeline.objects.filter(name="No loss").exists()
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


# ---- editing pipelines and stages on the page ----------------------------------------------

HX = {"HX-Request": "true"}


def _stage_ids(pipeline):
    return list(
        Stage.objects.filter(pipeline=pipeline, active=True)
        .order_by("position")
        .values_list("pk", flat=True)
    )


def test_managers_edit_stages_on_the_pipelines_page_with_htmx(org, account):
    services.default_pipeline()
    pipeline = services.pipeline_create(
        actor=None,
        name="页面流程",
        stages=[
            ("接洽", 10, "open"),
            ("报价", 50, "open"),
            ("赢单", 100, "won"),
            ("输单", 0, "lost"),
        ],
    )
    first, second, won, lost = _stage_ids(pipeline)
    c = client_for(org["lead"], "en")
    base = f"/sales/pipelines/{pipeline.pk}"
    html = c.get("/sales/pipelines/").content.decode()
    assert f'id="pipeline-{pipeline.pk}"' in html and f'data-testid="stage-row-{first}"' in html

    # Add a stage: it lands after the open stages; the card comes back.
    r = c.post(
        f"{base}/stages/new/",
        {"version": 1, f"new{pipeline.pk}-name": "谈判", f"new{pipeline.pk}-probability": "75",
         f"new{pipeline.pk}-kind": "open"},
        headers=HX,
    )  # fmt: skip
    assert r.status_code == 200 and "Stage 谈判 added." in r.content.decode()
    added = Stage.objects.get(pipeline=pipeline, name="谈判")
    assert _stage_ids(pipeline) == [first, second, added.pk, won, lost]

    # A probability of 120 is refused on its field; the card is retargeted to show it.
    data = {"version": 2, f"s{second}-name": "报价", f"s{second}-probability": "120",
            f"s{second}-kind": "open"}  # fmt: skip
    r = c.post(f"{base}/stages/{second}/", data, headers=HX)
    assert r.status_code == 422 and r["HX-Retarget"] == f"#pipeline-{pipeline.pk}"
    assert "Between 0 and 100." in r.content.decode()
    assert Stage.objects.get(pk=second).probability == 50
    data[f"s{second}-probability"] = "60"
    r = c.post(f"{base}/stages/{second}/", data, headers=HX)
    assert r.status_code == 200 and Stage.objects.get(pk=second).probability == 60
    r = c.post(f"{base}/stages/{second}/", data, headers=HX)  # the card had version 2
    assert r.status_code == 412 and r["HX-Retarget"] == "#messages"

    # Up and down.
    r = c.post(f"{base}/stages/{added.pk}/move/", {"version": 3, "direction": "up"}, headers=HX)
    assert r.status_code == 200
    assert _stage_ids(pipeline) == [first, added.pk, second, won, lost]

    # Removing a stage with an open deal needs a target; then the deal moves and it is archived.
    opp = services.opportunity_create(
        actor=org["rep"], account=account, name="在途", pipeline=pipeline
    )
    r = c.post(f"{base}/stages/{first}/remove/", {"version": 4}, headers=HX)
    assert r.status_code == 422
    assert "1 open deal is in this stage: choose the stage it moves to." in r.content.decode()
    r = c.post(f"{base}/stages/{won}/remove/", {"version": 4}, headers=HX)
    assert r.status_code == 422 and "This is the last Won stage." in r.content.decode()
    r = c.post(
        f"{base}/stages/{first}/remove/", {"version": 4, f"r{first}-target": second}, headers=HX
    )
    assert r.status_code == 200
    body = r.content.decode()
    assert "Stage 接洽 archived" in body and "1 open deal moved to 报价." in body
    assert f'data-testid="archived-{pipeline.pk}"' in body
    assert Opportunity.objects.get(pk=opp.pk).stage_id == second
    assert _stage_ids(pipeline) == [added.pk, second, won, lost]

    # Rename, make default, deactivate (refused while it has an open deal).
    r = c.post(
        f"{base}/edit/", {"version": 5, "action": "rename", f"p{pipeline.pk}-name": "新页面流程"},
        headers=HX,
    )  # fmt: skip
    assert r.status_code == 200 and Pipeline.objects.get(pk=pipeline.pk).name == "新页面流程"
    r = c.post(f"{base}/edit/", {"version": 6, "action": "deactivate"}, headers=HX)
    assert r.status_code == 422 and "close it first" in r.content.decode()
    r = c.post(f"{base}/edit/", {"version": 6, "action": "default"}, headers=HX)
    assert r.status_code == 200 and Pipeline.objects.get(pk=pipeline.pk).is_default


def test_the_pipelines_page_works_without_htmx_and_reps_may_not_post(org):
    pipeline = services.pipeline_create(actor=None, name="普通流程")
    stage = _stage_ids(pipeline)[0]
    c = client_for(org["lead"], "en")
    base = f"/sales/pipelines/{pipeline.pk}"
    data = {"version": 1, f"s{stage}-name": "首次接洽", f"s{stage}-probability": "200",
            f"s{stage}-kind": "open"}  # fmt: skip
    r = c.post(f"{base}/stages/{stage}/", data)
    assert r.status_code == 422 and "Between 0 and 100." in r.content.decode()
    assert "<html" in r.content.decode()  # the whole page, with the error on the stage
    data[f"s{stage}-probability"] = "20"
    r = c.post(f"{base}/stages/{stage}/", data)
    assert r.status_code == 302 and r["Location"].endswith(f"#pipeline-{pipeline.pk}")
    assert Stage.objects.get(pk=stage).name == "首次接洽"

    rep = client_for(org["rep"])
    posts = [
        (f"{base}/edit/", {"action": "deactivate"}),
        (
            f"{base}/stages/new/",
            {f"new{pipeline.pk}-name": "x", f"new{pipeline.pk}-probability": 1},
        ),
        (f"{base}/stages/{stage}/", {f"s{stage}-name": "x", f"s{stage}-probability": 1}),
        (f"{base}/stages/{stage}/move/", {"direction": "down"}),
        (f"{base}/stages/{stage}/remove/", {}),
    ]
    for url, body in posts:
        assert rep.post(url, body).status_code == 403, url
    fresh = Pipeline.objects.get(pk=pipeline.pk)
    assert (fresh.version, fresh.active, _stage_ids(pipeline)[0]) == (2, True, stage)
    assert c.post("/sales/pipelines/999999/edit/", {"action": "default"}).status_code == 404


def test_the_price_list_page_removes_a_price(org, make_product):
    product = make_product(price="100")
    price_list = services.price_list_create(actor=None, code="vip", name="VIP价")
    services.price_list_set_prices(
        actor=None, price_list=price_list, prices={product.pk: Decimal("88")}
    )
    url = f"/sales/price-lists/{price_list.pk}/"
    remove = f"{url}prices/{product.pk}/remove/"
    rep = client_for(org["rep"])
    assert 'data-testid="remove-price-' not in rep.get(url).content.decode()
    assert rep.post(remove, {"version": 2}).status_code == 403
    manager = client_for(org["lead"])
    assert f'data-testid="remove-price-{product.pk}"' in manager.get(url).content.decode()
    assert manager.post(remove, {"version": 1}).status_code == 412
    r = manager.post(remove, {"version": 2})
    assert r.status_code == 302 and r["Location"] == url
    assert not PriceListItem.objects.filter(price_list=price_list).exists()
    assert manager.post(remove, {"version": 3}).status_code == 404


def _grow_board(org, pipeline, n):
    from guanxi.customers.services import account_create

    for i in range(n):
        account = account_create(actor=org["rep"], name=f"看板客户{pipeline.pk}-{i}")
        services.opportunity_create(
            actor=org["rep"], account=account, name=f"看板{i}", pipeline=pipeline,
            amount=Decimal(100 + i),
        )  # fmt: skip
    services.stage_add(actor=org["lead"], pipeline=pipeline, name=f"阶段{n}", probability=n)


def _page_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200
    return len(ctx.captured_queries)


def test_the_board_and_the_pipelines_page_run_a_fixed_number_of_queries(
    org, django_assert_max_num_queries
):
    pipeline = services.default_pipeline()
    services.pipeline_create(actor=None, name="第二条")
    manager = client_for(org["lead"])
    board, setup = f"/sales/opportunities/?pipeline={pipeline.pk}", "/sales/pipelines/"
    _grow_board(org, pipeline, 1)
    small = (_page_queries(manager, board), _page_queries(manager, setup))
    _grow_board(org, pipeline, 6)
    assert (_page_queries(manager, board), _page_queries(manager, setup)) == small
    # Board: session, user, role, the pipeline, the pipeline picker with its stages, the
    # board's stages, the manager's reach (three), the deals, the bell's unread count.
    # Settings: session, user, role, pipelines, their stages, open deals per stage, the bell.
    assert small == (12, 7)
    with django_assert_max_num_queries(12):
        manager.get(board)
    with django_assert_max_num_queries(7):
        manager.get(setup)
