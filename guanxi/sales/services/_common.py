"""Helpers shared by the sales services: ownership rule, numbers, account lookup."""

from __future__ import annotations

import secrets
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.errors import Invalid, NotFound, PermissionDenied
from guanxi.core.models import User
from guanxi.core.permissions import has_perm
from guanxi.core.records import OwnedRecord
from guanxi.customers import selectors as customer_selectors
from guanxi.customers.models import Account

MANAGING_ROLES = frozenset({"admin", "manager"})


def is_managing(actor: User) -> bool:
    return bool(actor.is_superuser or actor.role_code in MANAGING_ROLES)


def require_own(actor: User, obj: OwnedRecord) -> None:
    """Reps change only their own records; managers and admins any record they can see."""
    if not is_managing(actor) and obj.owner_id != actor.pk:
        raise PermissionDenied(_("Only the owner or a manager may change this record."))


def require_configure(actor: User) -> None:
    """Pipelines, products and price lists are sales settings: managers and admins."""
    if not has_perm(actor, "sales.product", "change"):
        raise PermissionDenied()


def next_number(prefix: str) -> str:
    """A human-readable unique number: prefix, local date, six random hex digits."""
    return f"{prefix}{timezone.localdate():%Y%m%d}-{secrets.token_hex(3).upper()}"


def account_for(actor: User, account_id: Any, field: str = "account_id") -> Account:
    """The account the actor may see, or a per-field 422 (never reveal an invisible one)."""
    if isinstance(account_id, Account):
        account_id = account_id.pk
    if account_id in (None, ""):
        raise Invalid(fields={field: [_("Choose an account.")]})
    try:
        return customer_selectors.account_get(actor=actor, account_id=account_id)
    except NotFound as exc:
        raise Invalid(fields={field: [_("Unknown account.")]}) from exc


def only_fields(data: dict[str, Any], allowed: frozenset[str]) -> dict[str, Any]:
    unknown = set(data) - allowed
    if unknown:
        raise Invalid(fields={k: [_("Unknown field.")] for k in sorted(unknown)})
    return data
