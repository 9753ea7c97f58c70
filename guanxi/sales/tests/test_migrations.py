"""The data migration that turns an opportunity's tagged products into product lines."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from guanxi.customers.services import account_create
from guanxi.sales import services
from guanxi.sales.models import Opportunity, OpportunityLine

BEFORE = ("sales", "0005_opportunity_lines")


@pytest.mark.django_db(transaction=True)
def test_tagged_products_become_lines_and_entered_amounts_stay(make_user):
    rep = make_user("sales")
    account = account_create(actor=rep, name="迁移客户")
    tea = services.product_create(
        actor=None, sku="MIG-TEA", name_zh="茶", list_price=Decimal("368"), tax_rate=Decimal("0.13")
    )
    cake = services.product_create(
        actor=None, sku="MIG-CAKE", name_zh="糕", list_price=Decimal("38"), tax_rate=Decimal("0.09")
    )
    unpriced = services.opportunity_create(actor=rep, account=account, name="没金额")
    priced = services.opportunity_create(
        actor=rep, account=account, name="有金额", amount=Decimal("5000")
    )
    untagged = services.opportunity_create(actor=rep, account=account, name="没产品")

    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes("sales")
    executor.migrate([BEFORE])
    old_apps = executor.loader.project_state([BEFORE]).apps
    tagged = old_apps.get_model("sales", "Opportunity").products.through
    tagged.objects.bulk_create(
        [
            tagged(opportunity_id=unpriced.pk, product_id=tea.pk),
            tagged(opportunity_id=unpriced.pk, product_id=cake.pk),
            tagged(opportunity_id=priced.pk, product_id=cake.pk),
        ]
    )
    executor.loader.build_graph()
    executor.migrate(latest)

    lines = list(
        OpportunityLine.objects.order_by("opportunity_id", "position").values_list(
            "opportunity_id", "product_id", "quantity", "unit_price", "line_total", "manual_price"
        )
    )
    assert lines == [
        (unpriced.pk, cake.pk, Decimal("1.000"), Decimal("38.0000"), Decimal("41.42"), False),
        (unpriced.pk, tea.pk, Decimal("1.000"), Decimal("368.0000"), Decimal("415.84"), False),
        (priced.pk, cake.pk, Decimal("1.000"), Decimal("38.0000"), Decimal("41.42"), False),
    ]
    amounts = dict(Opportunity.objects.values_list("pk", "amount"))
    assert amounts == {
        unpriced.pk: Decimal("457.26"),  # an open deal without an amount gets the lines' total
        priced.pk: Decimal("5000.00"),  # an amount entered by hand stays
        untagged.pk: None,
    }
