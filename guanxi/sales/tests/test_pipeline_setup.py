"""Editing pipelines and their stages: services and API (versions, 422s, history, archive)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from guanxi.core.errors import Conflict, Invalid, PermissionDenied, PreconditionFailed
from guanxi.core.models import AuditEntry
from guanxi.sales import selectors, services
from guanxi.sales.models import Opportunity, Pipeline, Stage, StageChange


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def pipeline(db):
    return services.pipeline_create(
        actor=None,
        name="设置流程",
        stages=[
            ("接洽", 10, "open"),
            ("报价", 50, "open"),
            ("赢单", 100, "won"),
            ("输单", 0, "lost"),
        ],
    )


def stages(pipeline, active=True):
    return list(Stage.objects.filter(pipeline=pipeline, active=active).order_by("position"))


def names(pipeline):
    return [s.name for s in stages(pipeline)]


def fresh(pipeline):
    return Pipeline.objects.get(pk=pipeline.pk)


def by_name(pipeline, name):
    return Stage.objects.get(pipeline=pipeline, name=name)


def positions_are_dense(pipeline):
    every = list(Stage.objects.filter(pipeline=pipeline).order_by("position"))
    active = [s for s in every if s.active]
    return [s.position for s in every] == list(range(len(every))) and every[: len(active)] == (
        active
    )


# ---- pipelines ---------------------------------------------------------------------------


def test_only_one_pipeline_is_the_default_and_it_stays_active(org, pipeline):
    lead = org["lead"]
    other = services.pipeline_create(actor=None, name="第二流程")
    first_default = Pipeline.objects.get(is_default=True)
    assert first_default.pk == pipeline.pk  # the first pipeline became the default
    updated = services.pipeline_update(
        actor=lead, pipeline=other, changes={"is_default": True}, expected_version=other.version
    )
    assert updated.is_default and updated.version == other.version + 1
    assert list(Pipeline.objects.filter(is_default=True)) == [updated]
    assert fresh(pipeline).version == pipeline.version + 1  # its flag changed
    with pytest.raises(Invalid) as exc:
        services.pipeline_update(
            actor=lead, pipeline=updated, changes={"active": False}, expected_version=None
        )
    assert "active" in exc.value.fields
    with pytest.raises(Invalid) as exc:
        services.pipeline_update(
            actor=lead, pipeline=updated, changes={"is_default": False}, expected_version=None
        )
    assert "is_default" in exc.value.fields
    assert fresh(other).is_default and fresh(other).active


def test_renaming_checks_the_version_and_the_name_and_is_audited(org, pipeline):
    lead = org["lead"]
    services.pipeline_create(actor=None, name="已有")
    with pytest.raises(PreconditionFailed):
        services.pipeline_update(
            actor=lead, pipeline=pipeline, changes={"name": "新"}, expected_version=99
        )
    with pytest.raises(Invalid) as exc:
        services.pipeline_update(
            actor=lead, pipeline=pipeline, changes={"name": "已有"}, expected_version=1
        )
    assert exc.value.fields == {"name": ["A pipeline with this name exists."]}
    with pytest.raises(Invalid):
        services.pipeline_update(
            actor=lead, pipeline=pipeline, changes={"name": "  "}, expected_version=1
        )
    services.pipeline_update(
        actor=lead, pipeline=pipeline, changes={"name": " 大客户 "}, expected_version=1
    )
    assert fresh(pipeline).name == "大客户" and fresh(pipeline).version == 2
    entry = (
        AuditEntry.objects.filter(object_type="sales.pipeline", action="update")
        .order_by("pk")
        .last()
    )
    assert entry is not None and entry.changes == {"name": ["设置流程", "大客户"]}
    with pytest.raises(PermissionDenied):
        services.pipeline_update(
            actor=org["rep"], pipeline=pipeline, changes={"name": "x"}, expected_version=None
        )


def test_a_pipeline_with_open_deals_is_not_deactivated(org, account, pipeline):
    other = services.pipeline_create(actor=None, name="备用流程")
    opp = services.opportunity_create(
        actor=org["rep"], account=account, name="在途", pipeline=other
    )
    with pytest.raises(Invalid) as exc:
        services.pipeline_update(
            actor=org["lead"], pipeline=other, changes={"active": False}, expected_version=None
        )
    assert exc.value.fields["active"] == ["1 open deal is in this pipeline; close it first."]
    services.opportunity_lose(actor=org["rep"], opportunity=opp, lost_reason="预算")
    services.pipeline_update(
        actor=org["lead"], pipeline=other, changes={"active": False}, expected_version=None
    )
    assert not fresh(other).active
    assert other.pk not in {p.pk for p in selectors.pipeline_list(actor=org["rep"])}
    assert services.default_pipeline().pk == pipeline.pk


# ---- stages ------------------------------------------------------------------------------


def test_a_new_open_stage_goes_after_the_last_open_stage_and_a_closing_one_at_the_end(
    org, pipeline
):
    services.stage_add(
        actor=org["lead"], pipeline=pipeline, name="谈判", probability=75, expected_version=1
    )
    assert names(pipeline) == ["接洽", "报价", "谈判", "赢单", "输单"]
    services.stage_add(
        actor=org["lead"], pipeline=pipeline, name="部分赢单", probability=100, kind="won"
    )
    assert names(pipeline) == ["接洽", "报价", "谈判", "赢单", "输单", "部分赢单"]
    assert fresh(pipeline).version == 3
    assert positions_are_dense(pipeline)
    assert AuditEntry.objects.filter(object_type="sales.pipeline", action="stage_add").count() == 2


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name": "x", "probability": 120}, "probability"),
        ({"name": "x", "probability": -1}, "probability"),
        ({"name": "", "probability": 10}, "name"),
        ({"name": "接洽", "probability": 10}, "name"),
        ({"name": "x", "probability": 10, "kind": "maybe"}, "kind"),
        ({"name": "x", "probability": None}, "probability"),
    ],
)
def test_a_bad_new_stage_is_a_422_and_changes_nothing(org, pipeline, values, field):
    with pytest.raises(Invalid) as exc:
        services.stage_add(actor=org["lead"], pipeline=pipeline, **values)
    assert field in exc.value.fields
    assert names(pipeline) == ["接洽", "报价", "赢单", "输单"] and fresh(pipeline).version == 1


def test_editing_a_stage_checks_probability_and_the_kind_rules(org, account, pipeline):
    lead = org["lead"]
    quote_stage = by_name(pipeline, "报价")
    with pytest.raises(Invalid) as exc:
        services.stage_update(
            actor=lead, stage=quote_stage, changes={"probability": 120}, expected_version=1
        )
    assert exc.value.fields == {"probability": ["Between 0 and 100."]}
    with pytest.raises(Invalid) as exc:
        services.stage_update(
            actor=lead,
            stage=by_name(pipeline, "赢单"),
            changes={"kind": "open"},
            expected_version=1,
        )
    assert "kind" in exc.value.fields  # the last won stage
    services.stage_update(
        actor=lead,
        stage=quote_stage,
        changes={"name": "方案", "probability": 60, "kind": "won"},
        expected_version=1,
    )
    quote_stage.refresh_from_db()
    assert (quote_stage.name, quote_stage.probability, quote_stage.kind) == ("方案", 60, "won")
    assert fresh(pipeline).version == 2
    entry = AuditEntry.objects.get(object_type="sales.pipeline", action="stage_update")
    assert entry.changes[f"stages.{quote_stage.pk}.probability"] == [50, 60]
    # A stage that holds deals keeps its kind (their status would contradict it).
    services.opportunity_create(actor=org["rep"], account=account, name="在途", pipeline=pipeline)
    with pytest.raises(Invalid) as exc:
        services.stage_update(
            actor=lead,
            stage=by_name(pipeline, "接洽"),
            changes={"kind": "lost"},
            expected_version=2,
        )
    assert "kind" in exc.value.fields
    with pytest.raises(PreconditionFailed):
        services.stage_update(
            actor=lead, stage=quote_stage, changes={"probability": 70}, expected_version=1
        )


def test_reordering_needs_every_active_stage_once_and_only_this_pipelines(org, pipeline):
    lead = org["lead"]
    other = services.pipeline_create(actor=None, name="别的流程")
    ids = [s.pk for s in stages(pipeline)]
    foreign = stages(other)[0].pk
    for bad in ([*ids[:3], foreign], ids[:3], [*ids, ids[0]], [ids[0], "x", *ids[1:]]):
        with pytest.raises(Invalid) as exc:
            services.stage_reorder(actor=lead, pipeline=pipeline, stage_ids=bad, expected_version=1)
        assert "stage_ids" in exc.value.fields, bad
    assert [s.pk for s in stages(pipeline)] == ids and fresh(pipeline).version == 1
    new_order = [ids[1], ids[0], ids[3], ids[2]]
    services.stage_reorder(actor=lead, pipeline=pipeline, stage_ids=new_order, expected_version=1)
    assert [s.pk for s in stages(pipeline)] == new_order
    assert positions_are_dense(pipeline)
    with pytest.raises(PreconditionFailed):
        services.stage_reorder(actor=lead, pipeline=pipeline, stage_ids=ids, expected_version=1)


def test_removing_a_stage_with_open_deals_needs_a_target_then_moves_them_with_history(
    org, account, pipeline, make_account
):
    rep, lead = org["rep"], org["lead"]
    first, second = stages(pipeline)[:2]
    deals = [
        services.opportunity_create(actor=rep, account=account, name=f"商机{i}", pipeline=pipeline)
        for i in range(3)
    ]
    other_rep = services.opportunity_create(
        actor=org["stranger"], account=make_account(org["stranger"]), name="别队", pipeline=pipeline
    )
    binned = services.opportunity_create(
        actor=rep, account=account, name="回收站", pipeline=pipeline
    )
    services.opportunity_delete(actor=rep, opportunity=binned, expected_version=binned.version)
    won = services.opportunity_create(actor=rep, account=account, name="已赢", pipeline=pipeline)
    services.opportunity_win(actor=rep, opportunity=won, amount=Decimal(10))
    elsewhere = stages(services.pipeline_create(actor=None, name="外部流程"))[0]
    audit_before = AuditEntry.objects.count()

    with pytest.raises(Invalid) as exc:
        services.stage_remove(actor=lead, stage=first, expected_version=1)
    assert exc.value.fields == {
        "target_stage_id": ["5 open deals are in this stage: choose the stage they move to."]
    }
    for bad_target in (first, by_name(pipeline, "赢单"), elsewhere):
        with pytest.raises(Invalid) as exc:
            services.stage_remove(actor=lead, stage=first, target=bad_target, expected_version=1)
        assert "target_stage_id" in exc.value.fields
    assert AuditEntry.objects.count() == audit_before
    assert Opportunity.all_objects.filter(stage=first, status="open").count() == 5

    removal = services.stage_remove(actor=lead, stage=first, target=second, expected_version=1)
    assert (removal.archived, removal.moved) == (True, 5)
    first.refresh_from_db()
    assert not first.active
    moved = [*deals, other_rep, binned]
    for deal in moved:
        row = Opportunity.all_objects.get(pk=deal.pk)
        assert row.stage_id == second.pk and row.version == deal.version + 1
        last = StageChange.objects.filter(opportunity=deal).last()
        assert last is not None
        assert (last.from_stage_id, last.to_stage_id, last.changed_by) == (
            first.pk,
            second.pk,
            lead,
        )
        assert AuditEntry.objects.filter(
            object_type="sales.opportunity", object_id=str(deal.pk), action="update",
            changes={"stage": [first.pk, second.pk]},
        ).exists()  # fmt: skip
    assert names(pipeline) == ["报价", "赢单", "输单"]
    assert positions_are_dense(pipeline)
    assert fresh(pipeline).version == 2
    # Archived: off the board and out of the choices; history and reports keep it.
    columns = selectors.kanban(actor=lead, pipeline=pipeline)
    assert first.pk not in [c["stage"].pk for c in columns]
    with pytest.raises(Invalid):
        services.opportunity_move(actor=rep, opportunity=deals[0], stage=first)
    with pytest.raises(Invalid):
        services.opportunity_create(
            actor=rep, account=account, name="新", pipeline=pipeline, stage=first
        )
    assert (
        services.opportunity_create(
            actor=rep, account=account, name="新", pipeline=pipeline
        ).stage_id
        == second.pk
    )
    today = timezone.localdate()
    funnel = selectors.funnel(
        actor=lead, pipeline=pipeline, start=today - dt.timedelta(days=1), end=today
    )
    # The three deals and the won one (the binned and the other team's are not the lead's).
    assert [(r["stage"], r["entered"], r["active"]) for r in funnel][-1] == ("接洽", 4, False)
    with pytest.raises(Conflict):
        services.stage_remove(actor=lead, stage=first, target=second, expected_version=None)


def test_an_unused_stage_is_deleted_and_the_last_of_a_kind_stays(org, pipeline):
    lead = org["lead"]
    spare = services.stage_add(actor=lead, pipeline=pipeline, name="备用", probability=30)
    removal = services.stage_remove(actor=lead, stage=spare, expected_version=None)
    assert (removal.archived, removal.moved) == (False, 0)
    assert not Stage.objects.filter(pk=spare.pk).exists()
    for name in ("赢单", "输单"):
        with pytest.raises(Invalid) as exc:
            services.stage_remove(actor=lead, stage=by_name(pipeline, name), expected_version=None)
        assert "stage_id" in exc.value.fields
    services.stage_remove(actor=lead, stage=by_name(pipeline, "接洽"), expected_version=None)
    with pytest.raises(Invalid) as exc:  # the last open stage
        services.stage_remove(actor=lead, stage=by_name(pipeline, "报价"), expected_version=None)
    assert "stage_id" in exc.value.fields
    assert names(pipeline) == ["报价", "赢单", "输单"]
    with pytest.raises(PermissionDenied):
        services.stage_remove(
            actor=org["rep"], stage=by_name(pipeline, "报价"), expected_version=None
        )


def test_forecast_leaves_out_open_deals_in_archived_stages(org, account, pipeline):
    rep = org["rep"]
    today = timezone.localdate()
    opp = services.opportunity_create(
        actor=rep, account=account, name="预测", pipeline=pipeline, amount=Decimal(1000),
        expected_close_date=today,
    )  # fmt: skip
    assert selectors.forecast(actor=rep, kind="month", day=today).pipeline == Decimal(1000)
    # Only possible through the database: the services move open deals out first.
    Stage.objects.filter(pk=opp.stage_id).update(active=False)
    assert selectors.forecast(actor=rep, kind="month", day=today).pipeline == 0


# ---- API ---------------------------------------------------------------------------------


def etag(response) -> dict[str, str]:
    return {"If-Match": response["ETag"]}


def test_pipeline_api_reads_and_patches_with_etags(org, api_as, pipeline):
    api = api_as(org["lead"])
    r = api.get(f"/sales/pipelines/{pipeline.pk}")
    assert r.status_code == 200 and r["ETag"] == f'"{pipeline.pk}-1"'
    assert [s["name"] for s in r.json()["stages"]] == ["接洽", "报价", "赢单", "输单"]
    assert api.patch(f"/sales/pipelines/{pipeline.pk}", {"name": "新名"}).status_code == 428
    stale = {"If-Match": f'"{pipeline.pk}-9"'}
    assert (
        api.patch(f"/sales/pipelines/{pipeline.pk}", {"name": "新名"}, **stale).status_code == 412
    )
    r2 = api.patch(f"/sales/pipelines/{pipeline.pk}", {"name": "新名"}, **etag(r))
    assert r2.status_code == 200 and r2.json()["name"] == "新名"
    assert r2["ETag"] == f'"{pipeline.pk}-2"'
    assert (
        api.patch(f"/sales/pipelines/{pipeline.pk}", {"name": "旧"}, **etag(r)).status_code == 412
    )
    assert fresh(pipeline).name == "新名"
    rep = api_as(org["rep"])
    assert rep.get(f"/sales/pipelines/{pipeline.pk}").status_code == 403
    assert rep.get("/sales/pipelines").status_code == 200
    assert api.get("/sales/pipelines/999999").status_code == 404


def test_stage_api_adds_edits_orders_and_removes_with_per_field_422s(
    org, api_as, account, pipeline
):
    api = api_as(org["lead"])
    url = f"/sales/pipelines/{pipeline.pk}"
    r = api.post(f"{url}/stages", {"name": "谈判", "probability": 80})
    assert r.status_code == 201 and r["ETag"] == f'"{pipeline.pk}-2"'
    assert [s["name"] for s in r.json()["stages"]] == ["接洽", "报价", "谈判", "赢单", "输单"]
    ids = {s["name"]: s["id"] for s in r.json()["stages"]}
    r2 = api.patch(f"{url}/stages/{ids['谈判']}", {"probability": 120}, **etag(r))
    assert r2.status_code == 422 and list(r2.json()["error"]["fields"]) == ["probability"]
    r2 = api.patch(f"{url}/stages/{ids['谈判']}", {"probability": 70}, **etag(r))
    assert r2.status_code == 200 and r2["ETag"] == f'"{pipeline.pk}-3"'
    assert api.patch(f"{url}/stages/{ids['谈判']}", {"probability": 60}).status_code == 428

    other = services.pipeline_create(actor=None, name="别的")
    foreign = stages(other)[0].pk
    order = [ids["报价"], ids["接洽"], ids["谈判"], ids["赢单"], foreign]
    r3 = api.put(f"{url}/stage-order", {"stage_ids": order}, **etag(r2))
    assert r3.status_code == 422 and "stage_ids" in r3.json()["error"]["fields"]
    order[-1] = ids["输单"]
    r3 = api.put(f"{url}/stage-order", {"stage_ids": order}, **etag(r2))
    assert r3.status_code == 200
    assert [s["id"] for s in r3.json()["stages"]] == order

    opp = services.opportunity_create(
        actor=org["rep"], account=account, name="在途", pipeline=pipeline
    )
    first = opp.stage_id
    r4 = api.delete(f"{url}/stages/{first}", **etag(r3))
    assert r4.status_code == 422 and "target_stage_id" in r4.json()["error"]["fields"]
    r4 = api.delete(f"{url}/stages/{ids['赢单']}", **etag(r3))
    assert r4.status_code == 422 and "stage_id" in r4.json()["error"]["fields"]
    r4 = api.delete(f"{url}/stages/{first}?target_stage_id={foreign}", **etag(r3))
    assert r4.status_code == 422 and "target_stage_id" in r4.json()["error"]["fields"]
    assert Opportunity.objects.get(pk=opp.pk).stage_id == first
    r4 = api.delete(f"{url}/stages/{first}?target_stage_id={ids['谈判']}", **etag(r3))
    assert r4.status_code == 200, r4.content
    out = r4.json()["stages"]
    assert [(s["id"], s["active"]) for s in out][-1] == (first, False)
    assert Opportunity.objects.get(pk=opp.pk).stage_id == ids["谈判"]
    assert api.delete(f"{url}/stages/{foreign}", **etag(r4)).status_code == 404
    history = api_as(org["rep"]).get(f"/sales/opportunities/{opp.pk}/history").json()
    assert [(h["from_stage_id"], h["to_stage_id"]) for h in history][-1] == (first, ids["谈判"])


def test_price_list_api_reads_patches_and_removes_prices_with_etags(org, api_as, make_product):
    product = make_product(price="100")
    price_list = services.price_list_create(actor=None, code="vip", name="VIP价")
    api = api_as(org["lead"])
    url = f"/sales/price-lists/{price_list.pk}"
    r = api.get(url)
    assert r.status_code == 200 and r["ETag"] == f'"{price_list.pk}-1"'
    assert api.put(f"{url}/prices", {"prices": {str(product.pk): "88"}}).status_code == 428
    r = api.put(f"{url}/prices", {"prices": {str(product.pk): "88"}}, **etag(r))
    assert r.status_code == 200 and r.json()["prices"] == {str(product.pk): "88.0000"}
    assert r["ETag"] == f'"{price_list.pk}-2"'
    assert api.delete(f"{url}/prices/{product.pk}").status_code == 428
    assert api.delete(f"{url}/prices/{product.pk}", **{"If-Match": '"1-1"'}).status_code == 412
    assert api_as(org["rep"]).delete(f"{url}/prices/{product.pk}", **etag(r)).status_code == 403
    r2 = api.delete(f"{url}/prices/{product.pk}", **etag(r))
    assert r2.status_code == 200 and r2.json()["prices"] == {}
    entry = AuditEntry.objects.filter(object_type="sales.pricelist").order_by("pk").last()
    assert entry is not None and entry.changes == {f"prices.{product.pk}": ["88.0000", None]}
    assert api.delete(f"{url}/prices/{product.pk}", **etag(r2)).status_code == 404
    r3 = api.patch(url, {"name": "VIP 会员价", "is_default": True}, **etag(r2))
    assert r3.status_code == 200 and r3.json()["is_default"] and r3.json()["name"] == "VIP 会员价"
    r4 = api.patch(url, {"active": False}, **etag(r3))
    assert r4.status_code == 422 and "active" in r4.json()["error"]["fields"]
