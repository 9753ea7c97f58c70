"""Sales API: a thin edge; each handler parses, calls one selector or service, answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from guanxi.core.errors import Invalid, NotFound
from guanxi.core.http import Versioned, actor_of, if_match_version, page_out, set_etag
from guanxi.core.models import Team, User
from guanxi.core.pagination import order_by_allowed, paginate
from guanxi.core.schemas import ListParams, PageOut
from guanxi.core.selectors import colleague_choices
from guanxi.sales import selectors, services
from guanxi.sales.models import (
    Contract,
    Lead,
    LeadScoreWeights,
    Opportunity,
    Order,
    Payment,
    Pipeline,
    PriceList,
    Product,
    Quote,
    SalesTarget,
    Stage,
    StageChange,
)
from guanxi.sales.schemas import (
    ContractIn,
    ContractOut,
    ContractPatch,
    ForecastOut,
    LeadConvertIn,
    LeadConvertOut,
    LeadIn,
    LeadInteractionIn,
    LeadOut,
    LeadPatch,
    LineIn,
    OpportunityDetailOut,
    OpportunityIn,
    OpportunityLineIn,
    OpportunityLinesIn,
    OpportunityLoseIn,
    OpportunityMoveIn,
    OpportunityOut,
    OpportunityPatch,
    OpportunityWinIn,
    OrderCancelIn,
    OrderDetailOut,
    OrderIn,
    OrderOut,
    OrderReturnIn,
    OrderStatusIn,
    PaymentIn,
    PaymentOut,
    PipelineIn,
    PipelineOut,
    PipelinePatch,
    PriceIn,
    PriceListIn,
    PriceListOut,
    PriceListPatch,
    PriceListPricesIn,
    PriceOut,
    ProductIn,
    ProductOut,
    ProductPatch,
    QuoteConvertIn,
    QuoteDetailOut,
    QuoteIn,
    QuoteOut,
    QuoteStatusIn,
    RevenueRowOut,
    ScoreWeightsIO,
    StageAddIn,
    StageChangeOut,
    StageOrderIn,
    StagePatch,
    TargetIn,
    TargetOut,
)
from guanxi.sales.selectors.reports import default_range
from guanxi.sales.services._common import account_for, require_configure
from guanxi.sales.services.leads import score_weights

router = Router(tags=["sales"])

CREATED_SORTS = {"created_at": "created_at", "updated_at": "updated_at"}


def _lines(lines: list[LineIn]) -> list[services.LineInput]:
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


def _owner(actor: User, owner_id: int | None) -> User | None:
    if owner_id is None:
        return None
    owner = colleague_choices(actor=actor).filter(pk=owner_id).first()
    if owner is None:
        raise Invalid(fields={"owner_id": [_("Unknown owner.")]})
    return owner


def _price_list(price_list_id: int | None) -> PriceList | None:
    if price_list_id is None:
        return None
    found = PriceList.objects.filter(pk=price_list_id, active=True).first()
    if found is None:
        raise Invalid(fields={"price_list_id": [_("Unknown price list.")]})
    return found


def _pipeline(pipeline_id: int | None) -> Pipeline | None:
    if pipeline_id is None:
        return None
    found = Pipeline.objects.filter(pk=pipeline_id, active=True).first()
    if found is None:
        raise Invalid(fields={"pipeline_id": [_("Unknown pipeline.")]})
    return found


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


def _if_match_if_given(request: HttpRequest, obj: Versioned) -> int | None:
    """For POSTs that change a versioned parent: If-Match is checked when sent."""
    return if_match_version(request, obj) if request.headers.get("If-Match") else None


# ---- leads ---------------------------------------------------------------------------------


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
        pipeline=_pipeline(payload.pipeline_id),
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


# ---- pipelines and opportunities -------------------------------------------------------------


@router.get("/pipelines", response=list[PipelineOut])
def pipeline_list(request: HttpRequest, include_inactive: bool = False) -> list[Pipeline]:
    return list(selectors.pipeline_list(actor=actor_of(request), include_inactive=include_inactive))


@router.post("/pipelines", response={201: PipelineOut})
def pipeline_create(
    request: HttpRequest, payload: PipelineIn, response: HttpResponse
) -> Status[Any]:
    actor = actor_of(request)
    pipeline = services.pipeline_create(
        actor=actor,
        name=payload.name,
        stages=[(s.name, s.probability, s.kind) for s in payload.stages] or None,
        is_default=payload.is_default,
    )
    set_etag(response, pipeline)
    return Status(201, selectors.pipeline_get(actor=actor, pipeline_id=pipeline.pk))


def _configured_pipeline(request: HttpRequest, pipeline_id: int) -> Pipeline:
    """Pipelines are settings: the versioned record is for managers and admins."""
    actor = actor_of(request)
    require_configure(actor)
    return selectors.pipeline_get(actor=actor, pipeline_id=pipeline_id)


def _pipeline_out(request: HttpRequest, pipeline_id: int, response: HttpResponse) -> Pipeline:
    pipeline = selectors.pipeline_get(actor=actor_of(request), pipeline_id=pipeline_id)
    set_etag(response, pipeline)
    return pipeline


@router.get("/pipelines/{pipeline_id}", response=PipelineOut)
def pipeline_detail(request: HttpRequest, pipeline_id: int, response: HttpResponse) -> Pipeline:
    pipeline = _configured_pipeline(request, pipeline_id)
    set_etag(response, pipeline)
    return pipeline


@router.patch("/pipelines/{pipeline_id}", response=PipelineOut)
def pipeline_update(
    request: HttpRequest, pipeline_id: int, payload: PipelinePatch, response: HttpResponse
) -> Pipeline:
    pipeline = _configured_pipeline(request, pipeline_id)
    services.pipeline_update(
        actor=actor_of(request),
        pipeline=pipeline,
        changes=payload.dict(exclude_unset=True),
        expected_version=if_match_version(request, pipeline),
    )
    return _pipeline_out(request, pipeline_id, response)


@router.post("/pipelines/{pipeline_id}/stages", response={201: PipelineOut})
def stage_add(
    request: HttpRequest, pipeline_id: int, payload: StageAddIn, response: HttpResponse
) -> Status[Any]:
    pipeline = _configured_pipeline(request, pipeline_id)
    services.stage_add(
        actor=actor_of(request),
        pipeline=pipeline,
        name=payload.name,
        probability=payload.probability,
        kind=payload.kind,
        expected_version=_if_match_if_given(request, pipeline),
    )
    return Status(201, _pipeline_out(request, pipeline_id, response))


def _stage(request: HttpRequest, pipeline: Pipeline, stage_id: int) -> Stage:
    return selectors.pipeline_stage_get(
        actor=actor_of(request), pipeline=pipeline, stage_id=stage_id
    )


@router.patch("/pipelines/{pipeline_id}/stages/{stage_id}", response=PipelineOut)
def stage_update(
    request: HttpRequest,
    pipeline_id: int,
    stage_id: int,
    payload: StagePatch,
    response: HttpResponse,
) -> Pipeline:
    """Change a stage; If-Match carries the pipeline's ETag (its stages are part of it)."""
    pipeline = _configured_pipeline(request, pipeline_id)
    services.stage_update(
        actor=actor_of(request),
        stage=_stage(request, pipeline, stage_id),
        changes=payload.dict(exclude_unset=True),
        expected_version=if_match_version(request, pipeline),
    )
    return _pipeline_out(request, pipeline_id, response)


