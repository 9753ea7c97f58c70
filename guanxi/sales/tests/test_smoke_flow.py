from decimal import Decimal

from guanxi.sales import services
from guanxi.sales.models import Lead, Opportunity, Order


def test_lead_to_order_round_trip(org, product, django_capture_on_commit_callbacks):
    rep = org["rep"]
    lead = services.lead_create(actor=rep, name="张三", company="新客户公司", email="z@x.cn")
    assert lead.score > 0
    with django_capture_on_commit_callbacks(execute=True):
        account, opp = services.lead_convert(actor=rep, lead=lead, create_account=True)
    assert opp is not None and Lead.objects.get(pk=lead.pk).status == "converted"
    won = services.opportunity_win(actor=rep, opportunity=opp, amount=Decimal("1000"))
    assert won.status == Opportunity.Status.WON
    quote = services.quote_create(
        actor=rep, account=account, lines=[services.LineInput(product.pk, Decimal("3"))]
    )
    assert quote.total == Decimal("674.61")  # 597.00 + 13% tax 77.61
    order = services.quote_convert(actor=rep, quote=quote)
    assert order.total == quote.total
    services.order_record_payment(actor=rep, order=order, amount=order.total)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
