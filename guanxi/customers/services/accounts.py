"""Account writes: create, change, delete/restore, tags and the lifecycle stage."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.audit import audit_log
from guanxi.core.errors import Invalid
from guanxi.core.models import User
from guanxi.core.permissions import require_perm
from guanxi.core.records import record_create, record_restore, record_soft_delete, record_update
from guanxi.customers.models import Account, LifecycleChange, LifecycleStage, Tag
from guanxi.customers.services.common import (
    SEARCH_FIELDS,
    audit_summary,
    clean_custom,
    fill_search_keys,
    normalize_personal,
)

ACCOUNT_FIELDS = frozenset(
    {
        "kind", "name", "name_en", "email", "mobile", "phone", "wechat",
        "province", "city", "district", "street", "industry", "region", "source",
        "birthday", "gender", "customer_since", "lifecycle_stage",
        "consent_email", "consent_sms", "consent_marketing", "consent_at", "consent_how",
        "custom", "notes",
    }
)  # fmt: skip
CONSENT_FIELDS = ("consent_email", "consent_sms", "consent_marketing")


def _check_fields(data: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise Invalid(fields={k: [_("Unknown field.")] for k in sorted(unknown)})


def clean_account_data(data: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Normalise and validate account input; raise Invalid with every field's problem."""
    _check_fields(data, ACCOUNT_FIELDS)
    data = dict(data)
    errors: dict[str, list[str]] = {}
    normalize_personal(data, errors)
    if "custom" in data or not partial:
        try:
            data["custom"] = clean_custom("account", data.get("custom"), partial=partial)
        except Invalid as exc:
            errors.update(exc.fields)
    if "lifecycle_stage" in data and data["lifecycle_stage"] not in LifecycleStage.values:
        errors["lifecycle_stage"] = [_("Unknown lifecycle stage.")]
    if errors:
        raise Invalid(fields=errors)
    return data


def _tags_by_name(names: Iterable[str]) -> list[Tag]:
    wanted = sorted({n.strip()[:60] for n in names if n and n.strip()})
    if not wanted:
        return []
    existing = {t.name: t for t in Tag.objects.filter(name__in=wanted)}
    missing = [Tag(name=n) for n in wanted if n not in existing]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {t.name: t for t in Tag.objects.filter(name__in=wanted)}
    return [existing[n] for n in wanted if n in existing]


def _set_tags(actor: User, account: Account, names: Iterable[str]) -> None:
    before = sorted(account.tags.values_list("name", flat=True))
    tags = _tags_by_name(names)
    after = sorted(t.name for t in tags)
    if before != after:
        account.tags.set(tags)
        audit_log(actor=actor, action="update", obj=account, changes={"tags": [before, after]})


def _consent_stamp(data: dict[str, Any], before: Account | None) -> None:
    """Record when consent changed if the caller did not say when."""
    changed = any(
        k in data and bool(data[k]) != bool(getattr(before, k, False)) for k in CONSENT_FIELDS
    )
    if changed and not data.get("consent_at"):
        data["consent_at"] = timezone.now()


@transaction.atomic
def account_create(
    *,
    actor: User,
    owner: User | None = None,
    tags: Iterable[str] | None = None,
    **data: Any,
) -> Account:
    """Create an account owned by `owner` (default the actor); phones and e-mail normalised."""
    require_perm(actor, Account.resource, "create")
    data = clean_account_data(data)
    _consent_stamp(data, None)
    probe = Account(**data)
    fill_search_keys(probe)
    data.update({f: getattr(probe, f) for f in SEARCH_FIELDS})
    account = record_create(actor=actor, model=Account, data=data, owner=owner)
    LifecycleChange.objects.create(
        account=account, from_stage="", to_stage=account.lifecycle_stage, actor=actor
    )
    if tags:
        _set_tags(actor, account, tags)
    return account