@router.put("/pipelines/{pipeline_id}/stage-order", response=PipelineOut)
def stage_reorder(
    request: HttpRequest, pipeline_id: int, payload: StageOrderIn, response: HttpResponse
) -> Pipeline:
    """Order the active stages: `stage_ids` lists every one of them once."""
    pipeline = _configured_pipeline(request, pipeline_id)
    services.stage_reorder(
        actor=actor_of(request),
        pipeline=pipeline,
        stage_ids=payload.stage_ids,
        expected_version=if_match_version(request, pipeline),
    )
    return _pipeline_out(request, pipeline_id, response)


@router.delete("/pipelines/{pipeline_id}/stages/{stage_id}", response=PipelineOut)
def stage_remove(
    request: HttpRequest,
    pipeline_id: int,
    stage_id: int,
    response: HttpResponse,
    target_stage_id: int | None = None,
) -> Pipeline:
    """Remove a stage, moving its open deals to `target_stage_id`; a stage that history
    refers to is archived. Answers with the pipeline and its new ETag."""
    pipeline = _configured_pipeline(request, pipeline_id)
    stage = _stage(request, pipeline, stage_id)
    target = None
    if target_stage_id is not None:
        target = Stage.objects.filter(pk=target_stage_id).first()
        if target is None:
            raise Invalid(fields={"target_stage_id": [_("Unknown stage.")]})
    services.stage_remove(
        actor=actor_of(request),
        stage=stage,
        target=target,
        expected_version=if_match_version(request, pipeline),
    )
    return _pipeline_out(request, pipeline_id, response)


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
        pipeline=_pipeline(payload.pipeline_id),
        stage=stage,
        amount=payload.amount,
        expected_close_date=payload.expected_close_date,
        lines=_opportunity_lines(payload.lines),
        price_list=_price_list(payload.price_list_id),
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
        price_list=_price_list(payload.price_list_id),
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


