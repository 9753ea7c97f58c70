"""Leads: list, CRUD, the pool (claim/release), interactions, conversion, score weights."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Status

from guanxi.core.http import actor_of, if_match_version, page_out, set_etag
from guanxi.core.pagination import order_by_allowed, paginate
from guanxi.core.schemas import ListParams, PageOut
from guanxi.sales import selectors, services
from guanxi.sales.api.common import CREATED_SORTS, SalesRouter, active_pipeline
from guanxi.sales.models import Lead, LeadScoreWeights
from guanxi.sales.schemas import (
    LeadConvertIn,
    LeadConvertOut,
    LeadIn,
    LeadInteractionIn,
    LeadOut,
    LeadPatch,
    ScoreWeightsIO,
)
from guanxi.sales.services.leads import score_weights

router = SalesRouter()


@router.get("/leads", response=PageOut[LeadOut])
def lead_list(
    request: HttpRequest,
    params: Query[ListParams],
    search: str = "",
    status: str = "",
    pool: bool | None = None,
) -> dict[str, Any]:
    qs = selectors.lead_list(actor=actor_of(request), search=search, status=status, pool=pool)
    qs = order_by_allowed(qs, params.sort, {**CREATED_SORTS, "score": "score"}, "-created_at")
    return page_out(paginate(qs, page=params.page, page_size=params.page_size))


@router.post("/leads", response={201: LeadOut})
def lead_create(request: HttpRequest, payload: LeadIn, response: HttpResponse) -> Status[Any]:
    data = payload.dict()
    in_pool = data.pop("in_pool")
    lead = services.lead_create(actor=actor_of(request), in_pool=in_pool, **data)
    set_etag(response, lead)
    return Status(201, lead)


@router.get("/leads/{lead_id}", response=LeadOut)
def lead_detail(request: HttpRequest, lead_id: int, response: HttpResponse) -> Lead:
    lead = selectors.lead_get(actor=actor_of(request), lead_id=lead_id)
    set_etag(response, lead)
    return lead


@router.patch("/leads/{lead_id}", response=LeadOut)
def lead_update(
    request: HttpRequest, lead_id: int, payload: LeadPatch, response: HttpResponse
) -> Lead:
    actor = actor_of(request)
    lead = selectors.lead_get(actor=actor, lead_id=lead_id)
    lead = services.lead_update(
        actor=actor,
        lead=lead,
        changes=payload.dict(exclude_unset=True),
        expected_version=if_match_version(request, lead),
    )
    set_etag(response, lead)
    return lead


@router.delete("/leads/{lead_id}", response={204: None})
def lead_delete(request: HttpRequest, lead_id: int) -> Status[Any]:
    actor = actor_of(request)
    lead = selectors.lead_get(actor=actor, lead_id=lead_id)
    services.lead_delete(actor=actor, lead=lead, expected_version=if_match_version(request, lead))
    return Status(204, None)


@router.post("/leads/{lead_id}/claim", response=LeadOut)
def lead_claim(request: HttpRequest, lead_id: int) -> Lead:
    actor = actor_of(request)
    return services.lead_claim(actor=actor, lead=selectors.lead_get(actor=actor, lead_id=lead_id))


@router.post("/leads/{lead_id}/release", response=LeadOut)
def lead_release(request: HttpRequest, lead_id: int) -> Lead:
    actor = actor_of(request)
    lead = selectors.lead_get(actor=actor, lead_id=lead_id)
    return services.lead_release(actor=actor, lead=lead)


@router.post("/leads/{lead_id}/interactions", response=LeadOut)
def lead_interaction(request: HttpRequest, lead_id: int, payload: LeadInteractionIn) -> Lead:
    actor = actor_of(request)
    lead = selectors.lead_get(actor=actor, lead_id=lead_id)
    return services.lead_log_interaction(actor=actor, lead=lead, note=payload.note)


@router.post("/leads/{lead_id}/convert", response={201: LeadConvertOut})
def lead_convert(request: HttpRequest, lead_id: int, payload: LeadConvertIn) -> Status[Any]:
    actor = actor_of(request)
    lead = selectors.lead_get(actor=actor, lead_id=lead_id)
    account, opportunity = services.lead_convert(
        actor=actor,
        lead=lead,
        account_id=payload.account_id,
        create_account=payload.create_account,
        with_opportunity=payload.with_opportunity,
        opportunity_name=payload.opportunity_name,
        amount=payload.amount,
        expected_close_date=payload.expected_close_date,
        pipeline=active_pipeline(payload.pipeline_id),
    )
    return Status(
        201,
        {"account_id": account.pk, "opportunity_id": opportunity.pk if opportunity else None},
    )


@router.get("/lead-score-weights", response=ScoreWeightsIO)
def lead_score_weights(request: HttpRequest) -> LeadScoreWeights:
    selectors.lead_list(actor=actor_of(request))  # the same view permission as leads
    return score_weights()


@router.put("/lead-score-weights", response=ScoreWeightsIO)
def lead_score_weights_update(request: HttpRequest, payload: ScoreWeightsIO) -> LeadScoreWeights:
    return services.lead_score_weights_update(actor=actor_of(request), **payload.dict())
