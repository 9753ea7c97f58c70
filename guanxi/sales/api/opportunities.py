"""Opportunities: list, CRUD, product lines, stage moves, win/lose, history."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Status

from guanxi.core.errors import Invalid
from guanxi.core.http import actor_of, if_match_version, page_out, set_etag
from guanxi.core.pagination import order_by_allowed, paginate
from guanxi.core.schemas import ListParams, PageOut
from guanxi.sales import selectors, services
from guanxi.sales.api.common import CREATED_SORTS, SalesRouter, active_pipeline, active_price_list
from guanxi.sales.models import Opportunity, StageChange
from guanxi.sales.schemas import (
    OpportunityDetailOut,
    OpportunityIn,
    OpportunityLineIn,
    OpportunityLinesIn,
    OpportunityLoseIn,
    OpportunityMoveIn,
    OpportunityOut,
    OpportunityPatch,
    OpportunityWinIn,
    StageChangeOut,
)
from guanxi.sales.services._common import account_for

router = SalesRouter()


def _opportunity_lines(lines: list[OpportunityLineIn]) -> list[services.LineInput]:
    return [
        services.LineInput(
            product_id=ln.product_id,
            quantity=ln.quantity,
            unit_price=ln.unit_price,
            discount_percent=ln.discount_percent,
            description=ln.description,
        )
        for ln in lines
    ]


@router.get("/opportunities", response=PageOut[OpportunityOut])
def opportunity_list(
    request: HttpRequest,
    params: Query[ListParams],
    search: str = "",
    status: str = "",
    pipeline_id: int | None = None,
    account_id: int | None = None,
) -> dict[str, Any]:
    qs = selectors.opportunity_list(
        actor=actor_of(request),
        search=search,
        status=status,
        pipeline_id=pipeline_id,
        account_id=account_id,
    )
    sorts = {**CREATED_SORTS, "amount": "amount", "expected_close_date": "expected_close_date"}
    qs = order_by_allowed(qs, params.sort, sorts, "-created_at")
    return page_out(paginate(qs, page=params.page, page_size=params.page_size))


@router.post("/opportunities", response={201: OpportunityDetailOut})
def opportunity_create(
    request: HttpRequest, payload: OpportunityIn, response: HttpResponse
) -> Status[Any]:
    actor = actor_of(request)
    stage = (
        selectors.stage_get(actor=actor, stage_id=payload.stage_id) if payload.stage_id else None
    )
    opportunity = services.opportunity_create(
        actor=actor,
        account=account_for(actor, payload.account_id),
        name=payload.name,
        pipeline=active_pipeline(payload.pipeline_id),
        stage=stage,
        amount=payload.amount,
        expected_close_date=payload.expected_close_date,
        lines=_opportunity_lines(payload.lines),
        price_list=active_price_list(payload.price_list_id),
        currency=payload.currency,
        contact_name=payload.contact_name,
        contact_email=payload.contact_email,
        contact_mobile=payload.contact_mobile,
        notes=payload.notes,
    )
    set_etag(response, opportunity)
    return Status(201, selectors.opportunity_get(actor=actor, opportunity_id=opportunity.pk))


@router.get("/opportunities/{opportunity_id}", response=OpportunityDetailOut)
def opportunity_detail(
    request: HttpRequest, opportunity_id: int, response: HttpResponse
) -> Opportunity:
    opportunity = selectors.opportunity_get(actor=actor_of(request), opportunity_id=opportunity_id)
    set_etag(response, opportunity)
    return opportunity


@router.patch("/opportunities/{opportunity_id}", response=OpportunityDetailOut)
def opportunity_update(
    request: HttpRequest, opportunity_id: int, payload: OpportunityPatch, response: HttpResponse
) -> Opportunity:
    actor = actor_of(request)
    opportunity = selectors.opportunity_get(actor=actor, opportunity_id=opportunity_id)
    services.opportunity_update(
        actor=actor,
        opportunity=opportunity,
        changes=payload.dict(exclude_unset=True),
        expected_version=if_match_version(request, opportunity),
    )
    opportunity = selectors.opportunity_get(actor=actor, opportunity_id=opportunity_id)
    set_etag(response, opportunity)
    return opportunity


@router.put("/opportunities/{opportunity_id}/lines", response=OpportunityDetailOut)
def opportunity_set_lines(
    request: HttpRequest, opportunity_id: int, payload: OpportunityLinesIn, response: HttpResponse
) -> Opportunity:
    """Replace the product lines (and the price list they are priced from); the amount
    becomes their total. An empty list removes them and leaves the amount as it was."""
    actor = actor_of(request)
    opportunity = selectors.opportunity_get(actor=actor, opportunity_id=opportunity_id)
    expected_version = if_match_version(request, opportunity)
    services.opportunity_set_lines(
        actor=actor,
        opportunity=opportunity,
        lines=_opportunity_lines(payload.lines),
        price_list=active_price_list(payload.price_list_id),
        expected_version=expected_version,
    )
    opportunity = selectors.opportunity_get(actor=actor, opportunity_id=opportunity_id)
    set_etag(response, opportunity)
    return opportunity


@router.delete("/opportunities/{opportunity_id}", response={204: None})
def opportunity_delete(request: HttpRequest, opportunity_id: int) -> Status[Any]:
    actor = actor_of(request)
    opportunity = selectors.opportunity_get(actor=actor, opportunity_id=opportunity_id)
    services.opportunity_delete(
        actor=actor,
        opportunity=opportunity,
        expected_version=if_match_version(request, opportunity),
    )
    return Status(204, None)


@router.post("/opportunities/{opportunity_id}/move", response=OpportunityOut)
def opportunity_move(
    request: HttpRequest, opportunity_id: int, payload: OpportunityMoveIn
) -> Opportunity:
    actor = actor_of(request)
    opportunity = selectors.opportunity_get(actor=actor, opportunity_id=opportunity_id)
    if payload.stage_id is None:
        raise Invalid(fields={"stage_id": [_("This field is required.")]})
    return services.opportunity_move(
        actor=actor,
        opportunity=opportunity,
        stage=selectors.stage_get(actor=actor, stage_id=payload.stage_id),
        amount=payload.amount,
        lost_reason=payload.lost_reason,
    )


@router.post("/opportunities/{opportunity_id}/win", response=OpportunityOut)
def opportunity_win(
    request: HttpRequest, opportunity_id: int, payload: OpportunityWinIn
) -> Opportunity:
    actor = actor_of(request)
    opportunity = selectors.opportunity_get(actor=actor, opportunity_id=opportunity_id)
    return services.opportunity_win(actor=actor, opportunity=opportunity, amount=payload.amount)


@router.post("/opportunities/{opportunity_id}/lose", response=OpportunityOut)
def opportunity_lose(
    request: HttpRequest, opportunity_id: int, payload: OpportunityLoseIn
) -> Opportunity:
    actor = actor_of(request)
    opportunity = selectors.opportunity_get(actor=actor, opportunity_id=opportunity_id)
    return services.opportunity_lose(
        actor=actor, opportunity=opportunity, lost_reason=payload.lost_reason
    )


@router.get("/opportunities/{opportunity_id}/history", response=list[StageChangeOut])
def opportunity_history(request: HttpRequest, opportunity_id: int) -> list[StageChange]:
    actor = actor_of(request)
    opportunity = selectors.opportunity_get(actor=actor, opportunity_id=opportunity_id)
    return list(selectors.opportunity_history(actor=actor, opportunity=opportunity))