# ---- products and price lists -----------------------------------------------------------------


@router.get("/products", response=PageOut[ProductOut])
def product_list(
    request: HttpRequest, params: Query[ListParams], search: str = "", active: bool | None = None
) -> dict[str, Any]:
    qs = selectors.product_list(actor=actor_of(request), search=search, active=active)
    qs = order_by_allowed(qs, params.sort, {"sku": "sku", "list_price": "list_price"}, "sku")
    return page_out(paginate(qs, page=params.page, page_size=params.page_size))


@router.post("/products", response={201: ProductOut})
def product_create(request: HttpRequest, payload: ProductIn) -> Status[Any]:
    return Status(201, services.product_create(actor=actor_of(request), **payload.dict()))


@router.patch("/products/{product_id}", response=ProductOut)
def product_update(
    request: HttpRequest, product_id: int, payload: ProductPatch, response: HttpResponse
) -> Product:
    actor = actor_of(request)
    require_configure(actor)
    product = selectors.product_list(actor=actor).filter(pk=product_id).first()
    if product is None:
        raise NotFound()
    product = services.product_update(
        actor=actor,
        product=product,
        changes=payload.dict(exclude_unset=True),
        expected_version=if_match_version(request, product),
    )
    set_etag(response, product)
    return product


@router.get("/price-lists", response=list[PriceListOut])
def price_list_list(request: HttpRequest, include_inactive: bool = False) -> list[PriceList]:
    return list(
        selectors.price_list_list(actor=actor_of(request), include_inactive=include_inactive)
    )


@router.post("/price-lists", response={201: PriceListOut})
def price_list_create(
    request: HttpRequest, payload: PriceListIn, response: HttpResponse
) -> Status[Any]:
    price_list = services.price_list_create(actor=actor_of(request), **payload.dict())
    set_etag(response, price_list)
    return Status(201, price_list)


def _configured_price_list(request: HttpRequest, price_list_id: int) -> PriceList:
    """Price lists are settings: the versioned record is for managers and admins."""
    actor = actor_of(request)
    require_configure(actor)
    return selectors.price_list_get(actor=actor, price_list_id=price_list_id)


def _price_list_out(request: HttpRequest, price_list_id: int, response: HttpResponse) -> PriceList:
    price_list = selectors.price_list_get(actor=actor_of(request), price_list_id=price_list_id)
    set_etag(response, price_list)
    return price_list


@router.get("/price-lists/{price_list_id}", response=PriceListOut)
def price_list_detail(
    request: HttpRequest, price_list_id: int, response: HttpResponse
) -> PriceList:
    price_list = _configured_price_list(request, price_list_id)
    set_etag(response, price_list)
    return price_list


@router.patch("/price-lists/{price_list_id}", response=PriceListOut)
def price_list_update(
    request: HttpRequest, price_list_id: int, payload: PriceListPatch, response: HttpResponse
) -> PriceList:
    price_list = _configured_price_list(request, price_list_id)
    services.price_list_update(
        actor=actor_of(request),
        price_list=price_list,
        changes=payload.dict(exclude_unset=True),
        expected_version=if_match_version(request, price_list),
    )
    return _price_list_out(request, price_list_id, response)


@router.put("/price-lists/{price_list_id}/prices", response=PriceListOut)
def price_list_set_prices(
    request: HttpRequest, price_list_id: int, payload: PriceListPricesIn, response: HttpResponse
) -> PriceList:
    price_list = _configured_price_list(request, price_list_id)
    services.price_list_set_prices(
        actor=actor_of(request),
        price_list=price_list,
        prices=payload.prices,
        expected_version=if_match_version(request, price_list),
    )
    return _price_list_out(request, price_list_id, response)