@transaction.atomic
def account_update(
    *,
    actor: User,
    account: Account,
    changes: dict[str, Any],
    expected_version: int | None,
    reason: str = "",
) -> Account:
    """Change an account if it is still at the version the client saw."""
    require_perm(actor, Account.resource, "change")
    changes = dict(changes)
    tags = changes.pop("tags", None)
    owner_id = changes.pop("owner_id", None)
    changes = clean_account_data(changes, partial=True)
    if owner_id is not None:
        changes["owner_id"] = owner_id
    _consent_stamp(changes, account)
    stage_before = account.lifecycle_stage
    probe = Account(
        **{
            f: changes.get(f, getattr(account, f))
            for f in ("name", "name_en", "email", "mobile", "phone")
        }
    )
    fill_search_keys(probe)
    changes.update({f: getattr(probe, f) for f in SEARCH_FIELDS})
    updated = record_update(
        actor=actor, obj=account, changes=changes, expected_version=expected_version
    )
    if updated.lifecycle_stage != stage_before:
        LifecycleChange.objects.create(
            account=updated,
            from_stage=stage_before,
            to_stage=updated.lifecycle_stage,
            reason=reason,
            actor=actor,
        )
    if tags is not None:
        _set_tags(actor, updated, tags)
    return updated


@transaction.atomic
def account_delete(*, actor: User, account: Account, expected_version: int | None) -> Account:
    """Move an account to the recycle bin."""
    return record_soft_delete(actor=actor, obj=account, expected_version=expected_version)


@transaction.atomic
def account_restore(*, actor: User, account: Account) -> Account:
    """Bring an account back from the recycle bin."""
    return record_restore(actor=actor, obj=account)


@transaction.atomic
def account_set_lifecycle_stage(
    *,
    actor: User | None,
    account: Account,
    stage: str,
    reason: str = "",
    source: Literal["manual", "rule"] = "manual",
) -> Account:
    """Move an account to a lifecycle stage and keep the move in its history.

    A person (actor) needs the change permission; a rule run by a system job passes
    actor=None and source="rule".
    """
    if actor is not None:
        require_perm(actor, Account.resource, "change")
    if stage not in LifecycleStage.values:
        raise Invalid(fields={"stage": [_("Unknown lifecycle stage.")]})
    if source not in LifecycleChange.Source.values:
        raise Invalid(fields={"source": [_("Unknown source.")]})
    current: Account | None = Account.objects.select_for_update().filter(pk=account.pk).first()
    if current is None:
        from guanxi.core.errors import NotFound

        raise NotFound()
    if current.lifecycle_stage == stage:
        return current
    before = current.lifecycle_stage
    from django.db.models import F

    Account.objects.filter(pk=current.pk).update(
        lifecycle_stage=stage, version=F("version") + 1, updated_at=timezone.now()
    )
    LifecycleChange.objects.create(
        account=current,
        from_stage=before,
        to_stage=stage,
        reason=reason[:255],
        source=source,
        actor=actor,
    )
    current.refresh_from_db()
    audit_log(
        actor=actor,
        action="update",
        obj=current,
        changes={"lifecycle_stage": [before, stage], "reason": reason, "source": source},
    )
    return current


@transaction.atomic
def account_set_lifecycle_stage_bulk(
    *,
    actor: User | None,
    moves: Iterable[tuple[int, str]],
    reason: str = "",
    source: Literal["manual", "rule"] = "rule",
) -> int:
    """Move many accounts at once (a rule run): (account_id, stage) pairs; returns how many moved.

    Bulk writes: one history row per move and one audit summary entry for the run.
    """
    if actor is not None:
        require_perm(actor, Account.resource, "change")
    by_stage: dict[str, set[int]] = {}
    for account_id, stage in moves:
        if stage not in LifecycleStage.values:
            raise Invalid(fields={"stage": [_("Unknown lifecycle stage.")]})
        by_stage.setdefault(stage, set()).add(int(account_id))
    from django.db.models import F

    now = timezone.now()
    moved = 0
    history: list[LifecycleChange] = []
    for stage, ids in by_stage.items():
        id_list = sorted(ids)
        for start in range(0, len(id_list), 900):
            batch = id_list[start : start + 900]
            current = dict(
                Account.objects.filter(pk__in=batch)
                .exclude(lifecycle_stage=stage)
                .values_list("pk", "lifecycle_stage")
            )
            if not current:
                continue
            moved += Account.objects.filter(pk__in=list(current)).update(
                lifecycle_stage=stage, version=F("version") + 1, updated_at=now
            )
            history.extend(
                LifecycleChange(
                    account_id=pk,
                    from_stage=before,
                    to_stage=stage,
                    reason=reason[:255],
                    source=source,
                    actor=actor,
                )
                for pk, before in current.items()
            )
    LifecycleChange.objects.bulk_create(history, batch_size=1000)
    if moved:
        audit_summary(
            actor=actor,
            action="update",
            model=Account,
            changes={"lifecycle_stage": "bulk", "moved": moved, "reason": reason, "source": source},
        )
    return moved
