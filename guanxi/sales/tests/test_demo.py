"""The sales demo step: opportunities come with product lines whose total is their amount."""

from __future__ import annotations

import pytest
from django.db.models import Sum

from guanxi.sales.models import Opportunity, OpportunityLine

pytestmark = pytest.mark.django_db


def test_demo_opportunities_get_product_lines(roles):
    from guanxi.core.demo import demo_people
    from guanxi.customers.demo import demo_customers
    from guanxi.sales.demo import demo_sales

    lines: list[str] = []
    demo_people(size=0, seed=1, out=lines.append)
    demo_customers(size=60, seed=1, out=lines.append)
    demo_sales(size=60, seed=1, out=lines.append)
    deals = Opportunity.objects.count()
    with_lines = Opportunity.objects.filter(lines__isnull=False).distinct().count()
    assert deals >= 20 and with_lines > deals // 2
    totals = dict(
        OpportunityLine.objects.values("opportunity")
        .annotate(t=Sum("line_total"))
        .values_list("opportunity", "t")
    )
    for pk, amount in Opportunity.objects.filter(pk__in=totals).values_list("pk", "amount"):
        assert amount == totals[pk]
    assert not Opportunity.objects.filter(status="won", amount__lte=0).exists()
