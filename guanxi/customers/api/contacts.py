"""Contacts: list/search, CRUD, export and vCard."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from guanxi.core.http import actor_of, if_match_version, set_etag
from guanxi.core.pagination import order_by_allowed
from guanxi.core.schemas import ListParams
from guanxi.customers import selectors
from guanxi.customers.api.common import capped_out, file_response
from guanxi.customers.models import Contact
from guanxi.customers.schemas import (
    ContactIn,
    ContactOut,
    ContactPageOut,
    ContactPatch,
    DuplicatePairOut,
)
from guanxi.customers.selectors.contacts import CONTACT_SORTS
from guanxi.customers.selectors.search import paginate_capped
from guanxi.customers.services import contacts as contact_services
from guanxi.customers.services import exports

router = Router()


@router.get("/contacts", response=ContactPageOut, summary="Contacts, searched")
def contact_list(
    request: HttpRequest, params: Query[ListParams], search: str = "", owner_id: int | None = None
) -> dict[str, Any]:
    qs = selectors.contact_list(actor=actor_of(request), search=search, owner_id=owner_id)
    qs = order_by_allowed(qs, params.sort, CONTACT_SORTS, "-updated_at")
    page = paginate_capped(
        qs, page=params.page, page_size=params.page_size or 50, searching=bool(search)
    )
    return capped_out(page)


@router.get("/contacts/export", summary="Export contacts as CSV, XLSX or vCard")
def contact_export(request: HttpRequest, format: str = "csv", search: str = "") -> HttpResponse:
    actor = actor_of(request)
    qs = selectors.contact_list(actor=actor, search=search).order_by("pk")
    if format == "vcf":
        body = exports.contacts_vcard(actor=actor, contacts=qs[:100000].iterator(chunk_size=2000))
        return file_response(body, "text/vcard; charset=utf-8", "contacts.vcf")
    return file_response(*exports.contacts_export(actor=actor, qs=qs, fmt=format))


@router.get(
    "/contacts/duplicates",
    response=list[DuplicatePairOut],
    summary="Scan for contacts with a similar name at the same account",
)
def contact_duplicate_scan(request: HttpRequest, limit: int = 100) -> Any:
    pairs = selectors.contact_duplicates_scan(
        actor=actor_of(request), limit=min(max(limit, 1), 500)
    )
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


@router.get("/accounts/{account_id}/contacts", response=list[ContactOut])
def account_contacts(request: HttpRequest, account_id: int) -> Any:
    actor = actor_of(request)
    account = selectors.account_get(actor=actor, account_id=account_id)
    return list(
        selectors.contact_list(actor=actor, account_id=account.pk).order_by("-is_primary", "pk")[
            :500
        ]
    )


@router.post("/accounts/{account_id}/contacts", response={201: ContactOut})
def contact_create(
    request: HttpRequest, account_id: int, payload: ContactIn, response: HttpResponse
) -> Status[Any]:
    actor = actor_of(request)
    account = selectors.account_get(actor=actor, account_id=account_id)
    contact = contact_services.contact_create(actor=actor, account=account, **payload.dict())
    set_etag(response, contact)
    return Status(201, contact)


@router.get("/contacts/{contact_id}", response=ContactOut)
def contact_detail(request: HttpRequest, contact_id: int, response: HttpResponse) -> Contact:
    contact = selectors.contact_get(actor=actor_of(request), contact_id=contact_id)
    set_etag(response, contact)
    return contact


@router.patch("/contacts/{contact_id}", response=ContactOut)
def contact_update(
    request: HttpRequest, contact_id: int, payload: ContactPatch, response: HttpResponse
) -> Contact:
    actor = actor_of(request)
    contact = selectors.contact_get(actor=actor, contact_id=contact_id)
    contact = contact_services.contact_update(
        actor=actor,
        contact=contact,
        changes=payload.dict(exclude_unset=True),
        expected_version=if_match_version(request, contact),
    )
    set_etag(response, contact)
    return contact


@router.delete("/contacts/{contact_id}", response={204: None})
def contact_delete(request: HttpRequest, contact_id: int) -> Status[Any]:
    actor = actor_of(request)
    contact = selectors.contact_get(actor=actor, contact_id=contact_id)
    contact_services.contact_delete(
        actor=actor, contact=contact, expected_version=if_match_version(request, contact)
    )
    return Status(204, None)


@router.post("/contacts/{contact_id}/restore", response=ContactOut)
def contact_restore(request: HttpRequest, contact_id: int) -> Contact:
    actor = actor_of(request)
    contact = selectors.contact_get(actor=actor, contact_id=contact_id, include_deleted=True)
    return contact_services.contact_restore(actor=actor, contact=contact)


@router.get("/contacts/{contact_id}/vcard", summary="One contact as a vCard")
def contact_vcard(request: HttpRequest, contact_id: int) -> HttpResponse:
    actor = actor_of(request)
    contact = selectors.contact_get(actor=actor, contact_id=contact_id)
    body = exports.contacts_vcard(actor=actor, contacts=[contact])
    return file_response(body, "text/vcard; charset=utf-8", f"contact-{contact.pk}.vcf")
