"""Helpers for the sales pages: the actor, choices for pickers, pagination."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from guanxi.core.models import User
from guanxi.core.pagination import Page, paginate
from guanxi.customers import selectors as customer_selectors
from guanxi.sales.models import PriceList, Product

PICKER_LIMIT = 300


def actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def account_choices(user: User, selected: Any = None) -> list[tuple[str, str]]:
    """Recently changed accounts the user may see (and the pre-selected one)."""
    qs = (
        customer_selectors.account_list(actor=user)
        .select_related(None)
        .order_by("-updated_at", "-pk")
    )
    rows = [
        (str(pk), f"{name} (#{pk})") for pk, name in qs.values_list("pk", "name")[:PICKER_LIMIT]
    ]
    if selected and str(selected).isdigit() and str(selected) not in {r[0] for r in rows}:
        for pk, name in qs.filter(pk=int(selected)).values_list("pk", "name"):
            rows.insert(0, (str(pk), f"{name} (#{pk})"))
    return rows


def product_choices() -> list[tuple[str, str]]:
    return [(str(p.pk), f"{p.sku} {p.name}") for p in Product.objects.filter(active=True)]


def price_list_choices() -> list[tuple[str, str]]:
    return [(str(p.pk), p.name) for p in PriceList.objects.filter(active=True)]


def page_of(request: HttpRequest, qs: Any, size: int = 25) -> Page[Any]:
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    return paginate(qs, page=number, page_size=size)
