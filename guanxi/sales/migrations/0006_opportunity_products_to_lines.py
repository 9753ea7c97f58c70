"""Turn the products an opportunity was tagged with into product lines.

Each product becomes one line of quantity 1 at its list price with its tax rate and no
discount (the tags had no quantity or price). Amounts already entered stay as they were, so
won deals and reports do not change; an open deal without an amount gets its lines' total.
Editing the lines later makes the amount follow them.
"""

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import migrations

FEN = Decimal("0.01")


def products_to_lines(apps: Any, schema_editor: Any) -> None:
    Opportunity = apps.get_model("sales", "Opportunity")
    OpportunityLine = apps.get_model("sales", "OpportunityLine")
    Tagged = Opportunity.products.through
    rows = (
        Tagged.objects.select_related("product", "opportunity")
        .order_by("opportunity_id", "product__sku", "pk")
        .iterator(chunk_size=2000)
    )
    lines: list[Any] = []
    totals: dict[int, Decimal] = {}
    positions: dict[int, int] = {}
    for row in rows:
        product = row.product
        net = (product.list_price * 1).quantize(FEN, rounding=ROUND_HALF_UP)
        tax = (net * product.tax_rate).quantize(FEN, rounding=ROUND_HALF_UP)
        position = positions.get(row.opportunity_id, 0)
        positions[row.opportunity_id] = position + 1
        lines.append(
            OpportunityLine(
                opportunity_id=row.opportunity_id,
                product_id=product.pk,
                quantity=Decimal(1),
                unit_price=product.list_price,
                discount_amount=Decimal("0.00"),
                discount_percent=Decimal("0.00"),
                tax_rate=product.tax_rate,
                tax_amount=tax,
                line_total=net + tax,
                currency=row.opportunity.currency,
                position=position,
            )
        )
        totals[row.opportunity_id] = totals.get(row.opportunity_id, Decimal("0.00")) + net + tax
        if len(lines) >= 2000:
            OpportunityLine.objects.bulk_create(lines)
            lines.clear()
    OpportunityLine.objects.bulk_create(lines)
    unpriced = Opportunity._base_manager.filter(
        pk__in=list(totals), status="open", amount__isnull=True
    ).values_list("pk", flat=True)
    for pk in list(unpriced):
        Opportunity._base_manager.filter(pk=pk).update(amount=totals[pk])


def lines_to_products(apps: Any, schema_editor: Any) -> None:
    Opportunity = apps.get_model("sales", "Opportunity")
    OpportunityLine = apps.get_model("sales", "OpportunityLine")
    Tagged = Opportunity.products.through
    pairs = set(OpportunityLine.objects.values_list("opportunity_id", "product_id"))
    Tagged.objects.bulk_create(
        [Tagged(opportunity_id=o, product_id=p) for o, p in sorted(pairs)], ignore_conflicts=True
    )


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0005_opportunity_lines"),
    ]

    operations = [
        migrations.RunPython(products_to_lines, lines_to_products),
    ]