@router.delete("/price-lists/{price_list_id}/prices/{product_id}", response=PriceListOut)
def price_list_remove_price(
    request: HttpRequest, price_list_id: int, product_id: int, response: HttpResponse
) -> PriceList:
    """Take a product's price off the list (it then sells at its list price); answers with
    the price list and its new ETag."""
    price_list = _configured_price_list(request, price_list_id)
    product = Product.objects.filter(pk=product_id).first()
    if product is None:
        raise NotFound()
    services.price_list_remove_price(
        actor=actor_of(request),
        price_list=price_list,
        product=product,
        expected_version=if_match_version(request, price_list),
    )
    return _price_list_out(request, price_list_id, response)


@router.post("/pricing/preview", response=PriceOut)
def pricing_preview(request: HttpRequest, payload: PriceIn) -> dict[str, Any]:
    actor = actor_of(request)
    selectors.quote_list(actor=actor)  # quote view permission
    priced = services.price_lines(
        actor=actor,
        account=account_for(actor, payload.account_id),
        lines=_lines(payload.lines),
        price_list=_price_list(payload.price_list_id),
        coupon_codes=payload.coupon_codes,
    ).priced
    return {
        "subtotal": priced.subtotal,
        "discount_total": priced.discount_total,
        "tax_total": priced.tax_total,
        "total": priced.total,
        "adjustments": [a.as_json() for a in priced.adjustments],
    }


# ---- quotes and orders ------------------------------------------------------------------------


@router.get("/quotes", response=PageOut[QuoteOut])
def quote_list(
    request: HttpRequest, params: Query[ListParams], status: str = "", account_id: int | None = None
) -> dict[str, Any]:
    qs = selectors.quote_list(actor=actor_of(request), status=status, account_id=account_id)
    qs = order_by_allowed(qs, params.sort, {**CREATED_SORTS, "total": "total"}, "-created_at")
    return page_out(paginate(qs, page=params.page, page_size=params.page_size))


@router.post("/quotes", response={201: QuoteDetailOut})
def quote_create(request: HttpRequest, payload: QuoteIn, response: HttpResponse) -> Status[Any]:
    actor = actor_of(request)
    account = account_for(actor, payload.account_id)
    opportunity = None
    if payload.opportunity_id is not None:
        opportunity = (
            selectors.opportunity_list(actor=actor).filter(pk=payload.opportunity_id).first()
        )
        if opportunity is None:
            raise Invalid(fields={"opportunity_id": [_("Unknown opportunity.")]})
    quote = services.quote_create(
        actor=actor,
        account=account,
        lines=_lines(payload.lines),
        valid_until=payload.valid_until,
        price_list=_price_list(payload.price_list_id),
        opportunity=opportunity,
        coupon_codes=payload.coupon_codes,
        notes=payload.notes,
    )
    set_etag(response, quote)
    return Status(201, selectors.quote_get(actor=actor, quote_id=quote.pk))


@router.get("/quotes/{quote_id}", response=QuoteDetailOut)
def quote_detail(request: HttpRequest, quote_id: int, response: HttpResponse) -> Quote:
    quote = selectors.quote_get(actor=actor_of(request), quote_id=quote_id)
    set_etag(response, quote)
    return quote


@router.post("/quotes/{quote_id}/status", response=QuoteOut)
def quote_status(request: HttpRequest, quote_id: int, payload: QuoteStatusIn) -> Quote:
    actor = actor_of(request)
    quote = selectors.quote_get(actor=actor, quote_id=quote_id)
    return services.quote_set_status(actor=actor, quote=quote, status=payload.status)


@router.post("/quotes/{quote_id}/convert", response={201: OrderDetailOut})
def quote_convert(request: HttpRequest, quote_id: int, payload: QuoteConvertIn) -> Status[Any]:
    actor = actor_of(request)
    quote = selectors.quote_get(actor=actor, quote_id=quote_id)
    order = services.quote_convert(actor=actor, quote=quote, region=payload.region)
    return Status(201, selectors.order_get(actor=actor, order_id=order.pk))


