"""Contracts with a term and a renewal reminder; sales targets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from guanxi.core.audit import audit_log
from guanxi.core.errors import Invalid
from guanxi.core.events import publish
from guanxi.core.models import Team, User
from guanxi.core.permissions import require_perm
from guanxi.core.records import record_create, record_soft_delete, record_update
from guanxi.customers.models import Account
from guanxi.sales.events import ContractRenewalDue
from guanxi.sales.models import Contract, Order, SalesTarget
from guanxi.sales.services._common import next_number, only_fields, require_own

CONTRACT_FIELDS = frozenset(
    {
        "title",
        "status",
        "start_date",
        "end_date",
        "renewal_date",
        "remind_days_before",
        "value",
        "currency",
        "notes",
    }
)


def _check_term(start: dt.date, end: dt.date, renewal: dt.date, value: Decimal) -> None:
    errors: dict[str, list[str]] = {}
    if end < start:
        errors["end_date"] = [_("The contract must end after it starts.")]
    if renewal > end:
        errors["renewal_date"] = [_("The renewal date must be on or before the end date.")]
    if value < 0:
        errors["value"] = [_("Must not be negative.")]
    if errors:
        raise Invalid(fields=errors)


@transaction.atomic
def contract_create(
    *,
    actor: User,
    account: Account,
    title: str,
    start_date: dt.date,
    end_date: dt.date,
    value: Decimal,
    renewal_date: dt.date | None = None,
    remind_days_before: int = 30,
    order: Order | None = None,
    notes: str = "",
) -> Contract:
    """A contract for a term; the renewal date defaults to the end date."""
    require_perm(actor, Contract.resource, "create")
    renewal_date = renewal_date or end_date
    _check_term(start_date, end_date, renewal_date, value)
    if order is not None and order.account_id != account.pk:
        raise Invalid(fields={"order_id": [_("This order is for another account.")]})
    return record_create(
        actor=actor,
        model=Contract,
        data={
            "number": next_number("CT"),
            "account": account,
            "order": order,
            "title": title,
            "start_date": start_date,
            "end_date": end_date,
            "renewal_date": renewal_date,
            "remind_days_before": remind_days_before,
            "value": value,
            "notes": notes,
        },
    )


@transaction.atomic
def contract_update(
    *, actor: User, contract: Contract, changes: dict[str, Any], expected_version: int | None
) -> Contract:
    """Change a contract; a new renewal date re-arms the reminder."""
    require_perm(actor, Contract.resource, "change")
    require_own(actor, contract)
    changes = only_fields(dict(changes), CONTRACT_FIELDS)
    _check_term(
        changes.get("start_date", contract.start_date),
        changes.get("end_date", contract.end_date),
        changes.get("renewal_date", contract.renewal_date),
        changes.get("value", contract.value),
    )
    if "renewal_date" in changes and changes["renewal_date"] != contract.renewal_date:
        changes["reminder_sent_at"] = None
    return record_update(
        actor=actor, obj=contract, changes=changes, expected_version=expected_version
    )


@transaction.atomic
def contract_delete(*, actor: User, contract: Contract, expected_version: int | None) -> Contract:
    require_perm(actor, Contract.resource, "delete")
    require_own(actor, contract)
    return record_soft_delete(actor=actor, obj=contract, expected_version=expected_version)


@transaction.atomic
def contract_remind_renewals(*, today: dt.date | None = None) -> list[int]:
    """Flag active contracts whose renewal is near (once per renewal date) and publish
    ContractRenewalDue so the owner gets a reminder task."""
    today = today or timezone.localdate()
    due: list[Contract] = []
    for contract in Contract.objects.filter(
        status=Contract.Status.ACTIVE, reminder_sent_at__isnull=True, renewal_date__gte=today
    ).select_related("owner", "account"):
        if contract.renewal_date - dt.timedelta(days=contract.remind_days_before) <= today:
            due.append(contract)
    now = timezone.now()
    for contract in due:
        _reminder_task(contract)
        Contract.objects.filter(pk=contract.pk).update(reminder_sent_at=now)
        audit_log(
            actor=None,
            action="renewal_reminder",
            obj=contract,
            changes={"reminder_sent_at": [None, now.isoformat()]},
        )
        publish(
            ContractRenewalDue(
                contract_id=contract.pk,
                account_id=contract.account_id,
                owner_id=contract.owner_id,
                renewal_date=contract.renewal_date,
            )
        )
    return [c.pk for c in due]


def _reminder_task(contract: Contract) -> None:
    """A task on the customer for the contract's owner, due on the renewal date, with its
    reminder set to now: the owner is notified (in the app and by e-mail) by the task
    reminder job as soon as the renewal window opens."""
    from guanxi.customers.models import Activity
    from guanxi.customers.services import activity_create

    owner = contract.owner
    due = timezone.make_aware(dt.datetime.combine(contract.renewal_date, dt.time(9, 0)))
    # The subject is stored text: write it in the language of the person who will read it.
    with translation.override(owner.language or settings.LANGUAGE_CODE):
        subject = _("Contract %(number)s renews on %(date)s") % {
            "number": contract.number,
            "date": contract.renewal_date.isoformat(),
        }
    activity_create(
        actor=owner,
        account=contract.account,
        kind=Activity.Kind.TASK,
        subject=subject,
        body=contract.title,
        due_at=due,
        reminder_at=timezone.now(),
        assignee_id=owner.pk,
    )


def period_start(kind: str, day: dt.date) -> dt.date:
    if kind == SalesTarget.Period.MONTH:
        return day.replace(day=1)
    if kind == SalesTarget.Period.QUARTER:
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day.replace(month=1, day=1)


@transaction.atomic
def target_set(
    *,
    actor: User,
    period_kind: str,
    period_start_on: dt.date,
    amount: Decimal,
    rep: User | None = None,
    team: Team | None = None,
) -> SalesTarget:
    """Set the target of a rep or a team for a month, quarter or year (replaces an old one)."""
    require_perm(actor, SalesTarget.resource, "create")
    errors: dict[str, list[str]] = {}
    if period_kind not in SalesTarget.Period.values:
        errors["period_kind"] = [_("Choose month, quarter or year.")]
    if amount is None or amount < 0:
        errors["amount"] = [_("Must not be negative.")]
    if (rep is None) == (team is None):
        errors["rep_id"] = [_("Choose a rep or a team.")]
    if errors:
        raise Invalid(fields=errors)
    start = period_start(period_kind, period_start_on)
    scope = SalesTarget.Scope.REP if rep is not None else SalesTarget.Scope.TEAM
    existing = SalesTarget.objects.filter(period_kind=period_kind, period_start=start, scope=scope)
    existing = existing.filter(owner=rep) if rep is not None else existing.filter(team=team)
    old: SalesTarget | None = existing.first()
    if old is not None:
        return record_update(
            actor=actor, obj=old, changes={"amount": amount}, expected_version=old.version
        )
    data: dict[str, Any] = {
        "scope": scope,
        "period_kind": period_kind,
        "period_start": start,
        "amount": amount,
    }
    if team is not None:
        data["team"] = team
    return record_create(actor=actor, model=SalesTarget, data=data, owner=rep or actor)


@transaction.atomic
def target_delete(*, actor: User, target: SalesTarget, expected_version: int | None) -> SalesTarget:
    require_perm(actor, SalesTarget.resource, "delete")
    return record_soft_delete(actor=actor, obj=target, expected_version=expected_version)
