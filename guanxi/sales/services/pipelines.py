"""Pipelines and their stages (sales settings: managers and admins).

A pipeline and its stages are one versioned record: every stage edit locks the pipeline,
checks and bumps its version and is audited on it. A pipeline keeps at least one open, one
won and one lost active stage. A removed stage that stage history refers to is archived
(history and reports keep it; the board and the choices drop it), otherwise deleted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from guanxi.core.audit import audit_log, diff, snapshot
from guanxi.core.errors import Conflict, Invalid, NotFound, PreconditionFailed
from guanxi.core.models import User
from guanxi.core.records import versioned_update
from guanxi.sales.models import Opportunity, Pipeline, Stage, StageChange
from guanxi.sales.services._common import only_fields, require_configure

DEFAULT_STAGES: list[tuple[str, int, str]] = [
    ("初步接洽", 10, "open"),
    ("需求确认", 25, "open"),
    ("方案报价", 50, "open"),
    ("商务谈判", 75, "open"),
    ("赢单", 100, "won"),
    ("输单", 0, "lost"),
]
PIPELINE_FIELDS = frozenset({"name", "is_default", "active"})
STAGE_FIELDS = frozenset({"name", "probability", "kind"})
STAGE_NAME_MAX = Stage._meta.get_field("name").max_length or 80
PIPELINE_NAME_MAX = Pipeline._meta.get_field("name").max_length or 120


def _kinds_message() -> str:
    return _("A pipeline needs at least one open, one won and one lost stage.")


def _has_every_kind(kinds: Sequence[str]) -> bool:
    return {Stage.Kind.OPEN, Stage.Kind.WON, Stage.Kind.LOST} <= set(kinds)


def _stage_value_errors(
    *, name: Any = None, probability: Any = None, kind: Any = None, prefix: str = ""
) -> dict[str, list[str]]:
    """Per-field errors for the values given (None: not given)."""
    errors: dict[str, list[str]] = {}
    if name is not None:
        if not str(name).strip():
            errors[f"{prefix}name"] = [_("This field is required.")]
        elif len(str(name).strip()) > STAGE_NAME_MAX:
            errors[f"{prefix}name"] = [
                _("At most %(n)s characters.") % {"n": STAGE_NAME_MAX},
            ]
    if probability is not None and (
        isinstance(probability, bool)
        or not isinstance(probability, int)
        or not 0 <= probability <= 100
    ):
        errors[f"{prefix}probability"] = [_("Between 0 and 100.")]
    if kind is not None and kind not in Stage.Kind.values:
        errors[f"{prefix}kind"] = [_("Unknown stage kind.")]
    return errors


def _name_error(name: str, *, exclude_pk: int | None = None) -> list[str] | None:
    if not name:
        return [_("This field is required.")]
    if len(name) > PIPELINE_NAME_MAX:
        return [_("At most %(n)s characters.") % {"n": PIPELINE_NAME_MAX}]
    clash = Pipeline.objects.filter(name=name)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        return [_("A pipeline with this name exists.")]
    return None


@transaction.atomic
def pipeline_create(
    *,
    actor: User | None,
    name: str,
    stages: list[tuple[str, int, str]] | None = None,
    is_default: bool = False,
) -> Pipeline:
    """A pipeline with ordered stages: at least one open, one won and one lost stage."""
    if actor is not None:
        require_configure(actor)
    stages = stages or DEFAULT_STAGES
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    name_error = _name_error(name)
    if name_error:
        errors["name"] = name_error
    if not _has_every_kind([kind for _n, _p, kind in stages]):
        errors["stages"] = [_kinds_message()]
    for i, (stage_name, probability, kind) in enumerate(stages):
        errors.update(
            _stage_value_errors(
                name=stage_name, probability=probability, kind=kind, prefix=f"stages.{i}."
            )
        )
    if errors:
        raise Invalid(fields=errors)
    if is_default or not Pipeline.objects.exists():
        Pipeline.objects.filter(is_default=True).update(is_default=False, version=F("version") + 1)
        is_default = True
    pipeline = Pipeline.objects.create(name=name, is_default=is_default)
    Stage.objects.bulk_create(
        Stage(pipeline=pipeline, name=n.strip(), position=i, probability=p, kind=k)
        for i, (n, p, k) in enumerate(stages)
    )
    audit_log(actor=actor, action="create", obj=pipeline, changes={"stages": [None, stages]})
    return pipeline


def default_pipeline() -> Pipeline:
    """The default active pipeline (created with the standard stages when there is none)."""
    pipeline = Pipeline.objects.filter(active=True).order_by("-is_default", "pk").first()
    if pipeline is None:
        pipeline = pipeline_create(actor=None, name="标准销售流程", is_default=True)
    return pipeline


def _open_deal_count(**where: Any) -> int:
    # Deals in the recycle bin count too: restoring one must not land it in a dead place.
    return int(Opportunity.all_objects.filter(status=Opportunity.Status.OPEN, **where).count())


@transaction.atomic
def pipeline_update(
    *, actor: User, pipeline: Pipeline, changes: dict[str, Any], expected_version: int | None
) -> Pipeline:
    """Rename a pipeline, make it the default (only one is) or (de)activate it.

    The default pipeline stays active; a pipeline with open deals is not deactivated (its
    deals would drop off every board).
    """
    require_configure(actor)
    changes = only_fields(dict(changes), PIPELINE_FIELDS)
    current = _locked(pipeline, expected_version)
    errors: dict[str, list[str]] = {}
    if "name" in changes:
        changes["name"] = str(changes["name"] or "").strip()
        name_error = _name_error(changes["name"], exclude_pk=current.pk)
        if name_error:
            errors["name"] = name_error
    for flag in ("is_default", "active"):
        if flag in changes and not isinstance(changes[flag], bool):
            errors[flag] = [_("Enter true or false.")]
    if errors:
        raise Invalid(fields=errors)
    active = changes.get("active", current.active)
    is_default = changes.get("is_default", current.is_default)
    if current.is_default and changes.get("is_default") is False:
        errors["is_default"] = [_("Make another pipeline the default instead.")]
    elif is_default and not active:
        errors["active" if "active" in changes else "is_default"] = [
            _("The default pipeline must stay active; make another pipeline the default first.")
        ]
    if current.active and active is False and "active" not in errors:
        count = _open_deal_count(pipeline=current)
        if count:
            errors["active"] = [
                ngettext(
                    "%(count)s open deal is in this pipeline; close it first.",
                    "%(count)s open deals are in this pipeline; close them first.",
                    count,
                )
                % {"count": count}
            ]
    if errors:
        raise Invalid(fields=errors)
    if is_default and not current.is_default:
        for other in Pipeline.objects.select_for_update().filter(is_default=True):
            versioned_update(
                actor=actor, obj=other, changes={"is_default": False}, expected_version=None
            )
    return versioned_update(
        actor=actor, obj=current, changes=changes, expected_version=current.version
    )


def _locked(pipeline: Pipeline, expected_version: int | None) -> Pipeline:
    current: Pipeline | None = Pipeline.objects.select_for_update().filter(pk=pipeline.pk).first()
    if current is None:
        raise NotFound()
    if expected_version is not None and expected_version != current.version:
        raise PreconditionFailed()
    return current


def _touch(actor: User, pipeline: Pipeline, action: str, changes: dict[str, Any]) -> Pipeline:
    """Bump the pipeline's version for a change to its stages and audit it on the pipeline."""
    Pipeline.objects.filter(pk=pipeline.pk).update(version=F("version") + 1)
    pipeline.refresh_from_db()
    audit_log(actor=actor, action=action, obj=pipeline, changes=changes)
    return pipeline


