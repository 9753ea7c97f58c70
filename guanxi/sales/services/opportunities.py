"""Opportunity writes: product lines, stage moves with history, won and lost."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.audit import audit_log, diff, snapshot
from guanxi.core.errors import Conflict, Invalid, PreconditionFailed
from guanxi.core.events import publish
from guanxi.core.models import User
from guanxi.core.permissions import require_perm
from guanxi.core.records import record_create, record_soft_delete, record_update
from guanxi.customers.models import Account
from guanxi.sales.events import OpportunityLost, OpportunityWon
from guanxi.sales.models import (
    Lead,
    Opportunity,
    OpportunityLine,
    Pipeline,
    PriceList,
    Stage,
    StageChange,
)
from guanxi.sales.services._common import only_fields, require_own
from guanxi.sales.services.orders import LineInput, PricedLines, line_fields, price_lines
from guanxi.sales.services.pipelines import default_pipeline

OPPORTUNITY_FIELDS = frozenset(
    {
        "name",
        "amount",
        "currency",
        "expected_close_date",
        "contact_name",
        "contact_email",
        "contact_mobile",
        "notes",
    }
)


def _first_open_stage(pipeline: Pipeline) -> Stage:
    stage = pipeline.stages.filter(kind=Stage.Kind.OPEN, active=True).order_by("position").first()
    if stage is None:
        raise Invalid(fields={"pipeline_id": [_("This pipeline has no open stage.")]})
    return stage


def _check_amount(amount: Decimal | None, field: str = "amount") -> None:
    if amount is not None and amount < 0:
        raise Invalid(fields={field: [_("Must not be negative.")]})


def _has_lines(opportunity: Opportunity) -> bool:
    return bool(OpportunityLine.objects.filter(opportunity_id=opportunity.pk).exists())


def _amount_follows_lines() -> Invalid:
    return Invalid(
        fields={"amount": [_("The amount follows the product lines; change the lines instead.")]}
    )


@transaction.atomic
def opportunity_create(
    *,
    actor: User,
    account: Account,
    name: str,
    pipeline: Pipeline | None = None,
    stage: Stage | None = None,
    amount: Decimal | None = None,
    expected_close_date: dt.date | None = None,
    lines: Sequence[LineInput] = (),
    price_list: PriceList | None = None,
    lead: Lead | None = None,
    owner: User | None = None,
    **extra: Any,
) -> Opportunity:
    """Open an opportunity for an account in the first open stage of a pipeline.

    With product lines the amount is their total; without, it is the amount entered.
    """
    require_perm(actor, Opportunity.resource, "create")
    _check_amount(amount)
    if lines and amount is not None:
        raise _amount_follows_lines()
    extra = only_fields(dict(extra), OPPORTUNITY_FIELDS)
    pipeline = pipeline or (stage.pipeline if stage else default_pipeline())
    if stage is None:
        stage = _first_open_stage(pipeline)
    elif stage.pipeline_id != pipeline.pk or stage.kind != Stage.Kind.OPEN or not stage.active:
        raise Invalid(fields={"stage_id": [_("Choose an open stage of this pipeline.")]})
    data: dict[str, Any] = {
        "account": account,
        "name": name,
        "pipeline": pipeline,
        "stage": stage,
        "amount": amount,
        "expected_close_date": expected_close_date,
        "lead": lead,
        "price_list": price_list,
        **extra,
    }
    opportunity = record_create(actor=actor, model=Opportunity, data=data, owner=owner)
    if lines:
        priced = _price(actor, opportunity, lines, price_list)
        _write_lines(opportunity, priced, lines)
        Opportunity.objects.filter(pk=opportunity.pk).update(
            amount=priced.priced.total, currency=priced.context.currency
        )
        opportunity.refresh_from_db()
        audit_log(
            actor=actor,
            action="lines",
            obj=opportunity,
            changes={
                "lines": [[], _lines_json(opportunity)],
                "amount": [None, str(opportunity.amount)],
            },
        )
    StageChange.objects.create(
        opportunity=opportunity, to_stage=stage, changed_at=timezone.now(), changed_by=actor
    )
    return opportunity


@transaction.atomic
def opportunity_update(
    *,
    actor: User,
    opportunity: Opportunity,
    changes: dict[str, Any],
    expected_version: int | None,
) -> Opportunity:
    """Change an opportunity's details (stage moves go through `opportunity_move`, product
    lines through `opportunity_set_lines`; with lines the amount is theirs)."""
    require_perm(actor, Opportunity.resource, "change")
    require_own(actor, opportunity)
    changes = only_fields(dict(changes), OPPORTUNITY_FIELDS)
    _check_amount(changes.get("amount"))
    if "amount" in changes and changes["amount"] != opportunity.amount and _has_lines(opportunity):
        raise _amount_follows_lines()
    won = opportunity.status == Opportunity.Status.WON
    if won and "amount" in changes and (changes["amount"] is None or changes["amount"] <= 0):
        raise Invalid(fields={"amount": [_("A won deal needs an amount above zero.")]})
    return record_update(
        actor=actor, obj=opportunity, changes=changes, expected_version=expected_version
    )


def _price(
    actor: User,
    opportunity: Opportunity,
    lines: Sequence[LineInput],
    price_list: PriceList | None,
) -> PricedLines:
    return price_lines(
        actor=actor,
        account=opportunity.account,
        lines=lines,
        price_list=price_list,
        currency=price_list.currency if price_list is not None else opportunity.currency,
    )


def _write_lines(opportunity: Opportunity, priced: PricedLines, lines: Sequence[LineInput]) -> None:
    OpportunityLine.objects.filter(opportunity=opportunity).delete()
    rows = []
    for i in range(len(priced.products)):
        src = lines[priced.context.lines[i].index]
        percent = Decimal(str(src.discount_percent)) if src.discount_percent else Decimal(0)
        rows.append(
            OpportunityLine(
                opportunity=opportunity,
                discount_percent=percent,
                manual_price=src.unit_price is not None,
                **line_fields(priced, i),
            )
        )
    OpportunityLine.objects.bulk_create(rows)


def _lines_json(opportunity: Opportunity) -> list[dict[str, Any]]:
    return [
        {
            "product": ln.product_id,
            "quantity": str(ln.quantity),
            "unit_price": str(ln.unit_price),
            "discount_percent": str(ln.discount_percent),
            "line_total": str(ln.line_total),
        }
        for ln in OpportunityLine.objects.filter(opportunity=opportunity).order_by("position")
    ]


@transaction.atomic
def opportunity_set_lines(
    *,
    actor: User,
    opportunity: Opportunity,
    lines: Sequence[LineInput],
    price_list: PriceList | None = None,
    expected_version: int | None,
) -> Opportunity:
    """Replace an open deal's product lines, priced like quote lines; the amount follows.

    Unit prices come from the price list (or each product's list price) unless given; the
    discount is a percentage. With no lines left the amount stays as it was and may be
    entered by hand again.
    """
    require_perm(actor, Opportunity.resource, "change")
    require_own(actor, opportunity)
    current: Opportunity = (
        Opportunity.objects.select_for_update().select_related("account").get(pk=opportunity.pk)
    )
    if expected_version is not None and expected_version != current.version:
        raise PreconditionFailed()
    if current.status != Opportunity.Status.OPEN:
        raise Conflict(_("This deal is closed; its product lines no longer change."))
    fields = ("amount", "price_list", "currency")
    before = snapshot(current, fields)
    before_lines = _lines_json(current)
    columns: dict[str, Any] = {"price_list": price_list}
    if lines:
        priced = _price(actor, current, lines, price_list)
        _write_lines(current, priced, lines)
        columns.update(amount=priced.priced.total, currency=priced.context.currency)
    else:
        OpportunityLine.objects.filter(opportunity=current).delete()
    updated = Opportunity.objects.filter(pk=current.pk, version=current.version).update(
        **columns, version=F("version") + 1, updated_at=timezone.now()
    )
    if updated != 1:
        raise PreconditionFailed()
    current.refresh_from_db()
    changes = diff(before, snapshot(current, fields))
    changes["lines"] = [before_lines, _lines_json(current)]
    audit_log(actor=actor, action="lines", obj=current, changes=changes)
    return current


@transaction.atomic
def opportunity_delete(
    *, actor: User, opportunity: Opportunity, expected_version: int | None
) -> Opportunity:
    require_perm(actor, Opportunity.resource, "delete")
    require_own(actor, opportunity)
    return record_soft_delete(actor=actor, obj=opportunity, expected_version=expected_version)


@transaction.atomic
def opportunity_move(
    *,
    actor: User,
    opportunity: Opportunity,
    stage: Stage,
    expected_version: int | None = None,
    amount: Decimal | None = None,
    lost_reason: str = "",
) -> Opportunity:
    """Move a deal to a stage; a won stage needs an amount, a lost stage a reason.

    Every move is kept (stage history) for conversion rates and velocity; closing publishes
    OpportunityWon / OpportunityLost after commit.
    """
    require_perm(actor, Opportunity.resource, "change")
    require_own(actor, opportunity)
    current: Opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if expected_version is not None and expected_version != current.version:
        raise PreconditionFailed()
    if stage.pipeline_id != current.pipeline_id:
        raise Invalid(fields={"stage_id": [_("This stage belongs to another pipeline.")]})
    if not stage.active:
        raise Invalid(fields={"stage_id": [_("This stage is archived.")]})
    if current.status != Opportunity.Status.OPEN:
        raise Conflict(_("This deal is closed; reopen it by moving it to an open stage first."))
    if stage.pk == current.stage_id:
        return current
    _check_amount(amount)
    if amount is not None and amount != current.amount and _has_lines(current):
        raise _amount_follows_lines()
    final_amount = amount if amount is not None else current.amount
    if stage.kind == Stage.Kind.WON and (final_amount is None or final_amount <= 0):
        raise Invalid(fields={"amount": [_("A won deal needs an amount above zero.")]})
    lost_reason = (lost_reason or "").strip()
    if stage.kind == Stage.Kind.LOST and not lost_reason:
        raise Invalid(fields={"lost_reason": [_("Say why the deal was lost.")]})
    now = timezone.now()
    changes: dict[str, Any] = {"stage": stage}
    if stage.kind == Stage.Kind.WON:
        changes.update(status=Opportunity.Status.WON, closed_at=now, amount=final_amount)
    elif stage.kind == Stage.Kind.LOST:
        changes.update(status=Opportunity.Status.LOST, closed_at=now, lost_reason=lost_reason)
    elif amount is not None:
        changes["amount"] = amount
    from_stage_id = current.stage_id
    updated: Opportunity = record_update(
        actor=actor, obj=current, changes=changes, expected_version=current.version
    )
    StageChange.objects.create(
        opportunity=updated,
        from_stage_id=from_stage_id,
        to_stage=stage,
        changed_at=now,
        changed_by=actor,
    )
    if stage.kind == Stage.Kind.WON:
        publish(
            OpportunityWon(
                opportunity_id=updated.pk,
                account_id=updated.account_id,
                owner_id=updated.owner_id,
                amount=Decimal(updated.amount or 0),
                currency=updated.currency,
                at=now,
            )
        )
    elif stage.kind == Stage.Kind.LOST:
        publish(
            OpportunityLost(
                opportunity_id=updated.pk,
                account_id=updated.account_id,
                owner_id=updated.owner_id,
                lost_reason=lost_reason,
                at=now,
            )
        )
    return updated


def _closing_stage(opportunity: Opportunity, kind: str) -> Stage:
    stage = (
        Stage.objects.filter(pipeline_id=opportunity.pipeline_id, kind=kind, active=True)
        .order_by("position")
        .first()
    )
    if stage is None:
        raise Invalid(fields={"stage_id": [_("This pipeline has no closing stage.")]})
    return stage


def opportunity_win(
    *,
    actor: User,
    opportunity: Opportunity,
    amount: Decimal | None = None,
    expected_version: int | None = None,
) -> Opportunity:
    """Close a deal as won (needs an amount)."""
    return opportunity_move(
        actor=actor,
        opportunity=opportunity,
        stage=_closing_stage(opportunity, Stage.Kind.WON),
        amount=amount,
        expected_version=expected_version,
    )


def opportunity_lose(
    *,
    actor: User,
    opportunity: Opportunity,
    lost_reason: str,
    expected_version: int | None = None,
) -> Opportunity:
    """Close a deal as lost (needs a reason)."""
    return opportunity_move(
        actor=actor,
        opportunity=opportunity,
        stage=_closing_stage(opportunity, Stage.Kind.LOST),
        lost_reason=lost_reason,
        expected_version=expected_version,
    )