@router.get("/orders", response=PageOut[OrderOut])
def order_list(
    request: HttpRequest, params: Query[ListParams], status: str = "", account_id: int | None = None
) -> dict[str, Any]:
    qs = selectors.order_list(actor=actor_of(request), status=status, account_id=account_id)
    sorts = {"placed_at": "placed_at", "total": "total", "updated_at": "updated_at"}
    qs = order_by_allowed(qs, params.sort, sorts, "-placed_at")
    return page_out(paginate(qs, page=params.page, page_size=params.page_size))


@router.post("/orders", response={201: OrderDetailOut})
def order_create(request: HttpRequest, payload: OrderIn) -> Status[Any]:
    actor = actor_of(request)
    order = services.order_create(
        actor=actor,
        account=account_for(actor, payload.account_id),
        lines=_lines(payload.lines),
        price_list=_price_list(payload.price_list_id),
        coupon_codes=payload.coupon_codes,
        region=payload.region,
        notes=payload.notes,
    )
    return Status(201, selectors.order_get(actor=actor, order_id=order.pk))


@router.get("/orders/{order_id}", response=OrderDetailOut)
def order_detail(request: HttpRequest, order_id: int, response: HttpResponse) -> Order:
    order = selectors.order_get(actor=actor_of(request), order_id=order_id)
    set_etag(response, order)
    return order


@router.post("/orders/{order_id}/payments", response={201: PaymentOut})
def order_payment(request: HttpRequest, order_id: int, payload: PaymentIn) -> Status[Any]:
    actor = actor_of(request)
    order = selectors.order_get(actor=actor, order_id=order_id)
    payment: Payment = services.order_record_payment(
        actor=actor,
        order=order,
        amount=payload.amount,
        received_at=payload.received_at,
        method=payload.method,
        reference=payload.reference,
    )
    return Status(201, payment)


@router.post("/orders/{order_id}/status", response=OrderDetailOut)
def order_status(request: HttpRequest, order_id: int, payload: OrderStatusIn) -> Order:
    actor = actor_of(request)
    order = selectors.order_get(actor=actor, order_id=order_id)
    services.order_set_status(actor=actor, order=order, status=payload.status)
    return selectors.order_get(actor=actor, order_id=order_id)


@router.post("/orders/{order_id}/cancel", response=OrderDetailOut)
def order_cancel(request: HttpRequest, order_id: int, payload: OrderCancelIn) -> Order:
    actor = actor_of(request)
    order = selectors.order_get(actor=actor, order_id=order_id)
    services.order_cancel(actor=actor, order=order, reason=payload.reason)
    return selectors.order_get(actor=actor, order_id=order_id)


@router.post("/orders/{order_id}/returns", response=OrderDetailOut)
def order_return(request: HttpRequest, order_id: int, payload: OrderReturnIn) -> Order:
    actor = actor_of(request)
    order = selectors.order_get(actor=actor, order_id=order_id)
    lines: dict[int, Any] = {}
    for key, qty in payload.lines.items():
        try:
            lines[int(key)] = qty
        except ValueError as exc:
            raise Invalid(fields={f"lines.{key}": [_("Not a line of this order.")]}) from exc
    services.order_return(actor=actor, order=order, lines=lines, reason=payload.reason)
    return selectors.order_get(actor=actor, order_id=order_id)


# ---- contracts and targets ---------------------------------------------------------------------


@router.get("/contracts", response=PageOut[ContractOut])
def contract_list(
    request: HttpRequest,
    params: Query[ListParams],
    status: str = "",
    due_within_days: int | None = None,
) -> dict[str, Any]:
    qs = selectors.contract_list(
        actor=actor_of(request), status=status, due_within_days=due_within_days
    )
    qs = order_by_allowed(
        qs, params.sort, {**CREATED_SORTS, "renewal_date": "renewal_date"}, "renewal_date"
    )
    return page_out(paginate(qs, page=params.page, page_size=params.page_size))


@router.post("/contracts", response={201: ContractOut})
def contract_create(
    request: HttpRequest, payload: ContractIn, response: HttpResponse
) -> Status[Any]:
    actor = actor_of(request)
    order = None
    if payload.order_id is not None:
        order = selectors.order_list(actor=actor).filter(pk=payload.order_id).first()
        if order is None:
            raise Invalid(fields={"order_id": [_("Unknown order.")]})
    contract = services.contract_create(
        actor=actor,
        account=account_for(actor, payload.account_id),
        title=payload.title,
        start_date=payload.start_date,
        end_date=payload.end_date,
        value=payload.value,
        renewal_date=payload.renewal_date,
        remind_days_before=payload.remind_days_before,
        order=order,
        notes=payload.notes,
    )
    set_etag(response, contract)
    return Status(201, contract)


