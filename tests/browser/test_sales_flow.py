"""The sales flow in a real browser: convert a lead, drag a deal to won, quote → order;
and a manager editing a pipeline's stages."""

from __future__ import annotations

from decimal import Decimal

import pytest

pytestmark = pytest.mark.browser


def sign_in(page, user, password="browser-pass-123"):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit].btn-primary")
    page.wait_for_url("**/")


def test_convert_a_lead_win_the_deal_on_the_board_and_turn_a_quote_into_an_order(
    page, admin_user, tmp_path
):
    from guanxi.sales import services
    from guanxi.sales.models import Lead, Opportunity, Order, Quote

    lead = services.lead_create(
        actor=admin_user, name="林晓", company="浏览器测试茶庄", email="lin@browser.cn"
    )
    product = services.product_create(
        actor=admin_user, sku="BR-LJ-1", name_zh="明前龙井", list_price=Decimal("300")
    )
    sign_in(page, admin_user)

    # 1. Convert the lead: account + contact + opportunity in one step.
    page.goto(f"/sales/leads/{lead.pk}/")
    page.fill("input[name=amount]", "12000")
    page.click("[data-testid=convert]")
    page.wait_for_url("**/sales/opportunities/*/")
    assert Lead.objects.get(pk=lead.pk).status == "converted"
    opp = Opportunity.objects.get(lead=lead)
    assert opp.amount == Decimal("12000.00")

    # 2. Drag the deal card onto the won column with the mouse (native HTML5 drag and drop);
    # confirm the amount. On a 1920 px screen the first and the last column are both in view;
    # at 1280 px the won column lies off-screen, and scrolling it into view with the button
    # held would move the card away before the drag starts.
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto("/sales/opportunities/")
    won_stage = opp.pipeline.stages.get(kind="won")
    card = page.locator(f"[data-testid=deal-{opp.pk}]")
    card.drag_to(page.locator(f"[data-testid=stage-{won_stage.pk}]"))
    dialog = page.locator("[data-testid=close-dialog]")
    dialog.wait_for()
    # A zero amount is refused: the dialog comes back in place with the error on the field.
    dialog.locator("input[name=amount]").fill("0")
    page.click("[data-testid=confirm-close]")
    dialog.get_by_text("赢单的金额必须大于零。").wait_for()
    assert Opportunity.objects.get(pk=opp.pk).status == "open"
    dialog.locator("input[name=amount]").fill("12000")
    page.click("[data-testid=confirm-close]")
    page.locator(f"[data-testid=stage-{won_stage.pk}] [data-testid=deal-{opp.pk}]").wait_for()
    page.screenshot(path=str(tmp_path / "kanban.png"), full_page=True)
    opp.refresh_from_db()
    assert opp.status == "won" and opp.stage_id == won_stage.pk

    # 3. A quote with one line becomes an order in one step.
    page.goto(f"/sales/quotes/new/?account={opp.account_id}")
    page.select_option("select[name=product_0]", str(product.pk))
    page.fill("input[name=quantity_0]", "2")
    page.click("[data-testid=save-lines]")
    page.wait_for_url("**/sales/quotes/*/")
    quote = Quote.objects.get(account_id=opp.account_id)
    assert quote.total == Decimal("678.00")
    page.click("[data-testid=convert-quote]")
    page.wait_for_url("**/sales/orders/*/")
    order = Order.objects.get(quote=quote)
    assert order.total == quote.total
    assert page.locator("[data-testid=order-status]").inner_text() == "已下单"
    assert not page.js_errors, page.js_errors


def test_a_manager_adds_a_stage_and_sees_a_refused_probability_in_place(page, admin_user):
    from guanxi.sales import services
    from guanxi.sales.models import Stage

    pipeline = services.default_pipeline()
    sign_in(page, admin_user)
    page.goto("/sales/pipelines/")
    card = page.locator(f"[data-testid=pipeline-{pipeline.pk}]")
    card.locator(f"input[name=new{pipeline.pk}-name]").fill("样品试用")
    card.locator(f"input[name=new{pipeline.pk}-probability]").fill("120")
    card.locator(f"[data-testid=add-stage-{pipeline.pk}]").click()
    # The 422 answer replaces the card (HTMX) with the error on the field.
    card.get_by_text("须在 0 到 100 之间。").wait_for()
    assert not Stage.objects.filter(name="样品试用").exists()
    card.locator(f"input[name=new{pipeline.pk}-probability]").fill("40")
    card.locator(f"[data-testid=add-stage-{pipeline.pk}]").click()
    card.locator("[data-testid=pipeline-notice]").wait_for()
    stage = Stage.objects.get(name="样品试用")
    assert card.locator(f"[data-testid=stage-row-{stage.pk}]").is_visible()
    # Move it up one place with its arrow; the card keeps working after each swap.
    with page.expect_response(lambda r: r.url.endswith(f"/stages/{stage.pk}/move/")):
        card.locator(f"[data-testid=stage-up-{stage.pk}]").click()
    order = list(
        Stage.objects.filter(pipeline=pipeline, active=True)
        .order_by("position")
        .values_list("name", flat=True)
    )
    assert order.index("样品试用") == order.index("商务谈判") - 1
    assert not page.js_errors, page.js_errors