def _active_stages(pipeline: Pipeline) -> list[Stage]:
    return list(Stage.objects.filter(pipeline=pipeline, active=True).order_by("position", "pk"))


def _renumber(pipeline: Pipeline, active_ids: Sequence[int]) -> None:
    """Active stages at positions 0…n-1 in the given order, archived stages after them."""
    stages = list(Stage.objects.filter(pipeline=pipeline).order_by("position", "pk"))
    by_pk = {s.pk: s for s in stages}
    order = [*active_ids, *(s.pk for s in stages if not s.active)]
    if [s.pk for s in stages] == order and all(s.position == i for i, s in enumerate(stages)):
        return
    # Positions are unique per pipeline and checked row by row: first move every stage past
    # the old range, where no two rows can meet, then write the final positions.
    offset = max(s.position for s in stages) + 1
    Stage.objects.filter(pipeline=pipeline).update(position=F("position") + offset)
    for i, pk in enumerate(order):
        by_pk[pk].position = i
    Stage.objects.bulk_update([by_pk[pk] for pk in order], ["position"])


def _stage_json(stage: Stage) -> dict[str, Any]:
    return {
        "id": stage.pk,
        "name": stage.name,
        "probability": stage.probability,
        "kind": stage.kind,
        "active": stage.active,
    }


