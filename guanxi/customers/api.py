"""Customer API: a thin edge over the services and selectors."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from guanxi.core.http import actor_of, if_match_version, page_out, set_etag
from guanxi.core.pagination import order_by_allowed, paginate
from guanxi.core.schemas import ListParams, PageOut
from guanxi.core.selectors import colleague_choices
from guanxi.customers import selectors, services
from guanxi.customers.models import Account
from guanxi.customers.schemas import AccountIn, AccountOut, AccountPatch

router = Router(tags=["customers"])

ACCOUNT_SORTS = {"name": "name", "created_at": "created_at", "updated_at": "updated_at"}


@router.get("/accounts", response=PageOut[AccountOut])
def account_list(
    request: HttpRequest, params: Query[ListParams], search: str = ""
) -> dict[str, Any]:
    qs = selectors.account_list(actor=actor_of(request), search=search)
    qs = order_by_allowed(qs, params.sort, ACCOUNT_SORTS, "-updated_at")
    return page_out(paginate(qs, page=params.page, page_size=params.page_size))


@router.post("/accounts", response={201: AccountOut})
def account_create(request: HttpRequest, payload: AccountIn, response: HttpResponse) -> Status[Any]:
    actor = actor_of(request)
    data = payload.dict()
    owner_id = data.pop("owner_id")
    owner = None
    if owner_id is not None:
        from guanxi.core.errors import Invalid

        owner = colleague_choices(actor=actor).filter(pk=owner_id).first()
        if owner is None:
            raise Invalid(fields={"owner_id": ["Unknown owner."]})
    account = services.account_create(actor=actor, owner=owner, **data)
    set_etag(response, account)
    return Status(201, account)


@router.get("/accounts/{account_id}", response=AccountOut)
def account_detail(request: HttpRequest, account_id: int, response: HttpResponse) -> Account:
    account = selectors.account_get(actor=actor_of(request), account_id=account_id)
    set_etag(response, account)
    return account


@router.patch("/accounts/{account_id}", response=AccountOut)
def account_update(
    request: HttpRequest, account_id: int, payload: AccountPatch, response: HttpResponse
) -> Account:
    actor = actor_of(request)
    account = selectors.account_get(actor=actor, account_id=account_id)
    version = if_match_version(request, account)
    account = services.account_update(
        actor=actor,
        account=account,
        changes=payload.dict(exclude_unset=True),
        expected_version=version,
    )
    set_etag(response, account)
    return account


@router.delete("/accounts/{account_id}", response={204: None})
def account_delete(request: HttpRequest, account_id: int) -> Status[Any]:
    actor = actor_of(request)
    account = selectors.account_get(actor=actor, account_id=account_id)
    services.account_delete(
        actor=actor, account=account, expected_version=if_match_version(request, account)
    )
    return Status(204, None)
