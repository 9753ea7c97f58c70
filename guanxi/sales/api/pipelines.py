"""Pipelines and their stages: settings that managers and admins keep."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Status

from guanxi.core.errors import Invalid
from guanxi.core.http import Versioned, actor_of, if_match_version, set_etag
from guanxi.sales import selectors, services
from guanxi.sales.api.common import SalesRouter
from guanxi.sales.models import Pipeline, Stage
from guanxi.sales.schemas import (
    PipelineIn,
    PipelineOut,
    PipelinePatch,
    StageAddIn,
    StageOrderIn,
    StagePatch,
)
from guanxi.sales.services._common import require_configure

router = SalesRouter()


def _if_match_if_given(request: HttpRequest, obj: Versioned) -> int | None:
    """For POSTs that change a versioned parent: If-Match is checked when sent."""
    return if_match_version(request, obj) if request.headers.get("If-Match") else None


@router.get("/pipelines", response=list[PipelineOut])
def pipeline_list(request: HttpRequest, include_inactive: bool = False) -> list[Pipeline]:
    return list(selectors.pipeline_list(actor=actor_of(request), include_inactive=include_inactive))


@router.post("/pipelines", response={201: PipelineOut})
def pipeline_create(
    request: HttpRequest, payload: PipelineIn, response: HttpResponse
) -> Status[Any]:
    actor = actor_of(request)
    pipeline = services.pipeline_create(
        actor=actor,
        name=payload.name,
        stages=[(s.name, s.probability, s.kind) for s in payload.stages] or None,
        is_default=payload.is_default,
    )
    set_etag(response, pipeline)
    return Status(201, selectors.pipeline_get(actor=actor, pipeline_id=pipeline.pk))


def _configured_pipeline(request: HttpRequest, pipeline_id: int) -> Pipeline:
    """Pipelines are settings: the versioned record is for managers and admins."""
    actor = actor_of(request)
    require_configure(actor)
    return selectors.pipeline_get(actor=actor, pipeline_id=pipeline_id)


def _pipeline_out(request: HttpRequest, pipeline_id: int, response: HttpResponse) -> Pipeline:
    pipeline = selectors.pipeline_get(actor=actor_of(request), pipeline_id=pipeline_id)
    set_etag(response, pipeline)
    return pipeline


@router.get("/pipelines/{pipeline_id}", response=PipelineOut)
def pipeline_detail(request: HttpRequest, pipeline_id: int, response: HttpResponse) -> Pipeline:
    pipeline = _configured_pipeline(request, pipeline_id)
    set_etag(response, pipeline)
    return pipeline


@router.patch("/pipelines/{pipeline_id}", response=PipelineOut)
def pipeline_update(
    request: HttpRequest, pipeline_id: int, payload: PipelinePatch, response: HttpResponse
) -> Pipeline:
    pipeline = _configured_pipeline(request, pipeline_id)
    services.pipeline_update(
        actor=actor_of(request),
        pipeline=pipeline,
        changes=payload.dict(exclude_unset=True),
        expected_version=if_match_version(request, pipeline),
    )
    return _pipeline_out(request, pipeline_id, response)


@router.post("/pipelines/{pipeline_id}/stages", response={201: PipelineOut})
def stage_add(
    request: HttpRequest, pipeline_id: int, payload: StageAddIn, response: HttpResponse
) -> Status[Any]:
    pipeline = _configured_pipeline(request, pipeline_id)
    services.stage_add(
        actor=actor_of(request),
        pipeline=pipeline,
        name=payload.name,
        probability=payload.probability,
        kind=payload.kind,
        expected_version=_if_match_if_given(request, pipeline),
    )
    return Status(201, _pipeline_out(request, pipeline_id, response))


def _stage(request: HttpRequest, pipeline: Pipeline, stage_id: int) -> Stage:
    return selectors.pipeline_stage_get(
        actor=actor_of(request), pipeline=pipeline, stage_id=stage_id
    )


@router.patch("/pipelines/{pipeline_id}/stages/{stage_id}", response=PipelineOut)
def stage_update(
    request: HttpRequest,
    pipeline_id: int,
    stage_id: int,
    payload: StagePatch,
    response: HttpResponse,
) -> Pipeline:
    """Change a stage; If-Match carries the pipeline's ETag (its stages are part of it)."""
    pipeline = _configured_pipeline(request, pipeline_id)
    services.stage_update(
        actor=actor_of(request),
        stage=_stage(request, pipeline, stage_id),
        changes=payload.dict(exclude_unset=True),
        expected_version=if_match_version(request, pipeline),
    )
    return _pipeline_out(request, pipeline_id, response)


@router.put("/pipelines/{pipeline_id}/stage-order", response=PipelineOut)
def stage_reorder(
    request: HttpRequest, pipeline_id: int, payload: StageOrderIn, response: HttpResponse
) -> Pipeline:
    """Order the active stages: `stage_ids` lists every one of them once."""
    pipeline = _configured_pipeline(request, pipeline_id)
    services.stage_reorder(
        actor=actor_of(request),
        pipeline=pipeline,
        stage_ids=payload.stage_ids,
        expected_version=if_match_version(request, pipeline),
    )
    return _pipeline_out(request, pipeline_id, response)


@router.delete("/pipelines/{pipeline_id}/stages/{stage_id}", response=PipelineOut)
def stage_remove(
    request: HttpRequest,
    pipeline_id: int,
    stage_id: int,
    response: HttpResponse,
    target_stage_id: int | None = None,
) -> Pipeline:
    """Remove a stage, moving its open deals to `target_stage_id`; a stage that history
    refers to is archived. Answers with the pipeline and its new ETag."""
    pipeline = _configured_pipeline(request, pipeline_id)
    stage = _stage(request, pipeline, stage_id)
    target = None
    if target_stage_id is not None:
        target = Stage.objects.filter(pk=target_stage_id).first()
        if target is None:
            raise Invalid(fields={"target_stage_id": [_("Unknown stage.")]})
    services.stage_remove(
        actor=actor_of(request),
        stage=stage,
        target=target,
        expected_version=if_match_version(request, pipeline),
    )
    return _pipeline_out(request, pipeline_id, response)