@router.get("/contracts/{contract_id}", response=ContractOut)
def contract_detail(request: HttpRequest, contract_id: int, response: HttpResponse) -> Contract:
    contract = selectors.contract_get(actor=actor_of(request), contract_id=contract_id)
    set_etag(response, contract)
    return contract


@router.patch("/contracts/{contract_id}", response=ContractOut)
def contract_update(
    request: HttpRequest, contract_id: int, payload: ContractPatch, response: HttpResponse
) -> Contract:
    actor = actor_of(request)
    contract = selectors.contract_get(actor=actor, contract_id=contract_id)
    contract = services.contract_update(
        actor=actor,
        contract=contract,
        changes=payload.dict(exclude_unset=True),
        expected_version=if_match_version(request, contract),
    )
    set_etag(response, contract)
    return contract


@router.get("/targets", response=PageOut[TargetOut])
def target_list(request: HttpRequest, params: Query[ListParams]) -> dict[str, Any]:
    qs = selectors.target_list(actor=actor_of(request))
    qs = order_by_allowed(qs, params.sort, {"period_start": "period_start"}, "-period_start")
    return page_out(paginate(qs, page=params.page, page_size=params.page_size))


@router.post("/targets", response={201: TargetOut})
def target_set(request: HttpRequest, payload: TargetIn) -> Status[Any]:
    actor = actor_of(request)
    rep = _owner(actor, payload.rep_id)
    team = None
    if payload.team_id is not None:
        team = Team.objects.filter(pk=payload.team_id).first()
        if team is None:
            raise Invalid(fields={"team_id": [_("Unknown team.")]})
    target = services.target_set(
        actor=actor,
        period_kind=payload.period_kind,
        period_start_on=payload.period_start,
        amount=payload.amount,
        rep=rep,
        team=team,
    )
    return Status(201, target)


@router.delete("/targets/{target_id}", response={204: None})
def target_delete(request: HttpRequest, target_id: int) -> Status[Any]:
    actor = actor_of(request)
    target: SalesTarget = selectors.target_get(actor=actor, target_id=target_id)
    services.target_delete(
        actor=actor, target=target, expected_version=if_match_version(request, target)
    )
    return Status(204, None)


# ---- forecast and reports -----------------------------------------------------------------------


@router.get("/forecast", response=ForecastOut)
def forecast(
    request: HttpRequest,
    kind: str = "month",
    day: dt.date | None = None,
    rep_id: int | None = None,
    team_id: int | None = None,
) -> dict[str, Any]:
    if kind not in {"month", "quarter", "year"}:
        raise Invalid(fields={"kind": [_("Choose month, quarter or year.")]})
    fc = selectors.forecast(
        actor=actor_of(request), kind=kind, day=day, rep_id=rep_id, team_id=team_id, with_deals=True
    )
    return {
        **fc.as_dict(),
        "won_deal_ids": [d.pk for d in fc.won_deals],
        "open_deal_ids": [d.pk for d in fc.open_deals],
    }


def _range(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    d_start, d_end = default_range(timezone.localdate())
    return start or d_start, end or d_end


@router.get("/reports/revenue", response=list[RevenueRowOut])
def report_revenue(
    request: HttpRequest,
    by: str = "month",
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> list[dict[str, Any]]:
    s, e = _range(start, end)
    return selectors.revenue_by(actor=actor_of(request), dimension=by, start=s, end=e)


@router.get("/reports/summary")
def report_summary(
    request: HttpRequest,
    start: dt.date | None = None,
    end: dt.date | None = None,
    pipeline_id: int | None = None,
) -> dict[str, Any]:
    actor = actor_of(request)
    s, e = _range(start, end)
    pipeline = _pipeline(pipeline_id) or services.default_pipeline()
    return {
        "start": s,
        "end": e,
        "funnel": selectors.funnel(actor=actor, pipeline=pipeline, start=s, end=e),
        "win_rate": selectors.win_rate(actor=actor, start=s, end=e),
        "cycle_length": selectors.cycle_length(actor=actor, start=s, end=e),
        "yoy": selectors.revenue_yoy(actor=actor, year=e.year),
        "top_customers": selectors.top_customers(actor=actor, start=s, end=e),
    }
