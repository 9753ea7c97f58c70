"""The revenue rollups stay equal to the order lines through every order service, and the
reports read from them give what the lines give."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import Sum
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from guanxi.customers.services import account_create, account_merge
from guanxi.sales import selectors, services
from guanxi.sales.models import (
    CustomerRevenueMonth,
    Order,
    OrderLine,
    ProductRevenueMonth,
    RevenueDay,
)
from guanxi.sales.selectors.reports import revenue_lines, split_months
from guanxi.sales.services import LineInput
from guanxi.sales.services.rollups import revenue_change, rollups_rebuild

ROLLUPS = (RevenueDay, ProductRevenueMonth, CustomerRevenueMonth)


def _snapshot() -> dict[str, set[tuple[Any, ...]]]:
    out = {}
    for model in ROLLUPS:
        cols = [*model.key, "revenue", *model.counts]
        out[model.__name__] = {
            tuple(
                Decimal(v).quantize(Decimal("0.01")) if c == "revenue" else v
                for c, v in zip(cols, row, strict=True)
            )
            for row in model.objects.values_list(*cols)
        }
    return out


def _assert_in_step() -> None:
    """What the services kept equals a rebuild from the lines."""
    kept = _snapshot()
    rollups_rebuild()
    assert kept == _snapshot()


def _order(actor: Any, account: Any, products: list[Any], qty: str = "2") -> Order:
    return services.order_create(
        actor=actor, account=account, lines=[LineInput(p.pk, Decimal(qty)) for p in products]
    )


def test_every_order_service_keeps_the_rollups_in_step(org, make_product):
    rep, rep2, stranger = org["rep"], org["rep2"], org["stranger"]
    tea, cups = make_product("100"), make_product("35.5", category="茶具")
    a = account_create(actor=rep, name="甲茶庄")
    b = account_create(actor=rep2, name="乙茶庄")
    c = account_create(actor=stranger, name="丙茶庄")
    o1 = _order(rep, a, [tea, cups])
    o2 = _order(rep2, b, [tea], qty="3")
    o3 = _order(stranger, c, [cups, tea], qty="5")
    o4 = _order(rep, a, [cups])
    _assert_in_step()
    assert not RevenueDay.objects.exists()  # placed orders are not revenue yet

    for order in (o1, o2, o3):
        services.order_record_payment(actor=order.owner, order=order, amount=order.total)
    _assert_in_step()
    assert RevenueDay.objects.aggregate(n=Sum("orders"))["n"] == 3

    o1.refresh_from_db()
    services.order_set_status(actor=rep, order=o1, status="shipped")
    line = o1.lines.order_by("position")[0]
    services.order_return(actor=rep, order=o1, lines={line.pk: "1"}, reason="破损")
    _assert_in_step()
    o3.refresh_from_db()
    services.order_return(
        actor=stranger, order=o3, lines={ln.pk: str(ln.quantity) for ln in o3.lines.all()}
    )
    _assert_in_step()
    services.order_cancel(actor=rep, order=o4, reason="不要了")
    _assert_in_step()

    account_merge(actor=org["admin"], survivor=b, merged=a)
    _assert_in_step()
    assert set(CustomerRevenueMonth.objects.values_list("account_id", flat=True)) <= {b.pk, c.pk}

    # Fully returned orders leave nothing; zero rows are not kept.
    assert (
        not CustomerRevenueMonth.objects.filter(account_id=c.pk)
        .exclude(lines=0)
        .filter(revenue__gt=0)
        .exists()
    )


def test_a_failed_change_leaves_the_rollups_as_they_were(org, make_order):
    order = make_order(paid=True)
    before = _snapshot()
    with pytest.raises(RuntimeError), revenue_change([order.pk]):
        OrderLine.objects.filter(order=order).update(refunded_amount=1)
        raise RuntimeError("boom")
    assert _snapshot() == before
    assert before["RevenueDay"]


def _line_truth(actor: Any, dimension: str, start: dt.date, end: dt.date) -> dict[Any, Decimal]:
    """The report computed straight from the lines, as it was before the rollups."""
    totals: dict[Any, Decimal] = defaultdict(Decimal)
    lines = revenue_lines(actor=actor, start=start, end=end).select_related("order", "product")
    for ln in lines:
        key = {
            "rep": ln.order.owner_id,
            "team": ln.order.team_id,
            "region": ln.region,
            "product": ln.product_id,
            "category": ln.product.category,
            "customer": ln.account_id,
            "month": f"{timezone.localtime(ln.placed_at):%Y-%m}",
        }[dimension]
        totals[key] += ln.line_total - ln.refunded_amount
    return dict(totals)


@pytest.mark.parametrize(
    "dimension", ["rep", "team", "region", "product", "category", "customer", "month"]
)
def test_reports_from_the_rollups_equal_the_lines_over_part_months(org, make_product, dimension):
    """Orders spread over three months; ranges that start and end inside a month take those
    parts from the lines and the whole months from the rollups."""
    from guanxi.sales.models import Order as OrderModel

    rep, rep2, stranger = org["rep"], org["rep2"], org["stranger"]
    products = [make_product(str(10 + i), category=["茶叶", "茶具"][i % 2]) for i in range(3)]
    accounts = [
        account_create(actor=u, name=f"客户{i}") for i, u in enumerate((rep, rep2, stranger))
    ]
    tz = timezone.get_current_timezone()
    days = [dt.date(2025, 1, 5), dt.date(2025, 1, 31), dt.date(2025, 2, 1), dt.date(2025, 2, 14),
            dt.date(2025, 3, 1), dt.date(2025, 3, 20)]  # fmt: skip
    for i, day in enumerate(days):
        for j, account in enumerate(accounts):
            order = _order(account.owner, account, products[: 1 + (i + j) % 3], qty=str(1 + i))
            services.order_record_payment(actor=account.owner, order=order, amount=order.total)
            when = dt.datetime.combine(day, dt.time(23, 30), tzinfo=tz)
            OrderModel.objects.filter(pk=order.pk).update(placed_at=when)
            OrderLine.objects.filter(order=order).update(placed_at=when)
    rollups_rebuild()  # the times were moved past the order services
    for actor in (org["admin"], org["lead"], rep):
        for start, end in (
            (dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
            (dt.date(2025, 1, 20), dt.date(2025, 3, 10)),
            (dt.date(2025, 2, 1), dt.date(2025, 2, 28)),
            (dt.date(2025, 2, 10), dt.date(2025, 2, 20)),
            (dt.date(2025, 1, 31), dt.date(2025, 2, 1)),
        ):
            rows = selectors.revenue_by(actor=actor, dimension=dimension, start=start, end=end)
            got = {r["key"]: r["revenue"] for r in rows}
            assert got == _line_truth(actor, dimension, start, end), (actor, start, end)
            revenues = [r["revenue"] for r in rows]
            if dimension != "month":
                assert revenues == sorted(revenues, reverse=True)


@given(
    start=st.dates(dt.date(2024, 1, 1), dt.date(2026, 12, 31)),
    length=st.integers(0, 800),
)
def test_whole_months_and_edges_cover_every_day_once(start, length):
    end = start + dt.timedelta(days=length)
    months, edges = split_months(start, end)
    covered: list[dt.date] = []
    for a, b in edges:
        covered += [a + dt.timedelta(days=i) for i in range((b - a).days + 1)]
    if months:
        day = months[0]
        assert day.day == 1 and months[1].day == 1
        last = (months[1] + dt.timedelta(days=32)).replace(day=1)
        while day < last:
            covered.append(day)
            day += dt.timedelta(days=1)
    assert sorted(covered) == [start + dt.timedelta(days=i) for i in range(length + 1)]
    assert len(edges) <= 2


def test_a_year_report_reads_a_bounded_number_of_queries(
    org, make_order, django_assert_max_num_queries
):
    for _ in range(5):
        make_order(paid=True)
    start, end = dt.date(2025, 1, 15), dt.date(2026, 12, 20)
    for dimension in ("rep", "team", "region", "product", "category", "customer", "month"):
        actor = type(org["lead"]).objects.get(pk=org["lead"].pk)
        # On PostgreSQL the grouping query runs in a savepoint that sets its work memory.
        with django_assert_max_num_queries(6 + (3 if connection.vendor == "postgresql" else 0)):
            selectors.revenue_by(actor=actor, dimension=dimension, start=start, end=end)


def test_the_rebuild_command_sums_orders_loaded_past_the_services(org, make_order, capsys):
    from django.core.management import call_command

    order = make_order(paid=True)
    RevenueDay.objects.all().delete()
    assert (
        selectors.revenue_by(
            actor=org["admin"],
            dimension="month",
            start=timezone.localdate(),
            end=timezone.localdate(),
        )
        == []
    )
    call_command("guanxi_sales_rebuild_revenue")
    assert "sales_revenueday: 1 rows" in capsys.readouterr().out
    [row] = selectors.revenue_by(
        actor=org["admin"], dimension="month", start=timezone.localdate(), end=timezone.localdate()
    )
    assert row["revenue"] == order.total and row["count"] == 1
