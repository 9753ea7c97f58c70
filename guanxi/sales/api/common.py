"""Helpers shared by the sales API modules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from ninja import Router

from guanxi.core.errors import Invalid
from guanxi.sales import services
from guanxi.sales.models import Pipeline, PriceList
from guanxi.sales.schemas import LineIn

CREATED_SORTS = {"created_at": "created_at", "updated_at": "updated_at"}


class SalesRouter(Router):
    """A router whose operations keep the ids the sales API has always published,
    `guanxi_sales_api_<handler>`, whichever module of this package holds the handler:
    generated clients are keyed on them."""

    def add_api_operation(
        self,
        path: str,
        methods: list[str],
        view_func: Callable[..., Any],
        *,
        operation_id: str | None = None,
        **options: Any,
    ) -> None:
        super().add_api_operation(
            path,
            methods,
            view_func,
            operation_id=operation_id or f"guanxi_sales_api_{view_func.__name__}",
            **options,
        )


def line_inputs(lines: list[LineIn]) -> list[services.LineInput]:
    return [
        services.LineInput(
            product_id=ln.product_id,
            quantity=ln.quantity,
            unit_price=ln.unit_price,
            discount=ln.discount,
            description=ln.description,
        )
        for ln in lines
    ]


def active_price_list(price_list_id: int | None) -> PriceList | None:
    """The active price list chosen by id; none chosen is None, an unknown one a 422."""
    if price_list_id is None:
        return None
    found = PriceList.objects.filter(pk=price_list_id, active=True).first()
    if found is None:
        raise Invalid(fields={"price_list_id": [_("Unknown price list.")]})
    return found


def active_pipeline(pipeline_id: int | None) -> Pipeline | None:
    """The active pipeline chosen by id; none chosen is None, an unknown one a 422."""
    if pipeline_id is None:
        return None
    found = Pipeline.objects.filter(pk=pipeline_id, active=True).first()
    if found is None:
        raise Invalid(fields={"pipeline_id": [_("Unknown pipeline.")]})
    return found
