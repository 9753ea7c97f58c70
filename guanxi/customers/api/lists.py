"""Saved views and custom field definitions."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from guanxi.core.http import actor_of
from guanxi.core.permissions import require_perm
from guanxi.customers.models import CustomFieldDef, SavedView
from guanxi.customers.schemas import CustomFieldIn, CustomFieldOut, SavedViewIn, SavedViewOut
from guanxi.customers.services import lists

router = Router()


@router.get("/saved-views", response=list[SavedViewOut], summary="The signed-in user's saved views")
def saved_view_list(request: HttpRequest, entity: str = "account") -> Any:
    return list(SavedView.objects.filter(user=actor_of(request), entity=entity))


@router.post("/saved-views", response={201: SavedViewOut})
def saved_view_create(request: HttpRequest, payload: SavedViewIn) -> Status[Any]:
    view = lists.saved_view_create(actor=actor_of(request), **payload.dict())
    return Status(201, view)


@router.delete("/saved-views/{view_id}", response={204: None})
def saved_view_delete(request: HttpRequest, view_id: int) -> Status[Any]:
    lists.saved_view_delete(actor=actor_of(request), view_id=view_id)
    return Status(204, None)


@router.get("/custom-fields", response=list[CustomFieldOut])
def custom_field_list(request: HttpRequest, entity: str = "") -> Any:
    qs = CustomFieldDef.objects.all()
    return list(qs.filter(entity=entity) if entity else qs)


@router.post(
    "/custom-fields", response={201: CustomFieldOut}, summary="Define a custom field (admins)"
)
def custom_field_create(request: HttpRequest, payload: CustomFieldIn) -> Status[Any]:
    actor = actor_of(request)
    require_perm(actor, "customers.customfield", "create")
    return Status(201, lists.custom_field_create(actor=actor, **payload.dict()))
