"""Activities and tasks: per account, my day, complete, iCalendar."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from guanxi.core.http import actor_of, if_match_version, page_out, set_etag
from guanxi.core.pagination import paginate
from guanxi.core.schemas import ListParams
from guanxi.customers import selectors
from guanxi.customers.api.common import file_response
from guanxi.customers.models import Activity
from guanxi.customers.schemas import (
    ActivityCompletedOut,
    ActivityIn,
    ActivityOut,
    ActivityPageOut,
    ActivityPatch,
    MyDayOut,
)
from guanxi.customers.services import activities as activity_services
from guanxi.customers.services import exports

router = Router()


@router.get("/activities", response=ActivityPageOut, summary="Activities the actor may see")
def activity_list(
    request: HttpRequest, params: Query[ListParams], kind: str = "", open_tasks: bool = False
) -> dict[str, Any]:
    qs = selectors.activity_list(actor=actor_of(request), kind=kind, open_tasks=open_tasks)
    return page_out(paginate(qs, page=params.page, page_size=params.page_size))


@router.get("/activities/ics", summary="Open tasks and recent activities as iCalendar")
def activity_ics(request: HttpRequest, open_tasks: bool = True) -> HttpResponse:
    actor = actor_of(request)
    qs = selectors.activity_list(actor=actor, open_tasks=open_tasks)[:5000]
    body = exports.activities_ics(actor=actor, activities=qs, host=request.get_host())
    return file_response(body, "text/calendar; charset=utf-8", "guanxi.ics")


@router.get("/my-day", response=MyDayOut, summary="Today's and overdue tasks of the signed-in user")
def my_day(request: HttpRequest) -> Any:
    return selectors.my_day(actor=actor_of(request))


@router.get("/accounts/{account_id}/activities", response=ActivityPageOut)
def account_activities(
    request: HttpRequest, account_id: int, params: Query[ListParams]
) -> dict[str, Any]:
    actor = actor_of(request)
    account = selectors.account_get(actor=actor, account_id=account_id)
    qs = selectors.activity_list(actor=actor, account_id=account.pk)
    return page_out(paginate(qs, page=params.page, page_size=params.page_size))


@router.post("/accounts/{account_id}/activities", response={201: ActivityOut})
def activity_create(
    request: HttpRequest, account_id: int, payload: ActivityIn, response: HttpResponse
) -> Status[Any]:
    actor = actor_of(request)
    account = selectors.account_get(actor=actor, account_id=account_id)
    data = {k: v for k, v in payload.dict().items() if v is not None}
    activity = activity_services.activity_create(actor=actor, account=account, **data)
    set_etag(response, activity)
    return Status(201, activity)


@router.get("/activities/{activity_id}", response=ActivityOut)
def activity_detail(request: HttpRequest, activity_id: int, response: HttpResponse) -> Activity:
    activity = selectors.activity_get(actor=actor_of(request), activity_id=activity_id)
    set_etag(response, activity)
    return activity


@router.patch("/activities/{activity_id}", response=ActivityOut)
def activity_update(
    request: HttpRequest, activity_id: int, payload: ActivityPatch, response: HttpResponse
) -> Activity:
    actor = actor_of(request)
    activity = selectors.activity_get(actor=actor, activity_id=activity_id)
    activity = activity_services.activity_update(
        actor=actor,
        activity=activity,
        changes=payload.dict(exclude_unset=True),
        expected_version=if_match_version(request, activity),
    )
    set_etag(response, activity)
    return activity


@router.delete("/activities/{activity_id}", response={204: None})
def activity_delete(request: HttpRequest, activity_id: int) -> Status[Any]:
    actor = actor_of(request)
    activity = selectors.activity_get(actor=actor, activity_id=activity_id)
    activity_services.activity_delete(
        actor=actor, activity=activity, expected_version=if_match_version(request, activity)
    )
    return Status(204, None)


@router.post("/activities/{activity_id}/complete", response=ActivityCompletedOut)
def activity_complete(request: HttpRequest, activity_id: int) -> dict[str, Any]:
    actor = actor_of(request)
    activity = selectors.activity_get(actor=actor, activity_id=activity_id)
    done, following = activity_services.activity_complete(
        actor=actor, activity=activity, expected_version=if_match_version(request, activity)
    )
    return {"done": done, "next": following}
