"""Platform API: the signed-in user, notifications, users, teams, roles, tokens, audit log,
recycle bin."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from guanxi.core import selectors, services
from guanxi.core.errors import Invalid, NotFound
from guanxi.core.http import actor_of, if_match_version, page_out, set_etag
from guanxi.core.models import Notification, Role, Team, User
from guanxi.core.pagination import paginate
from guanxi.core.permissions import has_perm, resources, role_grants
from guanxi.core.records import record_get, record_restore
from guanxi.core.schemas import (
    AuditOut,
    ListParams,
    MeOut,
    MePatch,
    NotificationOut,
    NotificationPageOut,
    PageOut,
    ReadAllOut,
    RecycledOut,
    RoleOut,
    RolePermissionsIn,
    TeamIn,
    TeamOut,
    TeamPatch,
    TokenCreatedOut,
    TokenIn,
    TokenOut,
    UnreadCountOut,
    UserIn,
    UserOut,
    UserPatch,
)

router = Router(tags=["platform"])


def _me(actor: User) -> dict[str, Any]:
    role_perms = actor.role.permissions if actor.role else {}
    perms = {
        r.key: sorted(role_grants(actor.role_code, role_perms or {}, r.key)) for r in resources()
    }
    return {
        "id": actor.pk,
        "username": actor.username,
        "display_name": actor.display_name,
        "email": actor.email,
        "role": actor.role_code,
        "team_id": actor.team_id,
        "language": actor.language,
        "email_notifications": actor.email_notifications,
        "permissions": {k: v for k, v in perms.items() if v},
        "version": actor.version,
    }


@router.get("/me", response=MeOut, summary="The signed-in user and their permissions")
def me(request: HttpRequest, response: HttpResponse) -> dict[str, Any]:
    actor = actor_of(request)
    set_etag(response, actor)
    return _me(actor)


@router.patch("/me", response=MeOut, summary="Change one's own preferences")
def me_update(request: HttpRequest, payload: MePatch, response: HttpResponse) -> dict[str, Any]:
    actor = actor_of(request)
    version = if_match_version(request, actor)
    if payload.email_notifications is not None:
        actor = services.user_set_preferences(
            actor=actor,
            email_notifications=payload.email_notifications,
            expected_version=version,
        )
    set_etag(response, actor)
    return _me(actor)


# Notifications -------------------------------------------------------------------------


@router.get(
    "/notifications", response=NotificationPageOut, summary="One's own notifications, newest first"
)
def notification_list(
    request: HttpRequest, params: Query[ListParams], unread: bool | None = None
) -> dict[str, Any]:
    actor = actor_of(request)
    qs = selectors.notification_list(actor=actor, unread=unread)
    page = page_out(paginate(qs, page=params.page, page_size=params.page_size))
    page["unread_count"] = (
        page["count"] if unread is True else selectors.notification_unread_count(actor=actor)
    )
    return page


@router.get("/notifications/unread-count", response=UnreadCountOut)
def notification_unread_count(request: HttpRequest) -> dict[str, int]:
    return {"unread_count": selectors.notification_unread_count(actor=actor_of(request))}


@router.post("/notifications/{notification_id}/read", response=NotificationOut)
def notification_read(request: HttpRequest, notification_id: int) -> Notification:
    return services.notification_mark_read(actor=actor_of(request), notification_id=notification_id)


@router.post(
    "/notifications/read-all",
    response=ReadAllOut,
    summary="Mark one's unread notifications read (up to up_to_id, when given)",
)
def notification_read_all(request: HttpRequest, up_to_id: int | None = None) -> dict[str, int]:
    actor = actor_of(request)
    marked = services.notification_mark_all_read(actor=actor, up_to_id=up_to_id)
    return {"marked": marked, "unread_count": selectors.notification_unread_count(actor=actor)}


# Roles ---------------------------------------------------------------------------------


@router.get("/roles", response=list[RoleOut])
def role_list(request: HttpRequest) -> Any:
    return list(selectors.role_list(actor=actor_of(request)))


@router.get("/roles/{role_id}", response=RoleOut)
def role_detail(request: HttpRequest, role_id: int, response: HttpResponse) -> Role:
    role = selectors.role_get(actor=actor_of(request), role_id=role_id)
    set_etag(response, role)
    return role


@router.patch("/roles/{role_id}", response=RoleOut)
def role_update(
    request: HttpRequest, role_id: int, payload: RolePermissionsIn, response: HttpResponse
) -> Role:
    actor = actor_of(request)
    role = selectors.role_get(actor=actor, role_id=role_id)
    version = if_match_version(request, role)
    role = services.role_update_permissions(
        actor=actor, role=role, permissions=payload.permissions, expected_version=version
    )
    set_etag(response, role)
    return role


# Teams ---------------------------------------------------------------------------------


@router.get("/teams", response=PageOut[TeamOut])
def team_list(request: HttpRequest, params: Query[ListParams]) -> dict[str, Any]:
    qs = selectors.team_list(actor=actor_of(request))
    return page_out(paginate(qs, page=params.page, page_size=params.page_size))


def _user_or_invalid(field: str, user_id: int | None) -> User | None:
    if user_id is None:
        return None
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise Invalid(fields={field: ["Unknown user."]})
    return user


@router.post("/teams", response={201: TeamOut})
def team_create(request: HttpRequest, payload: TeamIn, response: HttpResponse) -> Status[Any]:
    team = services.team_create(
        actor=actor_of(request),
        name=payload.name,
        description=payload.description,
        lead=_user_or_invalid("lead_id", payload.lead_id),
    )
    set_etag(response, team)
    return Status(201, team)


@router.get("/teams/{team_id}", response=TeamOut)
def team_detail(request: HttpRequest, team_id: int, response: HttpResponse) -> Team:
    team = selectors.team_get(actor=actor_of(request), team_id=team_id)
    set_etag(response, team)
    return team


@router.patch("/teams/{team_id}", response=TeamOut)
def team_update(
    request: HttpRequest, team_id: int, payload: TeamPatch, response: HttpResponse
) -> Team:
    actor = actor_of(request)
    team = selectors.team_get(actor=actor, team_id=team_id)
    version = if_match_version(request, team)
    changes: dict[str, Any] = payload.dict(exclude_unset=True)
    if "lead_id" in changes:
        changes["lead"] = _user_or_invalid("lead_id", changes.pop("lead_id"))
    team = services.team_update(actor=actor, team=team, changes=changes, expected_version=version)
    set_etag(response, team)
    return team


@router.delete("/teams/{team_id}", response={204: None})
def team_delete(request: HttpRequest, team_id: int) -> Status[Any]:
    actor = actor_of(request)
    team = selectors.team_get(actor=actor, team_id=team_id)
    services.team_delete(actor=actor, team=team, expected_version=if_match_version(request, team))
    return Status(204, None)


# Users ---------------------------------------------------------------------------------


def _role_by_code(code: str) -> Role:
    role = Role.objects.filter(code=code).first()
    if role is None:
        raise Invalid(fields={"role": ["Unknown role."]})
    return role


def _team_or_invalid(team_id: int | None) -> Team | None:
    if team_id is None:
        return None
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise Invalid(fields={"team_id": ["Unknown team."]})
    return team


@router.get("/users", response=PageOut[UserOut])
def user_list(
    request: HttpRequest, params: Query[ListParams], search: str = "", team_id: int | None = None
) -> dict[str, Any]:
    qs = selectors.user_list(actor=actor_of(request), search=search, team_id=team_id)
    return page_out(paginate(qs, page=params.page, page_size=params.page_size))


@router.post("/users", response={201: UserOut})
def user_create(request: HttpRequest, payload: UserIn, response: HttpResponse) -> Status[Any]:
    user = services.user_create(
        actor=actor_of(request),
        username=payload.username,
        password=payload.password,
        role=_role_by_code(payload.role),
        team=_team_or_invalid(payload.team_id),
        manager=_user_or_invalid("manager_id", payload.manager_id),
        display_name=payload.display_name,
        email=payload.email,
        phone=payload.phone,
    )
    set_etag(response, user)
    return Status(201, user)


@router.get("/users/{user_id}", response=UserOut)
def user_detail(request: HttpRequest, user_id: int, response: HttpResponse) -> User:
    user = selectors.user_get(actor=actor_of(request), user_id=user_id)
    set_etag(response, user)
    return user


@router.patch("/users/{user_id}", response=UserOut)
def user_update(
    request: HttpRequest, user_id: int, payload: UserPatch, response: HttpResponse
) -> User:
    actor = actor_of(request)
    user = selectors.user_get(actor=actor, user_id=user_id)
    version = if_match_version(request, user)
    changes: dict[str, Any] = payload.dict(exclude_unset=True)
    if "role" in changes:
        changes["role"] = _role_by_code(changes["role"])
    if "team_id" in changes:
        changes["team"] = _team_or_invalid(changes.pop("team_id"))
    if "manager_id" in changes:
        changes["manager"] = _user_or_invalid("manager_id", changes.pop("manager_id"))
    user = services.user_update(actor=actor, user=user, changes=changes, expected_version=version)
    set_etag(response, user)
    return user


# Tokens --------------------------------------------------------------------------------


@router.get("/tokens", response=list[TokenOut])
def token_list(request: HttpRequest) -> Any:
    return list(selectors.token_list(actor=actor_of(request)))


@router.post("/tokens", response={201: TokenCreatedOut})
def token_create(request: HttpRequest, payload: TokenIn) -> Status[Any]:
    token, raw = services.token_create(
        actor=actor_of(request), name=payload.name, expires_in_days=payload.expires_in_days
    )
    data = TokenOut.from_orm(token).dict()
    data["token"] = raw
    return Status(201, data)


@router.delete("/tokens/{token_id}", response={204: None})
def token_revoke(request: HttpRequest, token_id: int) -> Status[Any]:
    services.token_revoke(actor=actor_of(request), token_id=token_id)
    return Status(204, None)


# Audit log and recycle bin -------------------------------------------------------------


@router.get("/audit", response=PageOut[AuditOut])
def audit_list(
    request: HttpRequest,
    params: Query[ListParams],
    object_type: str = "",
    object_id: str = "",
    actor_id: int | None = None,
) -> dict[str, Any]:
    qs = selectors.audit_list(
        actor=actor_of(request), object_type=object_type, object_id=object_id, actor_id=actor_id
    )
    return page_out(paginate(qs, page=params.page, page_size=params.page_size))


@router.get("/records/{record_type}/{record_id}/history", response=PageOut[AuditOut])
def record_history(
    request: HttpRequest, record_type: str, record_id: int, params: Query[ListParams]
) -> dict[str, Any]:
    """The audit trail of one record, for anyone who may see the record."""
    actor = actor_of(request)
    model = selectors.recycle_bin_model(record_type)
    obj = record_get(actor, model, record_id, include_deleted=True)
    qs = selectors.audit_for_record(actor=actor, obj=obj)
    return page_out(paginate(qs, page=params.page, page_size=params.page_size))


@router.get("/recycle-bin", response=list[RecycledOut])
def recycle_bin(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "type": obj._meta.label_lower,
            "id": obj.pk,
            "label": str(obj),
            "deleted_at": obj.deleted_at,
            "deleted_by": str(obj.deleted_by or ""),
        }
        for obj in selectors.recycle_bin(actor=actor_of(request))
    ]


@router.post("/recycle-bin/{record_type}/{record_id}/restore", response={200: dict[str, Any]})
def recycle_restore(request: HttpRequest, record_type: str, record_id: int) -> dict[str, Any]:
    actor = actor_of(request)
    model = selectors.recycle_bin_model(record_type)
    obj = record_get(actor, model, record_id, include_deleted=True)
    if obj.deleted_at is None:
        raise NotFound()
    if not has_perm(actor, model.resource, "delete"):
        from guanxi.core.errors import PermissionDenied

        raise PermissionDenied()
    obj = record_restore(actor=actor, obj=obj)
    return {"type": record_type, "id": obj.pk, "version": obj.version}
