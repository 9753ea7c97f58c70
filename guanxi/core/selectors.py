"""Platform reads, each scoped to what the actor may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from guanxi.core.errors import NotFound
from guanxi.core.models import ApiToken, AuditEntry, Notification, Role, Team, User
from guanxi.core.permissions import require_perm
from guanxi.core.records import OwnedRecord, soft_deletable_models
from guanxi.core.visibility import reach, visible


def user_list(*, actor: User, search: str = "", team_id: int | None = None) -> QuerySet[User]:
    """Users, for those who administer them."""
    require_perm(actor, "core.user", "view")
    qs = User.objects.select_related("role", "team", "manager")
    if search:
        qs = qs.filter(
            Q(username__icontains=search)
            | Q(display_name__icontains=search)
            | Q(email__icontains=search)
        )
    if team_id:
        qs = qs.filter(team_id=team_id)
    return qs.order_by("username")


def user_get(*, actor: User, user_id: Any) -> User:
    try:
        return user_list(actor=actor).get(pk=user_id)
    except (User.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc


def colleague_choices(*, actor: User) -> QuerySet[User]:
    """Active users an actor may assign records to (owner pickers)."""
    qs = User.objects.filter(is_active=True).select_related("team")
    r = reach(actor)
    if not r.everything:
        qs = qs.filter(Q(pk__in=r.user_ids) | Q(team_id__in=r.team_ids))
    return qs.order_by("username")


def team_list(*, actor: User) -> QuerySet[Team]:
    require_perm(actor, "core.team", "view")
    return Team.objects.select_related("lead").order_by("name")


def team_get(*, actor: User, team_id: Any) -> Team:
    try:
        return team_list(actor=actor).get(pk=team_id)
    except (Team.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc


def role_list(*, actor: User) -> QuerySet[Role]:
    require_perm(actor, "core.role", "view")
    return Role.objects.order_by("id")


def role_get(*, actor: User, role_id: Any) -> Role:
    try:
        return role_list(actor=actor).get(pk=role_id)
    except (Role.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc


def token_list(*, actor: User) -> QuerySet[ApiToken]:
    """One's own API tokens (never anyone else's)."""
    return ApiToken.objects.filter(user=actor).order_by("-created_at")


def notification_list(*, actor: User, unread: bool | None = None) -> QuerySet[Notification]:
    """One's own notifications, newest first (nobody ever sees anyone else's)."""
    qs = Notification.objects.filter(recipient=actor)
    if unread is True:
        qs = qs.filter(read_at__isnull=True)
    elif unread is False:
        qs = qs.filter(read_at__isnull=False)
    return qs.order_by("-created_at", "-id")


def notification_unread_count(*, actor: User) -> int:
    """How many of one's notifications are unread (the bell's number)."""
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).count()


def audit_list(
    *, actor: User, object_type: str = "", object_id: str = "", actor_id: int | None = None
) -> QuerySet[AuditEntry]:
    """The audit log: admins see all; others with audit access see their reach's entries."""
    require_perm(actor, "core.audit", "view")
    qs = AuditEntry.objects.select_related("actor")
    r = reach(actor)
    if not r.everything:
        qs = qs.filter(actor_id__in=r.user_ids)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if actor_id:
        qs = qs.filter(actor_id=actor_id)
    return qs.order_by("-at", "-id")


def audit_for_record(*, actor: User, obj: OwnedRecord) -> QuerySet[AuditEntry]:
    """The history of one record, for anyone who may see the record."""
    if not visible(actor, type(obj).all_objects.filter(pk=obj.pk)).exists():
        raise NotFound()
    return (
        AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .select_related("actor")
        .order_by("-at", "-id")
    )


def recycle_bin(*, actor: User) -> list[OwnedRecord]:
    """Deleted records the actor may see and restore, newest first (one query per model)."""
    from guanxi.core.permissions import has_perm

    items: list[OwnedRecord] = []
    for model in soft_deletable_models():
        if not has_perm(actor, model.resource, "delete"):
            continue
        qs = visible(actor, model.all_objects.filter(deleted_at__isnull=False))
        items.extend(qs.select_related("deleted_by").order_by("-deleted_at")[:200])
    items.sort(key=lambda o: o.deleted_at, reverse=True)  # type: ignore[arg-type,return-value]
    return items


def recycle_bin_model(label: str) -> type[OwnedRecord]:
    """The owned-record model with this label (e.g. "customers.account"), or NotFound."""
    for model in soft_deletable_models():
        if model._meta.label_lower == label:
            return model
    raise NotFound()
