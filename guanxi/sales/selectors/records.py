"""Lists and single records for the sales pages and API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.errors import Invalid, NotFound
from guanxi.core.models import User
from guanxi.core.permissions import require_perm
from guanxi.core.records import record_get
from guanxi.core.visibility import reach, visible
from guanxi.sales.models import (
    Contract,
    Lead,
    Opportunity,
    OpportunityLine,
    Order,
    OrderLine,
    Pipeline,
    PriceList,
    Product,
    Quote,
    QuoteLine,
    SalesTarget,
    Stage,
    StageChange,
)


def lead_scope(actor: User, qs: QuerySet[Any]) -> QuerySet[Any]:
    """Own and team leads, plus the unassigned pool that any rep may claim."""
    r = reach(actor)
    if r.everything:  # Q() | Q(in_pool=True) would narrow "everything" to the pool
        return qs
    return qs.filter(r.q() | Q(in_pool=True))


def child_scope(parent: str) -> Any:
    """Children (lines, payments, history) are visible exactly when their parent is.

    Quotes and opportunities can be soft-deleted, so their children also check the parent's
    recycle-bin state. Orders are never deleted (they are cancelled or returned; no service
    deletes one), so for actors who see everything order children need no join at all —
    which keeps reports over millions of order lines on one table.
    """

    def scope(actor: User, qs: QuerySet[Any]) -> QuerySet[Any]:
        r = reach(actor)
        if r.everything and parent == "order":
            return qs
        return qs.filter(
            reach(actor).q(f"{parent}__owner", f"{parent}__team"),
            **{f"{parent}__deleted_at__isnull": True},
        )

    return scope


def lead_list(
    *, actor: User, search: str = "", status: str = "", pool: bool | None = None
) -> QuerySet[Lead]:
    """Leads the actor may see; `pool=True` the unassigned ones, `False` the assigned ones."""
    require_perm(actor, Lead.resource, "view")
    qs = visible(actor, Lead).select_related("owner", "team")
    if pool is not None:
        qs = qs.filter(in_pool=pool)
    if status:
        qs = qs.filter(status=status)
    if search:
        qs = qs.filter(
            Q(name__icontains=search)
            | Q(company__icontains=search)
            | Q(email__iexact=search)
            | Q(mobile=search)
        )
    return qs


def lead_get(*, actor: User, lead_id: Any) -> Lead:
    require_perm(actor, Lead.resource, "view")
    return record_get(actor, Lead, lead_id)


def pipeline_list(*, actor: User, include_inactive: bool = False) -> QuerySet[Pipeline]:
    """Pipelines with every stage in order (archived stages come last, `active=False`)."""
    require_perm(actor, Opportunity.resource, "view")
    qs = Pipeline.objects.all() if include_inactive else Pipeline.objects.filter(active=True)
    return qs.prefetch_related(Prefetch("stages", queryset=Stage.objects.order_by("position")))


def pipeline_get(*, actor: User, pipeline_id: Any, include_inactive: bool = True) -> Pipeline:
    try:
        found: Pipeline = pipeline_list(actor=actor, include_inactive=include_inactive).get(
            pk=int(pipeline_id)
        )
    except (Pipeline.DoesNotExist, TypeError, ValueError) as exc:
        raise NotFound() from exc
    return found


def pipeline_stage_get(*, actor: User, pipeline: Pipeline, stage_id: Any) -> Stage:
    """A stage of this pipeline (active or archived), or 404."""
    require_perm(actor, Opportunity.resource, "view")
    try:
        found: Stage = Stage.objects.select_related("pipeline").get(
            pk=int(stage_id), pipeline=pipeline
        )
    except (Stage.DoesNotExist, TypeError, ValueError) as exc:
        raise NotFound() from exc
    return found


def stage_open_deal_counts(*, actor: User, pipelines: list[Pipeline]) -> dict[int, int]:
    """Open deals per stage across the whole company (the settings pages say how many deals a
    stage change moves), the recycle bin included."""
    require_perm(actor, Opportunity.resource, "view")
    rows = (
        Opportunity.all_objects.filter(
            pipeline__in=[p.pk for p in pipelines], status=Opportunity.Status.OPEN
        )
        .values("stage")
        .annotate(n=Count("pk"))
        .values_list("stage", "n")
    )
    return dict(rows)


def stage_get(*, actor: User, stage_id: Any, field: str = "stage_id") -> Stage:
    """A stage chosen in a form or a body (a 422 on that field if unknown); the services
    refuse archived stages."""
    try:
        return Stage.objects.select_related("pipeline").get(pk=int(stage_id))
    except (Stage.DoesNotExist, TypeError, ValueError) as exc:
        raise Invalid(fields={field: [_("Unknown stage.")]}) from exc


def opportunity_list(
    *,
    actor: User,
    search: str = "",
    status: str = "",
    pipeline_id: int | None = None,
    account_id: int | None = None,
) -> QuerySet[Opportunity]:
    require_perm(actor, Opportunity.resource, "view")
    qs = visible(actor, Opportunity).select_related("owner", "team", "account", "stage")
    if status:
        qs = qs.filter(status=status)
    if pipeline_id:
        qs = qs.filter(pipeline_id=pipeline_id)
    if account_id:
        qs = qs.filter(account_id=account_id)
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(account__name__icontains=search))
    return qs


def opportunity_get(*, actor: User, opportunity_id: Any) -> Opportunity:
    require_perm(actor, Opportunity.resource, "view")
    obj = record_get(actor, Opportunity, opportunity_id)
    found: Opportunity = (
        Opportunity.objects.select_related("account", "stage", "pipeline", "owner", "price_list")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=OpportunityLine.objects.select_related("product").order_by("position"),
            )
        )
        .get(pk=obj.pk)
    )
    return found


def opportunity_history(*, actor: User, opportunity: Opportunity) -> QuerySet[StageChange]:
    require_perm(actor, Opportunity.resource, "view")
    return StageChange.objects.filter(opportunity=opportunity).select_related(
        "from_stage", "to_stage", "changed_by"
    )


KANBAN_CLOSED_DAYS = 30


def kanban(*, actor: User, pipeline: Pipeline) -> list[dict[str, Any]]:
    """The pipeline's active stages with their open deals (and those closed in the last 30
    days; deals closed in a stage since archived are not on the board)."""
    require_perm(actor, Opportunity.resource, "view")
    stages = list(pipeline.stages.filter(active=True).order_by("position"))
    recent = timezone.now() - dt.timedelta(days=KANBAN_CLOSED_DAYS)
    deals = (
        visible(actor, Opportunity)
        .filter(pipeline=pipeline)
        .filter(Q(status=Opportunity.Status.OPEN) | Q(closed_at__gte=recent))
        .select_related("account", "owner")
        .order_by("expected_close_date", "pk")
    )
    by_stage: dict[int, list[Opportunity]] = {s.pk: [] for s in stages}
    for deal in deals[:1000]:
        by_stage.setdefault(deal.stage_id, []).append(deal)
    columns = []
    for stage in stages:
        items = by_stage.get(stage.pk, [])
        total = sum((d.amount or 0 for d in items), start=0)
        columns.append({"stage": stage, "deals": items, "total": total})
    return columns


def product_list(*, actor: User, search: str = "", active: bool | None = None) -> QuerySet[Product]:
    require_perm(actor, Product.resource, "view")
    qs = Product.objects.all()
    if active is not None:
        qs = qs.filter(active=active)
    if search:
        qs = qs.filter(
            Q(sku__iexact=search)
            | Q(name_zh__icontains=search)
            | Q(name_en__icontains=search)
            | Q(category__icontains=search)
        )
    return qs


def price_list_list(*, actor: User, include_inactive: bool = False) -> QuerySet[PriceList]:
    require_perm(actor, Product.resource, "view")
    qs = PriceList.objects.all() if include_inactive else PriceList.objects.filter(active=True)
    return qs.prefetch_related("items")


def price_list_get(*, actor: User, price_list_id: Any, include_inactive: bool = True) -> PriceList:
    try:
        found: PriceList = price_list_list(actor=actor, include_inactive=include_inactive).get(
            pk=int(price_list_id)
        )
    except (PriceList.DoesNotExist, TypeError, ValueError) as exc:
        raise NotFound() from exc
    return found


def quote_list(*, actor: User, status: str = "", account_id: int | None = None) -> QuerySet[Quote]:
    require_perm(actor, Quote.resource, "view")
    qs = visible(actor, Quote).select_related("account", "owner")
    if status:
        qs = qs.filter(status=status)
    if account_id:
        qs = qs.filter(account_id=account_id)
    return qs


def quote_get(*, actor: User, quote_id: Any) -> Quote:
    require_perm(actor, Quote.resource, "view")
    obj = record_get(actor, Quote, quote_id)
    found: Quote = (
        Quote.objects.select_related("account", "owner", "opportunity", "price_list")
        .prefetch_related(Prefetch("lines", queryset=QuoteLine.objects.select_related("product")))
        .get(pk=obj.pk)
    )
    return found


def order_list(*, actor: User, status: str = "", account_id: int | None = None) -> QuerySet[Order]:
    require_perm(actor, Order.resource, "view")
    qs = visible(actor, Order).select_related("account", "owner")
    if status:
        qs = qs.filter(status=status)
    if account_id:
        qs = qs.filter(account_id=account_id)
    return qs


def order_get(*, actor: User, order_id: Any) -> Order:
    require_perm(actor, Order.resource, "view")
    obj = record_get(actor, Order, order_id)
    found: Order = (
        Order.objects.select_related("account", "owner", "quote")
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.select_related("product")),
            "payments",
            "returns",
            "status_history",
        )
        .get(pk=obj.pk)
    )
    return found


def contract_list(*, actor: User, status: str = "", due_within_days: int | None = None) -> Any:
    require_perm(actor, Contract.resource, "view")
    qs = visible(actor, Contract).select_related("account", "owner")
    if status:
        qs = qs.filter(status=status)
    if due_within_days is not None:
        today = timezone.localdate()
        qs = qs.filter(
            renewal_date__gte=today, renewal_date__lte=today + dt.timedelta(days=due_within_days)
        )
    return qs


def contract_get(*, actor: User, contract_id: Any) -> Contract:
    require_perm(actor, Contract.resource, "view")
    obj = record_get(actor, Contract, contract_id)
    found: Contract = Contract.objects.select_related("account", "owner", "order").get(pk=obj.pk)
    return found


def target_list(*, actor: User) -> QuerySet[SalesTarget]:
    require_perm(actor, SalesTarget.resource, "view")
    return visible(actor, SalesTarget).select_related("owner", "team")


def target_get(*, actor: User, target_id: Any) -> SalesTarget:
    require_perm(actor, SalesTarget.resource, "view")
    try:
        return record_get(actor, SalesTarget, target_id)
    except NotFound:
        raise
