"""Demo data: products, price lists, a pipeline, three years of orders with a real rhythm
(repeat buyers, 春节 and 双十一 peaks, a summer dip, churned customers, returns),
opportunities with stage history, contracts, targets and leads — all bulk-written."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from guanxi.core.demo import register_demo
from guanxi.sales.pricing import ZERO, PricingContext, PricingLine, price, to_fen

BATCH = 2000

PRODUCTS: list[tuple[str, str, str, str, str, str]] = [
    # sku, 中文名, English, category, unit, list price
    ("TEA-LJ-250", "西湖龙井 250g", "West Lake Longjing 250g", "茶叶", "罐", "368"),
    ("TEA-LJ-500", "西湖龙井 500g", "West Lake Longjing 500g", "茶叶", "罐", "698"),
    ("TEA-PE-357", "普洱熟茶饼 357g", "Ripe Pu'er cake 357g", "茶叶", "饼", "258"),
    ("TEA-TG-250", "安溪铁观音 250g", "Anxi Tieguanyin 250g", "茶叶", "罐", "228"),
    ("TEA-DH-200", "武夷大红袍 200g", "Wuyi Da Hong Pao 200g", "茶叶", "盒", "458"),
    ("TEA-BC-100", "福鼎白茶 100g", "Fuding white tea 100g", "茶叶", "盒", "168"),
    ("TEA-JS-50", "金骏眉 50g", "Jin Jun Mei 50g", "茶叶", "盒", "198"),
    ("TEA-MJ-100", "茉莉花茶 100g", "Jasmine tea 100g", "茶叶", "袋", "68"),
    ("SET-ZS-01", "紫砂壶 西施", "Yixing teapot Xishi", "茶具", "把", "880"),
    ("SET-GW-01", "白瓷盖碗套装", "Porcelain gaiwan set", "茶具", "套", "199"),
    ("SET-CP-01", "竹制茶盘", "Bamboo tea tray", "茶具", "个", "299"),
    ("SET-BL-01", "玻璃公道杯", "Glass fairness cup", "茶具", "个", "49"),
    ("GIFT-CJ-01", "春节茶礼盒", "Spring Festival tea gift box", "礼盒", "盒", "598"),
    ("GIFT-ZQ-01", "中秋茶月饼礼盒", "Mid-Autumn tea & mooncake box", "礼盒", "盒", "428"),
    ("GIFT-SW-01", "商务茶礼套装", "Business tea gift set", "礼盒", "套", "1280"),
    ("FOOD-CD-01", "桂花糕", "Osmanthus cake", "茶点", "盒", "38"),
    ("FOOD-CD-02", "绿豆糕", "Mung bean cake", "茶点", "盒", "32"),
    ("FOOD-CD-03", "坚果礼包", "Nut gift pack", "茶点", "袋", "128"),
    ("SVC-VIP-Y", "茶友会年卡", "Tea club annual membership", "会员服务", "张", "999"),
    ("SVC-CLS-1", "茶艺体验课", "Tea ceremony class", "会员服务", "次", "199"),
]
# Month weights: 春节 (Jan/Feb) and 双十一 (Nov) peaks, a summer dip, 中秋 in September.
MONTH_WEIGHT = {
    1: 1.6,
    2: 1.3,
    3: 0.9,
    4: 0.9,
    5: 0.9,
    6: 0.8,
    7: 0.7,
    8: 0.75,
    9: 1.2,
    10: 1.0,
    11: 1.9,
    12: 1.3,
}
REGIONS = ["华东", "华南", "华北", "华中", "西南", "西北", "东北"]
LOST_REASONS = ["价格太高", "选择了竞争对手", "预算取消", "需求变化", "没有回应"]


def _day_weights(start: dt.date, end: dt.date) -> tuple[list[dt.date], list[float]]:
    days, weights = [], []
    d = start
    while d <= end:
        w = MONTH_WEIGHT[d.month]
        if d.month == 11 and d.day in (10, 11, 12):
            w *= 12  # 双十一
        if d.month == 12 and d.day == 12:
            w *= 4  # 双十二
        if d.weekday() >= 5:
            w *= 1.15
        days.append(d)
        weights.append(w)
        d += dt.timedelta(days=1)
    return days, weights


def _aware(day: dt.date, rng: random.Random) -> dt.datetime:
    moment = dt.datetime.combine(day, dt.time(rng.randint(8, 22), rng.randint(0, 59)))
    return timezone.make_aware(moment)


@register_demo("sales.orders", order=20)
def demo_sales(*, size: int, seed: int, out: Callable[[str], None]) -> None:
    """Sales data over the accounts the customers step created."""
    from guanxi.core.models import User
    from guanxi.customers.models import Account
    from guanxi.sales.models import Order, PriceList, PriceListItem, Product
    from guanxi.sales.services import default_pipeline

    if Order.objects.exists():
        out("sales: demo data already present")
        return
    rng = random.Random(seed + 20)
    with transaction.atomic():
        if not Product.objects.exists():
            Product.objects.bulk_create(
                Product(
                    sku=s,
                    name_zh=zh,
                    name_en=en,
                    category=c,
                    unit=u,
                    list_price=Decimal(p),
                    tax_rate=Decimal("0.09") if c in ("茶点",) else Decimal("0.13"),
                )
                for s, zh, en, c, u, p in PRODUCTS
            )
        products = list(Product.objects.order_by("pk"))
        lists = {
            code: PriceList.objects.get_or_create(
                code=code, defaults={"name": name, "is_default": code == "retail"}
            )[0]
            for code, name in (("retail", "零售价"), ("wholesale", "批发价"), ("vip", "VIP 会员价"))
        }
        for code, factor in (("wholesale", Decimal("0.82")), ("vip", Decimal("0.90"))):
            PriceListItem.objects.bulk_create(
                [
                    PriceListItem(
                        price_list=lists[code],
                        product=p,
                        unit_price=(p.list_price * factor).quantize(Decimal("0.01")),
                    )
                    for p in products
                ],
                ignore_conflicts=True,
            )
        default_pipeline()
    accounts = list(
        Account.objects.filter(deleted_at__isnull=True)
        .order_by("pk")
        .values_list("pk", "owner_id", "team_id", "region", "kind")[: max(size, 1)]
    )
    if not accounts:
        out("sales: no accounts (run the customers demo step first)")
        return
    vip_prices = {
        i.product_id: i.unit_price for i in PriceListItem.objects.filter(price_list=lists["vip"])
    }
    wholesale = {
        i.product_id: i.unit_price
        for i in PriceListItem.objects.filter(price_list=lists["wholesale"])
    }
    n_orders, n_lines = _orders(rng, accounts, products, lists, vip_prices, wholesale)
    # The orders were written in bulk, past the services that keep the revenue rollups.
    from guanxi.sales.services.rollups import rollups_rebuild

    rollups_rebuild()
    out(f"sales: {len(products)} products, {n_orders} orders, {n_lines} order lines")
    reps = list(User.objects.filter(role__code__in=["sales", "manager"], is_active=True))
    n_opps = _opportunities(rng, accounts, products, reps, lists["wholesale"], wholesale)
    n_contracts = _contracts(rng, accounts)
    _targets_and_leads(rng, reps)
    out(f"sales: {n_opps} opportunities, {n_contracts} contracts, targets and leads")


def _orders(
    rng: random.Random,
    accounts: list[tuple[Any, ...]],
    products: list[Any],
    lists: dict[str, Any],
    vip_prices: dict[int, Decimal],
    wholesale: dict[int, Decimal],
) -> tuple[int, int]:
    from guanxi.sales.models import Order, OrderLine, OrderStatusChange, Payment

    today = timezone.localdate()
    start = dt.date(today.year - 3, today.month, 1)
    days, weights = _day_weights(start, today)
    tea_weights = [
        6 if p.category == "茶叶" else 3 if p.category in ("茶具", "茶点") else 2 for p in products
    ]
    gift_ids = [i for i, p in enumerate(products) if p.category == "礼盒"]
    n_orders = n_lines = 0
    seq = 0
    orders: list[Order] = []
    pending_lines: list[list[dict[str, Any]]] = []

    def flush() -> None:
        nonlocal n_lines
        if not orders:
            return
        Order.objects.bulk_create(orders, batch_size=BATCH)
        line_objs, history, payments = [], [], []
        for order, lines in zip(orders, pending_lines, strict=True):
            for pos, line in enumerate(lines):
                line_objs.append(OrderLine(order=order, position=pos, **line))
            history.append(
                OrderStatusChange(order=order, to_status="placed", changed_at=order.placed_at)
            )
            if order.status not in ("placed", "cancelled"):
                history.append(
                    OrderStatusChange(
                        order=order,
                        from_status="placed",
                        to_status="paid",
                        changed_at=order.paid_at or order.placed_at,
                    )
                )
            if order.status not in ("placed", "cancelled") and order.total > 0:
                payments.append(
                    Payment(
                        order=order,
                        amount=order.total,
                        currency=order.currency,
                        received_at=order.paid_at or order.placed_at,
                        method=rng.choice(["微信支付", "支付宝", "银行转账"]),
                    )
                )
            if order.status != "placed" and order.status != "paid":
                history.append(
                    OrderStatusChange(
                        order=order,
                        from_status="paid",
                        to_status=order.status,
                        changed_at=order.placed_at + dt.timedelta(days=rng.randint(2, 20)),
                    )
                )
        OrderLine.objects.bulk_create(line_objs, batch_size=BATCH)
        OrderStatusChange.objects.bulk_create(history, batch_size=BATCH)
        Payment.objects.bulk_create(payments, batch_size=BATCH)
        n_lines += len(line_objs)
        orders.clear()
        pending_lines.clear()

    for account_id, owner_id, team_id, region, kind in accounts:
        profile = rng.random()
        if profile < 0.12:
            n, window = rng.randint(12, 30), (0, len(days))  # loyal repeat buyer
        elif profile < 0.55:
            n, window = rng.randint(3, 8), (0, len(days))  # occasional
        elif profile < 0.80:
            n, window = 1, (0, len(days))  # one-off
        elif profile < 0.92:
            n, window = rng.randint(2, 6), (0, len(days) // 2)  # churned: stopped after 18 months
        else:
            continue  # never bought
        lo, hi = window
        chosen = rng.choices(days[lo:hi], weights=weights[lo:hi], k=n)
        vip = profile < 0.12
        org = kind == "organization"
        for day in sorted(chosen):
            seq += 1
            placed = _aware(day, rng)
            k = rng.choices([1, 2, 3, 4], weights=[5, 3, 2, 1])[0]
            idx = rng.choices(range(len(products)), weights=tea_weights, k=k)
            if day.month in (1, 2, 9) and gift_ids and rng.random() < 0.6:
                idx[0] = rng.choice(gift_ids)
            idx = list(dict.fromkeys(idx))
            prices_for = wholesale if org and rng.random() < 0.4 else vip_prices if vip else {}
            plines = tuple(
                PricingLine(
                    index=i,
                    product_id=products[j].pk,
                    sku=products[j].sku,
                    category=products[j].category,
                    quantity=Decimal(
                        rng.choice([1, 1, 1, 2, 2, 3, 5, 10] if org else [1, 1, 1, 2, 3])
                    ),
                    unit_price=prices_for.get(products[j].pk, products[j].list_price),
                    tax_rate=products[j].tax_rate,
                    manual_discount=(
                        Decimal(rng.choice([10, 20, 50])) if rng.random() < 0.08 else ZERO
                    ),
                )
                for i, j in enumerate(idx)
            )
            priced = price(
                PricingContext(actor=None, account=None, lines=plines, price_list=None, date=day),
                [],
            )
            age = (today - day).days
            roll = rng.random()
            if age < 3:
                status = rng.choice(["placed", "paid"])
            elif roll < 0.03:
                status = "cancelled"
            elif roll < 0.06:
                status = "returned"
            elif roll < 0.08:
                status = "partially_returned"
            elif age < 10:
                status = "shipped"
            else:
                status = "completed"
            refunded = ZERO
            returned_qty: dict[int, Decimal] = {}
            if status == "returned":
                refunded = priced.total
                returned_qty = {pl.index: pl.quantity for pl in plines}
            elif status == "partially_returned":
                first = plines[0]
                returned_qty = {first.index: first.quantity}
                refunded = priced.lines[0].total
            paid = status not in ("placed", "cancelled")
            order = Order(
                number=f"SO{day:%Y%m%d}-D{seq:07d}",
                account_id=account_id,
                owner_id=owner_id,
                team_id=team_id,
                status=status,
                placed_at=placed,
                paid_at=placed + dt.timedelta(hours=rng.randint(0, 48)) if paid else None,
                region=region or rng.choice(REGIONS),
                subtotal=priced.subtotal,
                discount_total=priced.discount_total,
                tax_total=priced.tax_total,
                total=priced.total,
                paid_amount=priced.total if paid else ZERO,
                refunded_amount=refunded,
                price_list=lists["vip"] if vip else None,
            )
            orders.append(order)
            pending_lines.append(
                [
                    {
                        "account_id": account_id,
                        "product_id": pl.product_id,
                        "quantity": pl.quantity,
                        "unit_price": pl.unit_price,
                        "discount_amount": out.discount,
                        "tax_rate": pl.tax_rate,
                        "tax_amount": out.tax,
                        "line_total": out.total,
                        "placed_at": placed,
                        "status": status,
                        "returned_quantity": returned_qty.get(pl.index, ZERO),
                        "refunded_amount": out.total if pl.index in returned_qty else ZERO,
                        "region": order.region,
                    }
                    for pl, out in zip(plines, priced.lines, strict=True)
                ]
            )
            n_orders += 1
            if len(orders) >= BATCH:
                with transaction.atomic():
                    flush()
    with transaction.atomic():
        flush()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE sales_order; ANALYZE sales_orderline;")
    return n_orders, n_lines


OPPORTUNITY_QUANTITIES = [10, 20, 30, 50, 80, 100, 150, 200, 300]


def _opportunity_lines(
    rng: random.Random,
    products: list[Any],
    prices: dict[int, Decimal],
) -> tuple[list[dict[str, Any]], Decimal]:
    """Product lines for one deal (a few products in bulk, sometimes a negotiated discount),
    priced by the same pipeline as quotes and orders; returns the lines and their total."""
    chosen = rng.sample(products, k=rng.choice([1, 1, 2, 2, 3]))
    percents = [Decimal(rng.choice([5, 8, 10, 15])) if rng.random() < 0.3 else ZERO for _ in chosen]
    plines = []
    for i, (product, percent) in enumerate(zip(chosen, percents, strict=True)):
        quantity = Decimal(rng.choice(OPPORTUNITY_QUANTITIES))
        unit_price = prices.get(product.pk, product.list_price).quantize(Decimal("0.0001"))
        plines.append(
            PricingLine(
                index=i,
                product_id=product.pk,
                sku=product.sku,
                category=product.category,
                quantity=quantity,
                unit_price=unit_price,
                tax_rate=product.tax_rate,
                manual_discount=to_fen(to_fen(quantity * unit_price) * percent / 100),
            )
        )
    priced = price(
        PricingContext(
            actor=None,
            account=None,
            lines=tuple(plines),
            price_list=None,
            date=timezone.localdate(),
        ),
        [],
    )
    lines = [
        {
            "product_id": src.product_id,
            "quantity": src.quantity,
            "unit_price": src.unit_price,
            "discount_percent": percent,
            "discount_amount": out.discount,
            "tax_rate": src.tax_rate,
            "tax_amount": out.tax,
            "line_total": out.total,
            "position": i,
        }
        for i, (src, out, percent) in enumerate(zip(plines, priced.lines, percents, strict=True))
    ]
    return lines, priced.total


def _opportunities(
    rng: random.Random,
    accounts: list[tuple[Any, ...]],
    products: list[Any],
    reps: list[Any],
    wholesale_list: Any,
    wholesale: dict[int, Decimal],
) -> int:
    from guanxi.sales.models import Opportunity, OpportunityLine, Stage, StageChange
    from guanxi.sales.services import default_pipeline

    pipeline = default_pipeline()
    stages = list(Stage.objects.filter(pipeline=pipeline).order_by("position"))
    open_stages = [s for s in stages if s.kind == "open"]
    won = next(s for s in stages if s.kind == "won")
    lost = next(s for s in stages if s.kind == "lost")
    now = timezone.now()
    opps, paths, deal_lines = [], [], []
    sample = rng.sample(accounts, k=min(len(accounts), max(20, len(accounts) // 6)))
    for account_id, owner_id, team_id, _region, kind in sample:
        created = now - dt.timedelta(days=rng.randint(1, 720))
        depth = rng.randint(1, len(open_stages))
        path = open_stages[:depth]
        fate = rng.random()
        age_days = (now - created).days
        # Organisations buy at wholesale prices; most deals list what they are about.
        org = kind == "organization"
        if rng.random() < 0.85:
            lines, amount = _opportunity_lines(rng, products, wholesale if org else {})
        else:
            lines, amount = [], Decimal(rng.choice([5, 8, 12, 20, 35, 50, 80, 120, 200])) * 1000
        if age_days > 60 and fate < 0.45:
            status, final, closed = "won", won, created + dt.timedelta(days=rng.randint(7, 90))
        elif age_days > 60 and fate < 0.8:
            status, final, closed = "lost", lost, created + dt.timedelta(days=rng.randint(7, 120))
        else:
            status, final, closed = "open", path[-1], None
        if closed and closed > now:
            closed = now - dt.timedelta(hours=1)
        expected = (closed or now + dt.timedelta(days=rng.randint(5, 90))).date()
        opp = Opportunity(
            name=f"{rng.choice(['年度采购', '礼品定制', '门店铺货', '会员活动', '茶具升级'])}-{account_id}",
            account_id=account_id,
            owner_id=owner_id,
            team_id=team_id,
            pipeline=pipeline,
            stage=final,
            status=status,
            amount=amount,
            expected_close_date=expected,
            closed_at=closed,
            lost_reason=rng.choice(LOST_REASONS) if status == "lost" else "",
            price_list=wholesale_list if org and lines else None,
        )
        opps.append(opp)
        deal_lines.append(lines)
        steps = path + ([final] if status != "open" else [])
        paths.append((created, closed, steps))
    with transaction.atomic():
        Opportunity.objects.bulk_create(opps, batch_size=BATCH)
        # created_at is auto_now_add: set the real opening dates afterwards.
        for opp, (created, _c, _s) in zip(opps, paths, strict=True):
            opp.created_at = created
        Opportunity.objects.bulk_update(opps, ["created_at"], batch_size=BATCH)
        history = []
        for opp, (created, closed, steps) in zip(opps, paths, strict=True):
            end = closed or now
            span = max((end - created).total_seconds(), 3600)
            prev = None
            for i, st in enumerate(steps):
                at = created + dt.timedelta(seconds=span * i / max(len(steps), 1))
                history.append(
                    StageChange(opportunity=opp, from_stage=prev, to_stage=st, changed_at=at)
                )
                prev = st
        StageChange.objects.bulk_create(history, batch_size=BATCH)
        OpportunityLine.objects.bulk_create(
            (
                OpportunityLine(opportunity=opp, currency=opp.currency, **line)
                for opp, lines in zip(opps, deal_lines, strict=True)
                for line in lines
            ),
            batch_size=BATCH,
        )
    return len(opps)


def _contracts(rng: random.Random, accounts: list[tuple[Any, ...]]) -> int:
    from guanxi.sales.models import Contract

    today = timezone.localdate()
    orgs = [a for a in accounts if a[4] == "organization"]
    rows = []
    for i, (account_id, owner_id, team_id, _r, _k) in enumerate(
        rng.sample(orgs, k=min(len(orgs), max(5, len(orgs) // 20)))
    ):
        start = today - dt.timedelta(days=rng.randint(30, 700))
        end = start + dt.timedelta(days=365)
        status = "active" if end >= today else rng.choice(["expired", "renewed"])
        rows.append(
            Contract(
                number=f"CT{start:%Y%m%d}-D{i:05d}",
                title=rng.choice(["年度供货合同", "茶礼定制框架协议", "门店合作协议"]),
                account_id=account_id,
                owner_id=owner_id,
                team_id=team_id,
                status=status,
                start_date=start,
                end_date=end,
                renewal_date=end - dt.timedelta(days=15),
                value=Decimal(rng.choice([30, 50, 80, 120, 300])) * 1000,
            )
        )
    Contract.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def _targets_and_leads(rng: random.Random, reps: list[Any]) -> None:
    from guanxi.core.models import Team
    from guanxi.sales.models import Lead, SalesTarget

    today = timezone.localdate()
    targets = []
    for month in range(1, 13):
        start = dt.date(today.year, month, 1)
        for rep in reps:
            if rep.role_code == "sales":
                targets.append(
                    SalesTarget(
                        scope="rep",
                        period_kind="month",
                        period_start=start,
                        amount=Decimal(rng.choice([150, 200, 250])) * 1000,
                        owner=rep,
                        team_id=rep.team_id,
                    )
                )
        for team in Team.objects.filter(name__contains="销售"):
            owner = next((r for r in reps if r.team_id == team.pk), None) or (
                reps[0] if reps else None
            )
            if owner is not None:
                targets.append(
                    SalesTarget(
                        scope="team",
                        period_kind="month",
                        period_start=start,
                        amount=Decimal(600) * 1000,
                        owner=owner,
                        team=team,
                    )
                )
    SalesTarget.objects.bulk_create(targets)
    sales = [r for r in reps if r.role_code == "sales"] or reps
    if not sales:
        return
    pool_owner = sales[0]
    leads = []
    for i in range(120):
        rep = rng.choice(sales)
        in_pool = rng.random() < 0.3
        leads.append(
            Lead(
                name=rng.choice("王李张刘陈杨黄赵吴周")
                + rng.choice(["先生", "女士", "经理", "总"]),
                company=rng.choice(
                    [
                        "",
                        f"{rng.choice(['锦绣', '华茂', '东方', '新源'])}{rng.choice(['茶业', '贸易', '酒店', '科技'])}有限公司",
                    ]
                ),
                email=f"lead{i}@example.cn" if rng.random() < 0.6 else "",
                mobile=f"139{rng.randint(10000000, 99999999)}" if rng.random() < 0.7 else "",
                region=rng.choice(REGIONS),
                source=rng.choice(["web", "referral", "event", "phone", "advertising", "social"]),
                status=rng.choice(["new", "new", "working", "qualified", "unqualified"]),
                score=rng.randint(20, 90),
                engagement_count=rng.randint(0, 5),
                in_pool=in_pool,
                owner=pool_owner if in_pool else rep,
                team_id=None if in_pool else rep.team_id,
                last_activity_at=timezone.now() - dt.timedelta(days=rng.randint(0, 40)),
            )
        )
    Lead.objects.bulk_create(leads)


__all__ = ["demo_sales", "to_fen"]
