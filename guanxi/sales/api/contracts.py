"""Contracts and sales targets."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Status

from guanxi.core.errors import Invalid
from guanxi.core.http import actor_of, if_match_version, page_out, set_etag
from guanxi.core.models import Team, User
from guanxi.core.pagination import order_by_allowed, paginate
from guanxi.core.schemas import ListParams, PageOut
from guanxi.core.selectors import colleague_choices
from guanxi.sales import selectors, services
from guanxi.sales.api.common import CREATED_SORTS, SalesRouter
from guanxi.sales.models import Contract, SalesTarget
from guanxi.sales.schemas import ContractIn, ContractOut, ContractPatch, TargetIn, TargetOut
from guanxi.sales.services._common import account_for

router = SalesRouter()


def _owner(actor: User, owner_id: int | None) -> User | None:
    if owner_id is None:
        return None
    owner = colleague_choices(actor=actor).filter(pk=owner_id).first()
    if owner is None:
        raise Invalid(fields={"owner_id": [_("Unknown owner.")]})
    return owner


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
