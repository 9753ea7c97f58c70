"""Customer writes."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from guanxi.core.models import User
from guanxi.core.records import record_create, record_soft_delete, record_update
from guanxi.customers.models import Account

ACCOUNT_FIELDS = frozenset({"kind", "name", "email", "mobile", "notes"})


def _only_account_fields(data: dict[str, Any]) -> dict[str, Any]:
    from guanxi.core.errors import Invalid

    unknown = set(data) - ACCOUNT_FIELDS
    if unknown:
        raise Invalid(fields={k: ["Unknown field."] for k in sorted(unknown)})
    return data


@transaction.atomic
def account_create(*, actor: User, owner: User | None = None, **data: Any) -> Account:
    """Create an account owned by `owner` (default the actor)."""
    return record_create(actor=actor, model=Account, data=_only_account_fields(data), owner=owner)


@transaction.atomic
def account_update(
    *, actor: User, account: Account, changes: dict[str, Any], expected_version: int | None
) -> Account:
    """Change an account if it is still at the version the client saw."""
    return record_update(
        actor=actor,
        obj=account,
        changes=_only_account_fields(changes),
        expected_version=expected_version,
    )


@transaction.atomic
def account_delete(*, actor: User, account: Account, expected_version: int | None) -> Account:
    """Move an account to the recycle bin."""
    return record_soft_delete(actor=actor, obj=account, expected_version=expected_version)
