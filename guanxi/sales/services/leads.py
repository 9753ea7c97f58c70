"""Lead writes: capture, scoring, the pool (公海), conversion to account + opportunity."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.audit import audit_log
from guanxi.core.errors import Conflict, Invalid, PermissionDenied
from guanxi.core.events import publish
from guanxi.core.models import User
from guanxi.core.permissions import require_perm
from guanxi.core.records import record_create, record_soft_delete, record_update
from guanxi.customers import selectors as customer_selectors
from guanxi.customers import services as customer_services
from guanxi.customers.models import Account
from guanxi.sales.events import LeadConverted
from guanxi.sales.models import Lead, LeadScoreWeights, Opportunity, Pipeline
from guanxi.sales.services._common import account_for, only_fields, require_own

LEAD_FIELDS = frozenset(
    {
        "name",
        "company",
        "title",
        "email",
        "mobile",
        "region",
        "source",
        "campaign",
        "status",
        "qualification_note",
        "notes",
    }
)
DEFAULT_SOURCE_POINTS: dict[str, int] = {
    "referral": 100,
    "event": 80,
    "web": 70,
    "phone": 60,
    "advertising": 50,
    "social": 40,
    "other": 20,
}
COMPLETENESS_FIELDS = ("name", "company", "title", "email", "mobile", "region")
ENGAGEMENT_CAP = 5


def score_weights() -> LeadScoreWeights:
    weights = LeadScoreWeights.objects.order_by("pk").first()
    return weights or LeadScoreWeights()


def lead_score(lead: Lead, weights: LeadScoreWeights) -> int:
    """Rule-based score 0-100: filled-in fields, interactions, and how good the source is."""
    total = weights.completeness + weights.engagement + weights.source
    if total <= 0:
        return 0
    filled = sum(1 for f in COMPLETENESS_FIELDS if getattr(lead, f))
    completeness = Decimal(filled) / len(COMPLETENESS_FIELDS)
    engagement = Decimal(min(lead.engagement_count, ENGAGEMENT_CAP)) / ENGAGEMENT_CAP
    points = {**DEFAULT_SOURCE_POINTS, **(weights.source_points or {})}
    source = Decimal(max(0, min(100, int(points.get(lead.source, 0))))) / 100
    raw = (
        completeness * weights.completeness
        + engagement * weights.engagement
        + source * weights.source
    )
    return int((raw * 100 / total).quantize(Decimal("1")))


def _rescore(lead: Lead) -> None:
    score = lead_score(lead, score_weights())
    if score != lead.score:
        Lead.all_objects.filter(pk=lead.pk).update(score=score)
        lead.score = score


@transaction.atomic
def lead_create(
    *, actor: User, owner: User | None = None, in_pool: bool = False, **data: Any
) -> Lead:
    """Capture a lead, owned by `owner` (default the actor) or put straight into the pool."""
    data = only_fields(dict(data), LEAD_FIELDS)
    data.setdefault("last_activity_at", timezone.now())
    data["in_pool"] = in_pool
    lead = record_create(actor=actor, model=Lead, data=data, owner=owner)
    _rescore(lead)
    return lead


@transaction.atomic
def lead_update(
    *, actor: User, lead: Lead, changes: dict[str, Any], expected_version: int | None
) -> Lead:
    """Change a lead's details; converted leads are closed."""
    require_perm(actor, Lead.resource, "change")
    require_own(actor, lead)
    changes = only_fields(dict(changes), LEAD_FIELDS)
    if lead.status == Lead.Status.CONVERTED:
        raise Conflict(_("This lead has been converted."))
    if changes.get("status") == Lead.Status.CONVERTED:
        raise Invalid(fields={"status": [_("Use the conversion to convert a lead.")]})
    changes["last_activity_at"] = timezone.now()
    lead = record_update(actor=actor, obj=lead, changes=changes, expected_version=expected_version)
    _rescore(lead)
    return lead


@transaction.atomic
def lead_delete(*, actor: User, lead: Lead, expected_version: int | None) -> Lead:
    """Move a lead to the recycle bin."""
    require_perm(actor, Lead.resource, "delete")
    require_own(actor, lead)
    return record_soft_delete(actor=actor, obj=lead, expected_version=expected_version)


