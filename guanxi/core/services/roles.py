from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from guanxi.core.errors import Invalid
from guanxi.core.models import Role, User
from guanxi.core.permissions import ACTIONS, register_resource, require_perm, resources
from guanxi.core.records import versioned_update

SYSTEM_ROLES: dict[str, tuple[str, str]] = {
    Role.ADMIN: ("管理员", "Administrator"),
    Role.MANAGER: ("经理", "Manager"),
    Role.SALES: ("销售", "Sales"),
    Role.SERVICE: ("客服", "Service"),
    Role.MARKETING: ("市场", "Marketing"),
    Role.ANALYST: ("分析师", "Analyst"),
    Role.READ_ONLY: ("只读", "Read-only"),
}

__all__ = ["register_resource", "role_ensure_system_roles", "role_update_permissions"]


@transaction.atomic
def role_ensure_system_roles() -> dict[str, Role]:
    """Make sure the seven system roles exist (idempotent; run by migrate and demo)."""
    roles: dict[str, Role] = {}
    for code, (zh, en) in SYSTEM_ROLES.items():
        role, _created = Role.objects.get_or_create(
            code=code, defaults={"name_zh": zh, "name_en": en, "is_system": True}
        )
        roles[code] = role
    return roles


@transaction.atomic
def role_update_permissions(
    *,
    actor: User,
    role: Role,
    permissions: Mapping[str, Sequence[str]],
    expected_version: int | None,
) -> Role:
    """Replace a role's grants on the given resources; the admin role cannot be narrowed."""
    require_perm(actor, "core.role", "change")
    if role.code == Role.ADMIN:
        raise Invalid(_("The administrator role always has every permission."))
    known = {r.key for r in resources()}
    errors: dict[str, list[str]] = {}
    for key, actions in permissions.items():
        if key not in known:
            errors[key] = [_("Unknown resource.")]
        elif set(actions) - set(ACTIONS):
            errors[key] = [_("Unknown action.")]
    if errors:
        raise Invalid(fields=errors)
    merged = dict(role.permissions or {})
    merged.update({k: sorted(set(v)) for k, v in permissions.items()})
    return versioned_update(
        actor=actor, obj=role, changes={"permissions": merged}, expected_version=expected_version
    )
