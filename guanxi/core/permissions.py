"""Object permissions per role: which actions a role may take on which resource.

Apps register their resources with default grants per role; an admin may override
a role's grants (stored on the Role). Admins may do everything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from guanxi.core.errors import PermissionDenied

if TYPE_CHECKING:
    from guanxi.core.models import User

Action = Literal["view", "create", "change", "delete", "export"]
ACTIONS: tuple[Action, ...] = ("view", "create", "change", "delete", "export")
WRITE_ACTIONS: frozenset[str] = frozenset({"create", "change", "delete"})
ALL: frozenset[str] = frozenset(ACTIONS)
READ: frozenset[str] = frozenset({"view"})
READ_EXPORT: frozenset[str] = frozenset({"view", "export"})
EDIT: frozenset[str] = frozenset({"view", "create", "change"})


@dataclass(frozen=True)
class Resource:
    key: str
    label: str | Promise
    defaults: Mapping[str, frozenset[str]] = field(default_factory=dict)


_RESOURCES: dict[str, Resource] = {}


def register_resource(
    key: str, *, label: str | Promise, defaults: Mapping[str, Iterable[str]]
) -> Resource:
    """Declare a resource and the actions each role may take on it by default."""
    unknown = {a for grants in defaults.values() for a in grants} - set(ACTIONS)
    if unknown:
        raise ValueError(f"unknown actions for {key}: {sorted(unknown)}")
    resource = Resource(key, label, {role: frozenset(g) for role, g in defaults.items()})
    _RESOURCES[key] = resource
    return resource


def resources() -> list[Resource]:
    return sorted(_RESOURCES.values(), key=lambda r: r.key)


def role_grants(
    role_code: str, role_permissions: Mapping[str, list[str]], key: str
) -> frozenset[str]:
    """The actions a role may take on a resource: its stored grants, else the defaults."""
    if role_code == "admin":
        return ALL
    if key in role_permissions:
        grants = frozenset(role_permissions[key])
    else:
        resource = _RESOURCES.get(key)
        grants = resource.defaults.get(role_code, frozenset()) if resource else frozenset()
    if role_code == "read_only":
        # Read-only users can never write, whatever a role edit says.
        grants = grants - WRITE_ACTIONS
    return grants


def has_perm(actor: User, key: str, action: str) -> bool:
    if not actor.is_active:
        return False
    if actor.is_superuser:
        return True
    role = actor.role
    if role is None:
        return False
    return action in role_grants(role.code, role.permissions or {}, key)


def require_perm(actor: User, key: str, action: str) -> None:
    """Raise PermissionDenied unless the actor's role allows the action on the resource."""
    if not has_perm(actor, key, action):
        raise PermissionDenied()


# The platform's own resources.
register_resource(
    "core.user",
    label=_("Users"),
    defaults={"manager": READ, "admin": ALL},
)
register_resource("core.team", label=_("Teams"), defaults={"manager": READ})
register_resource("core.role", label=_("Roles"), defaults={})
register_resource("core.audit", label=_("Audit log"), defaults={"manager": READ})
