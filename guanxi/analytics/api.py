"""Analytics API: scoring runs, score distributions, KPIs and the scoring policy."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Status

from guanxi.analytics import selectors, services
from guanxi.analytics.models import ScoreRun, ScoringPolicy
from guanxi.analytics.schemas import (
    DistributionOut,
    KpiOut,
    PolicyOut,
    PolicyPatch,
    RunOut,
    RunSummaryOut,
)
from guanxi.analytics.tasks import refresh_scores
from guanxi.core.errors import NotFound
from guanxi.core.http import actor_of, if_match_version, page_out, set_etag
from guanxi.core.pagination import paginate
from guanxi.core.permissions import require_perm
from guanxi.core.schemas import ListParams, PageOut

router = Router(tags=["analytics"])


@router.get("/runs", response=PageOut[RunSummaryOut])
def run_list(request: HttpRequest, params: Query[ListParams]) -> dict[str, Any]:
    qs = selectors.run_list(actor=actor_of(request))
    return page_out(paginate(qs, page=params.page, page_size=params.page_size))


@router.get("/runs/latest", response=RunOut)
def run_latest(request: HttpRequest) -> ScoreRun:
    run = selectors.run_latest(actor=actor_of(request))
    if run is None:
        raise NotFound("No scoring run yet.")
    return run


@router.get("/runs/{run_id}", response=RunOut)
def run_detail(request: HttpRequest, run_id: int) -> ScoreRun:
    return selectors.run_get(actor=actor_of(request), run_id=run_id)


@router.post("/refresh", response={202: dict[str, Any]})
def refresh(request: HttpRequest) -> Status[Any]:
    """Queue a recomputation of every customer's scores."""
    actor = actor_of(request)
    require_perm(actor, "analytics.scores", "change")
    result = refresh_scores.enqueue(actor.pk)
    return Status(202, {"task_id": str(result.id), "status": str(result.status)})


@router.get("/distribution", response=DistributionOut)
def distribution(request: HttpRequest) -> dict[str, Any]:
    return selectors.score_distribution(actor=actor_of(request))


@router.get("/kpis", response=KpiOut)
def kpis(
    request: HttpRequest, start: dt.date | None = None, end: dt.date | None = None
) -> dict[str, Any]:
    end = end or timezone.localdate()
    start = start or end.replace(year=end.year - 1)
    return selectors.kpis(actor=actor_of(request), start=start, end=end)


@router.get("/policy", response=PolicyOut)
def policy_detail(request: HttpRequest, response: HttpResponse) -> ScoringPolicy:
    require_perm(actor_of(request), "analytics.policy", "view")
    policy = services.scoring_policy()
    set_etag(response, policy)
    return policy


@router.patch("/policy", response=PolicyOut)
def policy_update(
    request: HttpRequest, payload: PolicyPatch, response: HttpResponse
) -> ScoringPolicy:
    actor = actor_of(request)
    require_perm(actor, "analytics.policy", "view")
    policy = services.scoring_policy()
    version = if_match_version(request, policy)
    policy = services.scoring_policy_update(
        actor=actor, changes=payload.dict(exclude_unset=True), expected_version=version
    )
    set_etag(response, policy)
    return policy