@transaction.atomic
def lead_log_interaction(*, actor: User, lead: Lead, note: str = "") -> Lead:
    """Count an interaction (call, visit, reply): it raises the engagement score and resets the
    pool clock."""
    require_perm(actor, Lead.resource, "change")
    require_own(actor, lead)
    now = timezone.now()
    Lead.objects.filter(pk=lead.pk).update(
        engagement_count=lead.engagement_count + 1, last_activity_at=now
    )
    lead.refresh_from_db()
    _rescore(lead)
    audit_log(actor=actor, action="interaction", obj=lead, changes={"note": [None, note[:200]]})
    return lead


@transaction.atomic
def lead_claim(*, actor: User, lead: Lead) -> Lead:
    """A rep takes an unassigned lead from the pool; the first claim wins."""
    require_perm(actor, Lead.resource, "change")
    now = timezone.now()
    claimed = Lead.objects.filter(pk=lead.pk, in_pool=True).update(
        in_pool=False, owner=actor, team_id=actor.team_id, last_activity_at=now, updated_at=now
    )
    if claimed != 1:
        raise Conflict(_("This lead is no longer in the pool."))
    Lead.objects.filter(pk=lead.pk).update(version=lead.version + 1)
    before_owner = lead.owner_id
    lead.refresh_from_db()
    audit_log(actor=actor, action="claim", obj=lead, changes={"owner": [before_owner, actor.pk]})
    return lead


@transaction.atomic
def lead_release(*, actor: User, lead: Lead, reason: str = "") -> Lead:
    """Give a lead back to the pool for another rep."""
    require_perm(actor, Lead.resource, "change")
    require_own(actor, lead)
    if lead.in_pool:
        raise Conflict(_("This lead is already in the pool."))
    if lead.status == Lead.Status.CONVERTED:
        raise Conflict(_("This lead has been converted."))
    Lead.objects.filter(pk=lead.pk).update(
        in_pool=True, version=lead.version + 1, updated_at=timezone.now()
    )
    lead.refresh_from_db()
    audit_log(actor=actor, action="release", obj=lead, changes={"in_pool": [False, True]})
    return lead


def pool_q() -> Q:
    return Q(in_pool=True, status__in=[Lead.Status.NEW, Lead.Status.WORKING])


@transaction.atomic
def lead_pool_return_stale(*, days: int, now: dt.datetime | None = None) -> int:
    """Return leads without activity for `days` days to the pool (the periodic job)."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=days)
    stale = list(
        Lead.objects.filter(
            in_pool=False,
            status__in=[Lead.Status.NEW, Lead.Status.WORKING],
            last_activity_at__lt=cutoff,
        ).select_for_update()
    )
    for lead in stale:
        Lead.objects.filter(pk=lead.pk).update(
            in_pool=True, version=lead.version + 1, updated_at=now
        )
        audit_log(
            actor=None,
            action="pool_return",
            obj=lead,
            changes={"in_pool": [False, True], "idle_days": [None, days]},
        )
    return len(stale)


@transaction.atomic
def lead_score_weights_update(
    *,
    actor: User,
    completeness: int,
    engagement: int,
    source: int,
    source_points: dict[str, int] | None = None,
) -> LeadScoreWeights:
    """Admins tune the score rules; every lead is rescored."""
    if not (actor.is_superuser or actor.role_code == "admin"):
        raise PermissionDenied()
    errors: dict[str, list[str]] = {}
    for name, value in (
        ("completeness", completeness),
        ("engagement", engagement),
        ("source", source),
    ):
        if not 0 <= value <= 100:
            errors[name] = [_("Between 0 and 100.")]
    points = dict(source_points or {})
    for key, value in points.items():
        if key not in Lead.Source.values:
            errors[f"source_points.{key}"] = [_("Unknown source.")]
        elif not 0 <= int(value) <= 100:
            errors[f"source_points.{key}"] = [_("Between 0 and 100.")]
    if completeness + engagement + source == 0:
        errors["__all__"] = [_("At least one weight must be above zero.")]
    if errors:
        raise Invalid(fields=errors)
    weights = LeadScoreWeights.objects.select_for_update().order_by("pk").first()
    weights = weights or LeadScoreWeights()
    before = {
        "completeness": weights.completeness,
        "engagement": weights.engagement,
        "source": weights.source,
        "source_points": weights.source_points,
    }
    weights.completeness, weights.engagement, weights.source = completeness, engagement, source
    weights.source_points = {k: int(v) for k, v in points.items()}
    weights.version = (weights.version or 0) + 1
    weights.save()
    after = {
        "completeness": completeness,
        "engagement": engagement,
        "source": source,
        "source_points": weights.source_points,
    }
    audit_log(
        actor=actor,
        action="update",
        obj=weights,
        changes={k: [before[k], after[k]] for k in after if before[k] != after[k]},
    )
    for lead in Lead.objects.exclude(status=Lead.Status.CONVERTED).only(
        "pk", "score", "source", "engagement_count", *COMPLETENESS_FIELDS
    ):
        _rescore(lead)
    return weights


def lead_duplicates(*, actor: User, lead: Lead) -> list[Account]:
    """Existing customers that look like this lead (same e-mail, phone or normalised name)."""
    hits = customer_selectors.duplicates_for(
        actor=actor,
        name=lead.company or lead.name,
        email=lead.email,
        mobile=lead.mobile,
        limit=5,
    )
    return [h.account for h in hits]


def _contact_create(actor: User, account: Account, lead: Lead) -> Any:
    """The lead's person becomes a contact of the account."""
    data: dict[str, Any] = {"name": lead.name}
    for field in ("title", "email", "mobile"):
        if getattr(lead, field):
            data[field] = getattr(lead, field)
    return customer_services.contact_create(actor=actor, account=account, **data)