@transaction.atomic
def stage_add(
    *,
    actor: User,
    pipeline: Pipeline,
    name: str,
    probability: int | None,
    kind: str = Stage.Kind.OPEN,
    expected_version: int | None = None,
) -> Stage:
    """Add a stage: an open one after the last open stage, a closing one at the end."""
    require_configure(actor)
    current = _locked(pipeline, expected_version)
    name = (name or "").strip()
    errors = _stage_value_errors(name=name, probability=probability, kind=kind)
    if probability is None:
        errors["probability"] = [_("This field is required.")]
    active = _active_stages(current)
    if "name" not in errors and any(s.name == name for s in active):
        errors["name"] = [_("A stage with this name exists in this pipeline.")]
    if errors:
        raise Invalid(fields=errors)
    assert probability is not None
    last = Stage.objects.filter(pipeline=current).order_by("-position").first()
    stage = Stage.objects.create(
        pipeline=current,
        name=name,
        probability=probability,
        kind=kind,
        position=(last.position + 1) if last else 0,
    )
    order = [s.pk for s in active]
    if kind == Stage.Kind.OPEN:
        opens = [i for i, s in enumerate(active) if s.kind == Stage.Kind.OPEN]
        order.insert(opens[-1] + 1 if opens else 0, stage.pk)
    else:
        order.append(stage.pk)
    _renumber(current, order)
    stage.refresh_from_db()
    _touch(actor, current, "stage_add", {f"stages.{stage.pk}": [None, _stage_json(stage)]})
    return stage


@transaction.atomic
def stage_update(
    *, actor: User, stage: Stage, changes: dict[str, Any], expected_version: int | None
) -> Stage:
    """Rename a stage or change its probability or kind.

    The kind of a stage that deals sit in does not change (their status would contradict it),
    and the pipeline keeps at least one open, one won and one lost stage.
    """
    require_configure(actor)
    changes = only_fields(dict(changes), STAGE_FIELDS)
    current = _locked(stage.pipeline, expected_version)
    found = Stage.objects.filter(pk=stage.pk, pipeline=current).first()
    if found is None:
        raise NotFound()
    if not found.active:
        raise Conflict(_("This stage is archived; archived stages are kept for history only."))
    if "name" in changes:
        changes["name"] = str(changes["name"] or "").strip()
    errors = _stage_value_errors(
        name=changes.get("name"), probability=changes.get("probability"), kind=changes.get("kind")
    )
    if "name" in changes and "name" not in errors:
        clash = Stage.objects.filter(pipeline=current, active=True, name=changes["name"])
        if clash.exclude(pk=found.pk).exists():
            errors["name"] = [_("A stage with this name exists in this pipeline.")]
    if "probability" in changes and changes["probability"] is None:
        errors["probability"] = [_("This field is required.")]
    if "kind" in changes and changes["kind"] is None:
        errors["kind"] = [_("This field is required.")]
    if "kind" in changes and "kind" not in errors and changes["kind"] != found.kind:
        if Opportunity.all_objects.filter(stage=found).exists():
            errors["kind"] = [
                _("Deals are in this stage; its kind cannot change. Add a new stage instead.")
            ]
        else:
            kinds = [s.kind for s in _active_stages(current) if s.pk != found.pk]
            if not _has_every_kind([*kinds, changes["kind"]]):
                errors["kind"] = [_kinds_message()]
    if errors:
        raise Invalid(fields=errors)
    before = snapshot(found, STAGE_FIELDS)
    for field, value in changes.items():
        setattr(found, field, value)
    found.save(update_fields=list(changes) or None)
    changed = {
        f"stages.{found.pk}.{k}": v for k, v in diff(before, snapshot(found, STAGE_FIELDS)).items()
    }
    _touch(actor, current, "stage_update", changed)
    return found


