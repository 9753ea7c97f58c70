"""Accounts: list/search, CRUD, 360, lifecycle, duplicates, merge, export."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from guanxi.core.errors import Invalid
from guanxi.core.http import actor_of, if_match_version, set_etag
from guanxi.core.pagination import order_by_allowed
from guanxi.core.schemas import ListParams
from guanxi.core.selectors import colleague_choices
from guanxi.customers import selectors
from guanxi.customers.api.common import capped_out, file_response, trusted_json
from guanxi.customers.models import Account, LifecycleChange
from guanxi.customers.schemas import (
    ACCOUNT_OUT_FIELDS,
    AccountCreatedOut,
    AccountIn,
    AccountOut,
    AccountPageOut,
    AccountPatch,
    AccountQuery,
    Customer360Out,
    DuplicateOut,
    DuplicatePairOut,
    MergeIn,
    MergePreviewOut,
    StageChangeOut,
    StageIn,
    TimelineEntryOut,
    account_out_rows,
)
from guanxi.customers.selectors.accounts import ACCOUNT_SORTS, AccountFilters
from guanxi.customers.selectors.customer360 import customer_360
from guanxi.customers.selectors.search import paginate_capped
from guanxi.customers.services import accounts as account_services
from guanxi.customers.services import exports, merge
from guanxi.customers.timeline import timeline_for

router = Router()


def _filters(request: HttpRequest) -> AccountFilters:
    return AccountFilters.from_mapping(request.GET)


def _owner(actor: Any, owner_id: int | None) -> Any:
    if owner_id is None:
        return None
    owner = colleague_choices(actor=actor).filter(pk=owner_id).first()
    if owner is None:
        raise Invalid(fields={"owner_id": [_("Unknown owner.")]})
    return owner


def _dup_out(hits: list[Any]) -> list[DuplicateOut]:
    return [
        DuplicateOut(
            id=h.account.pk,
            name=h.account.name,
            reason=h.reason,
            score=h.score,
            url=reverse("customers:account-detail", args=[h.account.pk]),
        )
        for h in hits
    ]


@router.get("/accounts", response=AccountPageOut, summary="Accounts, filtered and searched")
def account_list(
    request: HttpRequest, params: Query[ListParams], filters: Query[AccountQuery]
) -> HttpResponse:
    """Filters: search, owner_id, team_id, stage, tag, region, kind, rfm_segment, risk_band,
    created_from/to, updated_from/to, cf_<custom field>. The count stops at 1000."""
    actor = actor_of(request)
    qs = selectors.account_list(actor=actor, filters=_filters(request))
    qs = order_by_allowed(qs, params.sort, ACCOUNT_SORTS, "-updated_at")
    page = paginate_capped(
        qs,
        page=params.page,
        page_size=params.page_size or 50,
        searching=bool(filters.search),
        values=ACCOUNT_OUT_FIELDS,
    )
    page.items = account_out_rows(actor, page.items)
    return trusted_json(capped_out(page))


@router.post("/accounts", response={201: AccountCreatedOut})
def account_create(request: HttpRequest, payload: AccountIn, response: HttpResponse) -> Status[Any]:
    actor = actor_of(request)
    data = payload.dict()
    owner = _owner(actor, data.pop("owner_id"))
    account = account_services.account_create(actor=actor, owner=owner, **data)
    hits = selectors.duplicates_for(
        actor=actor, name=account.name, email=account.email, mobile=account.mobile,
        phone=account.phone, exclude_id=account.pk,
    )  # fmt: skip
    account.possible_duplicates = _dup_out(hits)  # type: ignore[attr-defined]
    set_etag(response, account)
    return Status(201, account)


@router.get("/accounts/export", summary="Export the filtered list as CSV or XLSX")
def account_export(request: HttpRequest, format: str = "csv", sort: str = "") -> HttpResponse:
    actor = actor_of(request)
    qs = order_by_allowed(
        selectors.account_list(actor=actor, filters=_filters(request)),
        sort or None,
        ACCOUNT_SORTS,
        "-updated_at",
    )
    return file_response(*exports.accounts_export(actor=actor, qs=qs, fmt=format))


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
    changes = payload.dict(exclude_unset=True)
    if "owner_id" in changes:
        changes["owner_id"] = _owner(actor, changes["owner_id"]).pk
    account = account_services.account_update(
        actor=actor, account=account, changes=changes, expected_version=version
    )
    set_etag(response, account)
    return account


@router.delete("/accounts/{account_id}", response={204: None})
def account_delete(request: HttpRequest, account_id: int) -> Status[Any]:
    actor = actor_of(request)
    account = selectors.account_get(actor=actor, account_id=account_id)
    account_services.account_delete(
        actor=actor, account=account, expected_version=if_match_version(request, account)
    )
    return Status(204, None)


@router.post("/accounts/{account_id}/restore", response=AccountOut)
def account_restore(request: HttpRequest, account_id: int, response: HttpResponse) -> Account:
    actor = actor_of(request)
    account = selectors.account_get(actor=actor, account_id=account_id, include_deleted=True)
    account = account_services.account_restore(actor=actor, account=account)
    set_etag(response, account)
    return account


@router.get(
    "/{account_id}/360",
    response=Customer360Out,
    summary="Customer 360: profile, contacts, timeline, figures",
)
def account_360(
    request: HttpRequest, account_id: int, before: dt.datetime | None = None, limit: int = 30
) -> dict[str, Any]:
    return customer_360(actor=actor_of(request), account_id=account_id, before=before, limit=limit)


@router.get("/accounts/{account_id}/timeline", response=list[TimelineEntryOut])
def account_timeline(
    request: HttpRequest, account_id: int, before: dt.datetime | None = None, limit: int = 50
) -> Any:
    actor = actor_of(request)
    account = selectors.account_get(actor=actor, account_id=account_id)
    return timeline_for(actor=actor, account=account, before=before, limit=limit)


@router.post(
    "/accounts/{account_id}/stage", response=AccountOut, summary="Move to a lifecycle stage"
)
def account_stage(
    request: HttpRequest, account_id: int, payload: StageIn, response: HttpResponse
) -> Account:
    actor = actor_of(request)
    account = selectors.account_get(actor=actor, account_id=account_id)
    account = account_services.account_set_lifecycle_stage(
        actor=actor, account=account, stage=payload.stage, reason=payload.reason
    )
    set_etag(response, account)
    return account


@router.get("/accounts/{account_id}/stage-history", response=list[StageChangeOut])
def account_stage_history(request: HttpRequest, account_id: int) -> Any:
    account = selectors.account_get(actor=actor_of(request), account_id=account_id)
    return list(LifecycleChange.objects.filter(account=account)[:200])


@router.get("/accounts/{account_id}/duplicates", response=list[DuplicateOut])
def account_duplicates(request: HttpRequest, account_id: int) -> Any:
    actor = actor_of(request)
    a = selectors.account_get(actor=actor, account_id=account_id)
    return _dup_out(
        selectors.duplicates_for(
            actor=actor, name=a.name, email=a.email, mobile=a.mobile, phone=a.phone, exclude_id=a.pk
        )
    )


@router.get(
    "/duplicates", response=list[DuplicatePairOut], summary="Scan for likely duplicate pairs"
)
def duplicate_scan(request: HttpRequest, limit: int = 100) -> Any:
    pairs = selectors.duplicates_scan(actor=actor_of(request), limit=min(max(limit, 1), 500))
    return [
        {
            "a_id": p.a.pk,
            "a_name": p.a.name,
            "b_id": p.b.pk,
            "b_name": p.b.name,
            "reason": p.reason,
            "score": p.score,
        }
        for p in pairs
    ]


def _pair(request: HttpRequest, account_id: int, merged_id: int | None) -> tuple[Any, Any, Any]:
    actor = actor_of(request)
    survivor = selectors.account_get(actor=actor, account_id=account_id)
    if merged_id is None:
        raise Invalid(fields={"merged_id": [_("This field is required.")]})
    merged = selectors.account_get(actor=actor, account_id=merged_id)
    return actor, survivor, merged


@router.get("/accounts/{account_id}/merge-preview", response=MergePreviewOut)
def account_merge_preview(
    request: HttpRequest, account_id: int, merged_id: int | None = None
) -> Any:
    actor, survivor, merged = _pair(request, account_id, merged_id)
    return merge.merge_preview(actor=actor, survivor=survivor, merged=merged)


@router.post(
    "/accounts/{account_id}/merge",
    response=AccountOut,
    summary="Merge another account into this one",
)
def account_merge(
    request: HttpRequest, account_id: int, payload: MergeIn, response: HttpResponse
) -> Account:
    actor, survivor, merged = _pair(request, account_id, payload.merged_id)
    version = if_match_version(request, survivor)
    survivor = merge.account_merge(
        actor=actor, survivor=survivor, merged=merged, expected_version=version
    )
    set_etag(response, survivor)
    return survivor
