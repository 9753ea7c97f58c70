"""Contact reads: a contact is seen by whoever sees its account."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from guanxi.core.models import User
from guanxi.core.permissions import require_perm
from guanxi.core.records import record_get
from guanxi.core.visibility import reach, register_scope, visible
from guanxi.customers.models import Account, Contact
from guanxi.customers.selectors.search import apply_search

CONTACT_SORTS = {
    "name": "name",
    "pinyin": "search_pinyin",
    "created_at": "created_at",
    "updated_at": "updated_at",
}


def _through_account(actor: User, qs: QuerySet[Any]) -> QuerySet[Any]:
    return qs.filter(reach(actor).q("account__owner", "account__team"))


register_scope(Contact, _through_account)


def contact_list(
    *, actor: User, search: str = "", account_id: int | None = None, owner_id: int | None = None
) -> QuerySet[Contact]:
    """Contacts on accounts the actor may see, optionally searched."""
    require_perm(actor, Contact.resource, "view")
    qs = visible(actor, Contact.objects.filter(account__deleted_at__isnull=True)).select_related(
        "account"
    )
    if account_id is not None:
        qs = qs.filter(account_id=account_id)
    if owner_id:
        qs = qs.filter(account__owner_id=owner_id)
    return apply_search(qs, search)


def contact_get(*, actor: User, contact_id: Any, include_deleted: bool = False) -> Contact:
    require_perm(actor, Contact.resource, "view")
    return record_get(actor, Contact, contact_id, include_deleted=include_deleted)


def contacts_of(*, actor: User, account: Account) -> list[Contact]:
    require_perm(actor, Contact.resource, "view")
    return list(
        visible(actor, Contact.objects.filter(account=account)).order_by("-is_primary", "name")
    )