@transaction.atomic
def stage_reorder(
    *,
    actor: User,
    pipeline: Pipeline,
    stage_ids: Sequence[Any],
    expected_version: int | None,
) -> Pipeline:
    """Put the pipeline's active stages in the given order (every active stage, once)."""
    require_configure(actor)
    current = _locked(pipeline, expected_version)
    active = _active_stages(current)
    known = {s.pk for s in active}
    errors: list[str] = []
    ids: list[int] = []
    for raw in stage_ids:
        try:
            value = int(raw)
        except (TypeError, ValueError):
            value = None
        if value is None or value not in known:
            errors.append(_("Stage %(id)s is not an active stage of this pipeline.") % {"id": raw})
        elif value in ids:
            errors.append(_("Stage %(id)s is listed twice.") % {"id": value})
        else:
            ids.append(value)
    missing = [s.pk for s in active if s.pk not in ids]
    if not errors and missing:
        errors.append(
            _("List every active stage of this pipeline; missing: %(ids)s.")
            % {"ids": ", ".join(str(pk) for pk in missing)}
        )
    if errors:
        raise Invalid(fields={"stage_ids": errors})
    before = [s.pk for s in active]
    _renumber(current, ids)
    return _touch(actor, current, "stage_reorder", {"stage_order": [before, ids]})


@dataclass(frozen=True)
class StageRemoval:
    pipeline: Pipeline
    archived: bool
    moved: int


@transaction.atomic
def stage_remove(
    *,
    actor: User,
    stage: Stage,
    target: Stage | None = None,
    expected_version: int | None,
) -> StageRemoval:
    """Remove a stage; its open deals move to another open stage of the pipeline first.

    Each move is kept in the stage history and the audit trail. A stage that history or a
    closed deal refers to is archived, otherwise deleted.
    """
    require_configure(actor)
    current = _locked(stage.pipeline, expected_version)
    found = Stage.objects.filter(pk=stage.pk, pipeline=current).first()
    if found is None:
        raise NotFound()
    if not found.active:
        raise Conflict(_("This stage is already archived."))
    errors: dict[str, list[str]] = {}
    remaining = [s for s in _active_stages(current) if s.pk != found.pk]
    if not _has_every_kind([s.kind for s in remaining]):
        errors["stage_id"] = [
            _("This is the last %(kind)s stage. %(rule)s")
            % {"kind": found.get_kind_display(), "rule": _kinds_message()}
        ]
    if target is not None and (
        target.pipeline_id != current.pk
        or target.pk == found.pk
        or not target.active
        or target.kind != Stage.Kind.OPEN
    ):
        errors["target_stage_id"] = [_("Choose another open stage of this pipeline.")]
    deals = list(
        Opportunity.all_objects.select_for_update()
        .filter(stage=found, status=Opportunity.Status.OPEN)
        .order_by("pk")
    )
    if deals and target is None and "target_stage_id" not in errors:
        errors["target_stage_id"] = [
            ngettext(
                "%(count)s open deal is in this stage: choose the stage it moves to.",
                "%(count)s open deals are in this stage: choose the stage they move to.",
                len(deals),
            )
            % {"count": len(deals)}
        ]
    if errors:
        raise Invalid(fields=errors)
    removed = _stage_json(found)
    now = timezone.now()
    if deals:
        assert target is not None
        Opportunity.all_objects.filter(pk__in=[d.pk for d in deals]).update(
            stage=target, version=F("version") + 1, updated_at=now
        )
        StageChange.objects.bulk_create(
            StageChange(
                opportunity=deal,
                from_stage=found,
                to_stage=target,
                changed_at=now,
                changed_by=actor,
            )
            for deal in deals
        )
        for deal in deals:
            audit_log(
                actor=actor,
                action="update",
                obj=deal,
                changes={"stage": [found.pk, target.pk]},
            )
    referenced = (
        StageChange.objects.filter(Q(to_stage=found) | Q(from_stage=found)).exists()
        or Opportunity.all_objects.filter(stage=found).exists()
    )
    if referenced:
        Stage.objects.filter(pk=found.pk).update(active=False)
    else:
        found.delete()
    _renumber(current, [s.pk for s in remaining])
    _touch(
        actor,
        current,
        "stage_archive" if referenced else "stage_delete",
        {
            f"stages.{stage.pk}": [removed, None],
            "moved_deals": [None, [d.pk for d in deals]],
            "target_stage": [None, target.pk if target is not None and deals else None],
        },
    )
    return StageRemoval(pipeline=current, archived=referenced, moved=len(deals))
