"""Pipeline and stage shapes."""

from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import Field


class StageIn(Schema):
    name: str
    probability: int
    kind: str = "open"


class StageAddIn(Schema):
    name: str = ""
    probability: int | None = None
    kind: str = "open"


class StagePatch(Schema):
    name: str | None = None
    probability: int | None = None
    kind: str | None = None


class StageOrderIn(Schema):
    stage_ids: list[int] = Field(default_factory=list)


class StageOut(Schema):
    id: int
    name: str
    position: int
    probability: int
    kind: str
    active: bool


class PipelineIn(Schema):
    name: str
    stages: list[StageIn] = Field(default_factory=list)
    is_default: bool = False


class PipelinePatch(Schema):
    name: str | None = None
    is_default: bool | None = None
    active: bool | None = None


class PipelineOut(Schema):
    """A pipeline with its stages in board order; archived stages follow with `active: false`."""

    id: int
    name: str
    is_default: bool
    active: bool
    version: int
    stages: list[StageOut]

    @staticmethod
    def resolve_stages(obj: Any) -> list[Any]:
        return sorted(obj.stages.all(), key=lambda s: (not s.active, s.position))
