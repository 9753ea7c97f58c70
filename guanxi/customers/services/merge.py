"""Merging duplicate accounts: everything of the merged record moves to the survivor.

Later apps move their own rows by registering a merge handler, so a merge never loses an
order, a ticket or a points entry; handlers run inside the merge's transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.audit import audit_log
from guanxi.core.errors import Invalid, PreconditionFailed
from guanxi.core.models import User
from guanxi.core.permissions import require_perm
from guanxi.customers.models import Account, Activity, Contact, CustomerScore, LifecycleChange
from guanxi.customers.services.common import SEARCH_FIELDS, fill_search_keys

MergeHandler = Callable[[User, Account, Account], None]
MergePreview = Callable[[User, Account, Account], dict[str, int]]

_HANDLERS: dict[str, MergeHandler] = {}
_PREVIEWS: dict[str, MergePreview] = {}

# Fields the survivor takes from the merged record when its own are empty.
FILLABLE = (
    "name_en", "email", "mobile", "phone", "wechat", "province", "city", "district",
    "street", "industry", "region", "source", "birthday", "gender", "customer_since",
)  # fmt: skip


def register_merge_handler(fn: MergeHandler, *, key: str | None = None) -> None:
    """Register `fn(actor, survivor, merged)` that moves a later app's rows to the survivor."""
    _HANDLERS[key or f"{fn.__module__}.{fn.__qualname__}"] = fn


def register_merge_preview(key: str, fn: MergePreview) -> None:
    """Register `fn(actor, survivor, merged) -> {label: count}` shown before a merge runs."""
    _PREVIEWS[key] = fn


def merge_preview(*, actor: User, survivor: Account, merged: Account) -> dict[str, Any]:
    """What a merge would move and which empty fields it would fill (nothing is written)."""
    _check(actor, survivor, merged)
    moves = {
        "contacts": Contact.objects.filter(account=merged).count(),
        "activities": Activity.objects.filter(account=merged).count(),
        "tags": merged.tags.exclude(pk__in=survivor.tags.values("pk")).count(),
        "stage_history": LifecycleChange.objects.filter(account=merged).count(),
    }
    for key, fn in sorted(_PREVIEWS.items()):
        for label, count in fn(actor, survivor, merged).items():
            moves[f"{key}.{label}"] = count
    fills = {
        f: getattr(merged, f)
        for f in FILLABLE
        if getattr(merged, f) not in (None, "") and getattr(survivor, f) in (None, "")
    }
    return {"survivor_id": survivor.pk, "merged_id": merged.pk, "moves": moves, "fills": fills}


def _check(actor: User, survivor: Account, merged: Account) -> None:
    require_perm(actor, Account.resource, "change")
    require_perm(actor, Account.resource, "delete")
    if survivor.pk == merged.pk:
        raise Invalid(fields={"merged_id": [_("An account cannot be merged into itself.")]})
    if survivor.deleted_at is not None or merged.deleted_at is not None:
        raise Invalid(fields={"merged_id": [_("Restore the account from the recycle bin first.")]})


@transaction.atomic
def account_merge(
    *,
    actor: User,
    survivor: Account,
    merged: Account,
    expected_version: int | None = None,
) -> Account:
    """Merge `merged` into `survivor`: contacts, activities, tags, history and later apps' rows
    move; the survivor's empty fields are filled; the merged record goes to the recycle bin."""
    _check(actor, survivor, merged)
    locked = {
        a.pk: a for a in Account.objects.select_for_update().filter(pk__in=[survivor.pk, merged.pk])
    }
    if len(locked) != 2:
        from guanxi.core.errors import NotFound

        raise NotFound()
    survivor, merged = locked[survivor.pk], locked[merged.pk]
    if expected_version is not None and survivor.version != expected_version:
        raise PreconditionFailed()
    preview = merge_preview(actor=actor, survivor=survivor, merged=merged)
    Contact.all_objects.filter(account=merged).update(
        account=survivor, owner_id=survivor.owner_id, team_id=survivor.team_id
    )
    Activity.all_objects.filter(account=merged).update(
        account=survivor, owner_id=survivor.owner_id, team_id=survivor.team_id
    )
    LifecycleChange.objects.filter(account=merged).update(account=survivor)
    survivor.tags.add(*merged.tags.all())
    if not CustomerScore.objects.filter(account=survivor).exists():
        CustomerScore.objects.filter(account=merged).update(account=survivor)
    for fn in list(_HANDLERS.values()):
        fn(actor, survivor, merged)
    fills = preview["fills"]
    now = timezone.now()
    if fills:
        for name, value in fills.items():
            setattr(survivor, name, value)
        fill_search_keys(survivor)
        Account.objects.filter(pk=survivor.pk).update(
            **fills, **{f: getattr(survivor, f) for f in SEARCH_FIELDS}
        )
    Account.objects.filter(pk=survivor.pk).update(version=F("version") + 1, updated_at=now)
    Account.objects.filter(pk=merged.pk).update(
        deleted_at=now,
        deleted_by=actor,
        merged_into=survivor,
        version=F("version") + 1,
        updated_at=now,
    )
    survivor.refresh_from_db()
    merged.refresh_from_db()
    audit_log(
        actor=actor,
        action="merge",
        obj=survivor,
        changes={"merged_id": merged.pk, "moves": preview["moves"], "fills": list(fills)},
    )
    audit_log(
        actor=actor,
        action="delete",
        obj=merged,
        changes={"merged_into": [None, survivor.pk], "deleted_at": [None, now.isoformat()]},
    )
    return survivor
