"""Sales factories: an org chart, products, price lists, and helpers to make records."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

import pytest

from guanxi.customers.services import account_create
from guanxi.sales import services
from guanxi.sales.models import Product
from guanxi.sales.services import LineInput

_seq = itertools.count(1)


@pytest.fixture
def org(make_user, make_team):
    east, west = make_team("华东"), make_team("华西")
    lead = make_user("manager", team=east)
    return {
        "east": east,
        "west": west,
        "lead": lead,
        "rep": make_user("sales", team=east, manager=lead),
        "rep2": make_user("sales", team=east, manager=lead),
        "stranger": make_user("sales", team=west),
        "admin": make_user("admin", team=None),
        "analyst": make_user("analyst", team=None),
        "reader": make_user("read_only", team=east),
    }


@pytest.fixture
def product(db) -> Product:
    return services.product_create(
        actor=None,
        sku=f"SKU-{next(_seq)}",
        name_zh="龙井茶礼盒",
        name_en="Longjing gift box",
        category="茶叶",
        list_price=Decimal("199.0000"),
        tax_rate=Decimal("0.1300"),
    )


@pytest.fixture
def make_product(db):
    def make(price: str = "100", tax: str = "0.13", category: str = "茶叶", **kw: Any) -> Product:
        return services.product_create(
            actor=None,
            sku=kw.pop("sku", f"SKU-{next(_seq)}"),
            name_zh=kw.pop("name_zh", "产品"),
            category=category,
            list_price=Decimal(price),
            tax_rate=Decimal(tax),
            **kw,
        )

    return make


@pytest.fixture
def account(org):
    return account_create(actor=org["rep"], name="杭州西湖茶业有限公司")


@pytest.fixture
def make_account(org):
    def make(actor: Any = None, name: str | None = None) -> Any:
        return account_create(actor=actor or org["rep"], name=name or f"客户{next(_seq)}")

    return make


@pytest.fixture
def make_order(org, make_product):
    def make(
        actor: Any = None, account: Any = None, qty: str = "2", price: str = "100", paid=False
    ) -> Any:
        actor = actor or org["rep"]
        account = account or account_create(actor=actor, name=f"订单客户{next(_seq)}")
        product = make_product(price)
        order = services.order_create(
            actor=actor, account=account, lines=[LineInput(product.pk, Decimal(qty))]
        )
        if paid:
            services.order_record_payment(actor=actor, order=order, amount=order.total)
            order.refresh_from_db()
        return order

    return make