@transaction.atomic
def lead_convert(
    *,
    actor: User,
    lead: Lead,
    account_id: int | None = None,
    create_account: bool = False,
    opportunity_name: str = "",
    amount: Decimal | None = None,
    expected_close_date: dt.date | None = None,
    pipeline: Pipeline | None = None,
    with_opportunity: bool = True,
) -> tuple[Account, Opportunity | None]:
    """Turn a lead into an account (new or existing) and an opportunity in one step.

    Without an explicit choice a lead that looks like an existing customer is refused
    (409) with the candidates, so reps do not create duplicates.
    """
    from guanxi.sales.services.opportunities import opportunity_create

    require_perm(actor, Lead.resource, "change")
    require_perm(actor, Opportunity.resource, "create")
    require_own(actor, lead)
    if lead.status == Lead.Status.CONVERTED:
        raise Conflict(_("This lead has already been converted."))
    if lead.in_pool:
        raise Conflict(_("Claim the lead from the pool before converting it."))
    created = False
    if account_id is not None:
        account = account_for(actor, account_id)
    else:
        if not create_account:
            duplicates = lead_duplicates(actor=actor, lead=lead)
            if duplicates:
                names = ", ".join(f"{a.name} (#{a.pk})" for a in duplicates[:5])
                raise Conflict(
                    _("This lead looks like existing customers: %(names)s.") % {"names": names},
                    fields={"account_id": [_("Choose an existing account or create a new one.")]},
                )
        kind = Account.Kind.ORGANIZATION if lead.company else Account.Kind.INDIVIDUAL
        account_data: dict[str, Any] = {
            "kind": kind,
            "name": lead.company or lead.name,
            "email": lead.email,
            "mobile": lead.mobile,
            "notes": lead.notes,
            "source": lead.get_source_display(),
        }
        if lead.region:
            account_data["region"] = lead.region[:40]
        account = customer_services.account_create(actor=actor, **account_data)
        created = True
    contact = _contact_create(actor, account, lead)
    opportunity = None
    if with_opportunity:
        opportunity = opportunity_create(
            actor=actor,
            account=account,
            name=opportunity_name or lead.company or lead.name,
            amount=amount,
            expected_close_date=expected_close_date,
            pipeline=pipeline,
            lead=lead,
            contact_name=lead.name,
            contact_email=lead.email,
            contact_mobile=lead.mobile,
        )
    now = timezone.now()
    Lead.objects.filter(pk=lead.pk).update(
        status=Lead.Status.CONVERTED,
        converted_at=now,
        converted_account=account,
        version=lead.version + 1,
        updated_at=now,
    )
    lead.refresh_from_db()
    audit_log(
        actor=actor,
        action="convert",
        obj=lead,
        changes={
            "status": [Lead.Status.WORKING, Lead.Status.CONVERTED],
            "converted_account": [None, account.pk],
            "opportunity": [None, opportunity.pk if opportunity else None],
            "contact": [None, contact.pk],
        },
    )
    publish(
        LeadConverted(
            lead_id=lead.pk,
            account_id=account.pk,
            opportunity_id=opportunity.pk if opportunity else None,
            owner_id=lead.owner_id,
            created_account=created,
            contact_id=contact.pk,
            at=now,
        )
    )
    return account, opportunity
