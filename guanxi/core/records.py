"""Owned, versioned, soft-deletable records and the generic writes every app builds on.

Domain apps subclass `OwnedRecord` and call these helpers from their own services,
which add the domain rules. Each helper checks permission and visibility, runs in
the caller's transaction, writes the audit trail and bumps the version.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.core.audit import audit_log, diff, snapshot
from guanxi.core.errors import Conflict, Invalid, NotFound, PreconditionFailed
from guanxi.core.permissions import require_perm
from guanxi.core.visibility import visible

if TYPE_CHECKING:
    from guanxi.core.models import User

R = TypeVar("R", bound="OwnedRecord")


class AliveManager(models.Manager[Any]):
    """Records not in the recycle bin."""

    def get_queryset(self) -> models.QuerySet[Any]:
        return super().get_queryset().filter(deleted_at__isnull=True)


def bin_index(name: str) -> models.Index:
    """The index of a model's recycle bin: only its deleted records (add it to the model's
    `Meta.indexes`)."""
    return models.Index(fields=["deleted_at"], name=name, condition=Q(deleted_at__isnull=False))


class OwnedRecord(models.Model):
    """A record with an owner and a team, a version for optimistic locking, and soft delete."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    team = models.ForeignKey(
        "core.Team",
        verbose_name=_("team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)
    version = models.PositiveIntegerField(default=1)
    # Not indexed as such: nearly every query asks for `deleted_at IS NULL`, which such an index
    # cannot narrow, and SQLite without statistics would pick it anyway. `bin_index` serves the
    # recycle bin.
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects: ClassVar[AliveManager] = AliveManager()
    all_objects: ClassVar[models.Manager[Any]] = models.Manager()

    # The permission resource key, e.g. "customers.account".
    resource: ClassVar[str] = ""

    class Meta:
        abstract = True
        base_manager_name = "all_objects"


def record_get(actor: User, model: type[R], pk: Any, *, include_deleted: bool = False) -> R:
    """Load one record the actor may see, or raise NotFound (never reveal that it exists)."""
    manager = model.all_objects if include_deleted else model.objects
    try:
        obj: R = visible(actor, manager.all()).get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc
    return obj


def clean_or_invalid(obj: models.Model, *, exclude: list[str] | None = None) -> None:
    """Run model validation and turn Django's ValidationError into a per-field Invalid."""
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        raise Invalid(fields=fields) from exc


@transaction.atomic
def record_create(
    *, actor: User, model: type[R], data: Mapping[str, Any], owner: User | None = None
) -> R:
    """Create a record owned by `owner` (default the actor) in the owner's team."""
    require_perm(actor, model.resource, "create")
    owner = owner or actor
    obj = model(**data)
    obj.owner = owner
    if "team" not in data and "team_id" not in data:
        obj.team_id = owner.team_id
    clean_or_invalid(obj)
    obj.save()
    audit_log(actor=actor, action="create", obj=obj, changes=diff({}, snapshot(obj)))
    return obj


V = TypeVar("V", bound=models.Model)


def versioned_update(
    *, actor: User | None, obj: V, changes: Mapping[str, Any], expected_version: int | None
) -> V:
    """Write `changes` only if the row is still at `expected_version`; audit before → after.

    The row is locked and re-read so the check and the write see the same version; only the
    changed columns are written, with the version bumped in the same conditional UPDATE.
    Callers check permission first.
    """
    # Not type(obj): the signed-in user arrives wrapped in a lazy object.
    model: type[V] = obj._meta.model  # type: ignore[assignment]
    manager = model._default_manager
    current: V | None = manager.select_for_update().filter(pk=obj.pk).first()
    if current is None:
        raise NotFound()
    version = current.version  # type: ignore[attr-defined]
    if expected_version is not None and expected_version != version:
        raise PreconditionFailed()
    before = snapshot(current)
    for name, value in changes.items():
        setattr(current, name, value)
    clean_or_invalid(current, exclude=["password"])
    columns = {f.attname: getattr(current, f.attname) for f in _changed_fields(current, changes)}
    if any(f.name == "updated_at" for f in model._meta.concrete_fields):
        columns["updated_at"] = timezone.now()
    if (
        manager.filter(pk=current.pk, version=version).update(**columns, version=F("version") + 1)
        != 1
    ):
        raise PreconditionFailed()
    current.refresh_from_db()
    changed = diff(before, snapshot(current))
    if changed:
        audit_log(actor=actor, action="update", obj=current, changes=changed)
    return current


@transaction.atomic
def record_update(
    *,
    actor: User,
    obj: R,
    changes: Mapping[str, Any],
    expected_version: int | None,
) -> R:
    """Apply changes if the record is still at the version the client saw; audit before → after."""
    require_perm(actor, obj.resource, "change")
    return versioned_update(
        actor=actor, obj=obj, changes=changes, expected_version=expected_version
    )


def _changed_fields(obj: models.Model, changes: Mapping[str, Any]) -> list[models.Field[Any, Any]]:
    names = set(changes)
    return [f for f in obj._meta.concrete_fields if f.name in names or f.attname in names]


@transaction.atomic
def record_soft_delete(*, actor: User, obj: R, expected_version: int | None) -> R:
    """Move a record to the recycle bin."""
    require_perm(actor, obj.resource, "delete")
    model = type(obj)
    now = timezone.now()
    version = obj.version if expected_version is None else expected_version
    updated = model.objects.filter(pk=obj.pk, version=version).update(
        deleted_at=now, deleted_by=actor, version=F("version") + 1, updated_at=now
    )
    if updated != 1:
        raise PreconditionFailed()
    obj.refresh_from_db()
    audit_log(
        actor=actor, action="delete", obj=obj, changes={"deleted_at": [None, now.isoformat()]}
    )
    return obj


@transaction.atomic
def record_restore(*, actor: User, obj: R) -> R:
    """Bring a record back from the recycle bin."""
    require_perm(actor, obj.resource, "delete")
    model = type(obj)
    if obj.deleted_at is None:
        raise Conflict(str(_("This record is not in the recycle bin.")))
    model.all_objects.filter(pk=obj.pk).update(
        deleted_at=None, deleted_by=None, version=F("version") + 1, updated_at=timezone.now()
    )
    before = obj.deleted_at.isoformat()
    obj.refresh_from_db()
    audit_log(actor=actor, action="restore", obj=obj, changes={"deleted_at": [before, None]})
    return obj


def soft_deletable_models() -> list[type[OwnedRecord]]:
    from django.apps import apps

    return [m for m in apps.get_models() if issubclass(m, OwnedRecord) and m.resource]
