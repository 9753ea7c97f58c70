"""Customer reads, scoped to the actor's visibility."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from guanxi.core.models import User
from guanxi.core.permissions import require_perm
from guanxi.core.records import record_get
from guanxi.core.visibility import visible
from guanxi.customers.models import Account


def account_list(*, actor: User, search: str = "") -> QuerySet[Account]:
    """Accounts the actor may see, optionally matching a search term."""
    require_perm(actor, Account.resource, "view")
    qs = visible(actor, Account).select_related("owner", "team")
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(email__iexact=search) | Q(mobile=search))
    return qs


def account_get(*, actor: User, account_id: Any) -> Account:
    require_perm(actor, Account.resource, "view")
    return record_get(actor, Account, account_id)
