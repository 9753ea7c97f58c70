"""Pipelines, stage moves, won/lost, stage history; forecast and reports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from guanxi.core.errors import Conflict, Invalid
from guanxi.core.events import subscribe
from guanxi.customers.services import account_create
from guanxi.sales import selectors, services
from guanxi.sales.events import OpportunityLost, OpportunityWon
from guanxi.sales.models import Opportunity, Stage, StageChange


@pytest.fixture
def pipeline(db):
    return services.pipeline_create(
        actor=None,
        name="测试流程",
        stages=[
            ("接洽", 10, "open"),
            ("报价", 50, "open"),
            ("赢单", 100, "won"),
            ("输单", 0, "lost"),
        ],
    )


def stage(pipeline, kind, position=None):
    qs = Stage.objects.filter(pipeline=pipeline, kind=kind)
    return qs.get(position=position) if position is not None else qs.get()


def test_pipelines_need_one_won_one_lost_and_valid_probabilities(org):
    with pytest.raises(Invalid) as exc:
        services.pipeline_create(
            actor=org["admin"], name="坏", stages=[("a", 120, "open"), ("b", 100, "won")]
        )
    assert {"stages", "stages.0.probability"} <= set(exc.value.fields)


def test_moving_through_stages_keeps_history_and_winning_needs_an_amount(
    org, account, pipeline, django_capture_on_commit_callbacks
):
    won_events: list[OpportunityWon] = []
    subscribe(OpportunityWon)(won_events.append)
    opp = services.opportunity_create(
        actor=org["rep"], account=account, name="大单", pipeline=pipeline
    )
    assert opp.stage.position == 0
    opp = services.opportunity_move(
        actor=org["rep"], opportunity=opp, stage=stage(pipeline, "open", 1)
    )
    with pytest.raises(Invalid) as exc:
        services.opportunity_move(actor=org["rep"], opportunity=opp, stage=stage(pipeline, "won"))
    assert "amount" in exc.value.fields
    assert Opportunity.objects.get(pk=opp.pk).status == "open"
    with django_capture_on_commit_callbacks(execute=True):
        opp = services.opportunity_win(actor=org["rep"], opportunity=opp, amount=Decimal("88000"))
    assert (opp.status, opp.amount) == ("won", Decimal("88000.00")) and opp.closed_at
    assert [e.opportunity_id for e in won_events if e.opportunity_id == opp.pk] == [opp.pk]
    moves = list(
        StageChange.objects.filter(opportunity=opp).values_list("to_stage__position", flat=True)
    )
    assert moves == [0, 1, 2]
    with pytest.raises(Conflict):
        services.opportunity_move(
            actor=org["rep"], opportunity=opp, stage=stage(pipeline, "open", 0)
        )


def test_losing_needs_a_reason(org, account, pipeline, django_capture_on_commit_callbacks):
    lost: list[OpportunityLost] = []
    subscribe(OpportunityLost)(lost.append)
    opp = services.opportunity_create(
        actor=org["rep"], account=account, name="丢单", pipeline=pipeline
    )
    with pytest.raises(Invalid) as exc:
        services.opportunity_lose(actor=org["rep"], opportunity=opp, lost_reason=" ")
    assert "lost_reason" in exc.value.fields
    with django_capture_on_commit_callbacks(execute=True):
        opp = services.opportunity_lose(actor=org["rep"], opportunity=opp, lost_reason="价格太高")
    assert opp.status == "lost" and lost[-1].lost_reason == "价格太高"


def test_forecast_is_won_plus_weighted_pipeline_next_to_the_target(org, pipeline):
    today = timezone.localdate()
    rep = org["rep"]
    account = account_create(actor=rep, name="预测客户")
    won = services.opportunity_create(actor=rep, account=account, name="赢", pipeline=pipeline)
    services.opportunity_win(actor=rep, opportunity=won, amount=Decimal("1000"))
    services.opportunity_create(
        actor=rep, account=account, name="开", pipeline=pipeline, amount=Decimal("2000"),
        expected_close_date=today, stage=stage(pipeline, "open", 1),
    )  # fmt: skip
    services.target_set(
        actor=org["lead"],
        period_kind="month",
        period_start_on=today,
        amount=Decimal("4000"),
        rep=rep,
    )
    fc = selectors.forecast(
        actor=org["lead"], kind="month", day=today, rep_id=rep.pk, with_deals=True
    )
    assert (fc.won, fc.weighted, fc.forecast, fc.target) == (
        Decimal("1000.00"), Decimal("1000.00"), Decimal("2000.00"), Decimal("4000.00"),
    )  # fmt: skip
    assert fc.attainment == Decimal("25.00")
    elapsed = today.day
    days = (fc.end - fc.start).days + 1
    assert fc.run_rate == (Decimal(1000) * days / elapsed).quantize(Decimal("0.01"))
    assert [d.name for d in fc.won_deals] == ["赢"] and [d.name for d in fc.open_deals] == ["开"]
    # The stranger's forecast sees none of it.
    assert selectors.forecast(actor=org["stranger"], kind="month", day=today).won == 0


def test_reports_aggregate_revenue_win_rate_cycle_and_funnel(org, pipeline, make_order):
    today = timezone.localdate()
    rep = org["rep"]
    account = account_create(actor=rep, name="报表客户")
    make_order(account=account, qty="1", price="100", paid=True)
    make_order(account=account, qty="1", price="999")  # unpaid: not revenue
    start, end = dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)
    by_customer = selectors.revenue_by(actor=rep, dimension="customer", start=start, end=end)
    assert by_customer == [
        {"key": account.pk, "label": "报表客户", "revenue": Decimal("113.00"), "count": 1}
    ]
    months = selectors.revenue_by(actor=rep, dimension="month", start=start, end=end)
    assert sum(r["revenue"] for r in months) == Decimal("113.00")
    for dim in ("rep", "team", "product", "category", "region"):
        rows = selectors.revenue_by(actor=rep, dimension=dim, start=start, end=end)
        assert [r["revenue"] for r in rows] == [Decimal("113.00")], dim
    assert selectors.revenue_by(actor=org["stranger"], dimension="rep", start=start, end=end) == []
    with pytest.raises(Invalid):
        selectors.revenue_by(actor=rep, dimension="colour", start=start, end=end)
    a = services.opportunity_create(actor=rep, account=account, name="a", pipeline=pipeline)
    b = services.opportunity_create(actor=rep, account=account, name="b", pipeline=pipeline)
    services.opportunity_move(actor=rep, opportunity=a, stage=stage(pipeline, "open", 1))
    services.opportunity_win(actor=rep, opportunity=a, amount=Decimal("10"))
    services.opportunity_lose(actor=rep, opportunity=b, lost_reason="预算")
    rate = selectors.win_rate(actor=rep, start=start, end=end)
    assert (rate["won"], rate["lost"], rate["rate"]) == (1, 1, Decimal("50.00"))
    assert selectors.cycle_length(actor=rep, start=start, end=end)["deals"] == 1
    funnel = selectors.funnel(actor=rep, pipeline=pipeline, start=start, end=end)
    assert [(r["stage"], r["entered"]) for r in funnel] == [("接洽", 2), ("报价", 1), ("赢单", 1)]
    assert funnel[0]["to_next"] == Decimal("50.00")
    yoy = selectors.revenue_yoy(actor=rep, year=today.year)
    assert yoy["this_year"] == Decimal("113.00") and yoy["growth"] is None


def test_revenue_months_are_local_months(org, make_order):
    """Asia/Shanghai months: 23:30 on 31 January local time is January, 00:30 is February."""
    from guanxi.sales.models import Order, OrderLine
    from guanxi.sales.services.rollups import rollups_rebuild

    rep = org["rep"]
    account = account_create(actor=rep, name="月份客户")
    late_jan = make_order(account=account, qty="1", price="100", paid=True)
    early_feb = make_order(account=account, qty="1", price="200", paid=True)
    utc = dt.UTC
    for order, when in (
        (late_jan, dt.datetime(2025, 1, 31, 15, 30, tzinfo=utc)),
        (early_feb, dt.datetime(2025, 1, 31, 16, 30, tzinfo=utc)),
    ):
        Order.objects.filter(pk=order.pk).update(placed_at=when)
        OrderLine.objects.filter(order=order).update(placed_at=when)
    rollups_rebuild()  # the times were moved past the order services
    months = selectors.revenue_by(
        actor=rep, dimension="month", start=dt.date(2025, 1, 1), end=dt.date(2025, 3, 31)
    )
    assert [(m["key"], m["revenue"], m["count"]) for m in months] == [
        ("2025-01", Decimal("113.00"), 1),
        ("2025-02", Decimal("226.00"), 1),
    ]
