from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from guanxi.core.audit import audit_log, diff, snapshot
from guanxi.core.errors import Conflict, Invalid
from guanxi.core.models import Role, Team, User
from guanxi.core.permissions import require_perm
from guanxi.core.records import clean_or_invalid, versioned_update

USER_FIELDS = frozenset(
    {
        "display_name",
        "email",
        "phone",
        "role",
        "team",
        "manager",
        "is_active",
        "language",
        "email_notifications",
        "first_name",
        "last_name",
    }
)


def _validated_password(password: str, user: User | None = None) -> str:
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise Invalid(fields={"password": exc.messages}) from exc
    return password


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    role: Role,
    team: Team | None = None,
    manager: User | None = None,
    display_name: str = "",
    email: str = "",
    phone: str = "",
    is_superuser: bool = False,
    check_password: bool = True,
) -> User:
    """Create a sign-in account; only admins may (the actor is None for set-up commands)."""
    if actor is not None:
        require_perm(actor, "core.user", "create")
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(fields={"username": [_("This username is taken.")]})
    user = User(
        username=username,
        role=role,
        team=team,
        manager=manager,
        display_name=display_name,
        email=email,
        phone=phone,
        is_superuser=is_superuser,
        is_staff=is_superuser,
    )
    if check_password:
        _validated_password(password, user)
    user.set_password(password)
    clean_or_invalid(user)
    user.save()
    audit_log(actor=actor, action="create", obj=user, changes=diff({}, snapshot(user)))
    return user


@transaction.atomic
def user_update(
    *, actor: User, user: User, changes: dict[str, Any], expected_version: int | None
) -> User:
    """Change a user's profile, role, team or manager; admins only, never one's own role."""
    require_perm(actor, "core.user", "change")
    unknown = set(changes) - USER_FIELDS
    if unknown:
        raise Invalid(fields={k: [_("This field cannot be changed.")] for k in unknown})
    if user.pk == actor.pk and ("role" in changes or changes.get("is_active") is False):
        raise Invalid(
            fields={"role": [_("You cannot change your own role or deactivate yourself.")]}
        )
    manager = changes.get("manager")
    if manager is not None and _would_cycle(user, manager):
        raise Invalid(fields={"manager": [_("A user cannot report to their own report.")]})
    return versioned_update(
        actor=actor, obj=user, changes=changes, expected_version=expected_version
    )


def _would_cycle(user: User, manager: User) -> bool:
    seen: set[int] = set()
    current: User | None = manager
    while current is not None and current.pk not in seen:
        if current.pk == user.pk:
            return True
        seen.add(current.pk)
        current = current.manager
    return False


@transaction.atomic
def user_change_password(*, actor: User, old_password: str, new_password: str) -> User:
    """Change one's own password after proving the old one."""
    if not actor.check_password(old_password):
        raise Invalid(fields={"old_password": [_("The current password is wrong.")]})
    _validated_password(new_password, actor)
    actor.set_password(new_password)
    actor.save(update_fields=["password"])
    audit_log(actor=actor, action="update", obj=actor, changes={"password": ["***", "***"]})
    return actor


@transaction.atomic
def user_set_language(*, actor: User, language: str) -> User:
    """Remember the interface language a user chose."""
    if language not in {"zh-hans", "en"}:
        raise Invalid(fields={"language": [_("Unknown language.")]})
    if actor.language != language:
        before = actor.language
        User.objects.filter(pk=actor.pk).update(language=language)
        actor.language = language
        audit_log(actor=actor, action="update", obj=actor, changes={"language": [before, language]})
    return actor


@transaction.atomic
def user_set_preferences(
    *, actor: User, email_notifications: bool, expected_version: int | None = None
) -> User:
    """Change one's own preferences (today: whether notifications also come by e-mail)."""
    return versioned_update(
        actor=actor,
        obj=actor,
        changes={"email_notifications": email_notifications},
        expected_version=expected_version,
    )
