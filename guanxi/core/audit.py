"""The audit trail: every write records who, when, what and before → after."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import models

from guanxi.core.models import AuditEntry

if TYPE_CHECKING:
    from guanxi.core.models import User

# Bookkeeping fields that change on every write and say nothing to a reader.
IGNORED_FIELDS = frozenset({"version", "updated_at", "created_at", "password", "last_login"})


def json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple | set | frozenset):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    return value


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The record's concrete field values, JSON-safe (foreign keys as ids)."""
    wanted = set(fields) if fields is not None else None
    data: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if f.name in IGNORED_FIELDS or (wanted is not None and f.name not in wanted):
            continue
        data[f.name] = json_value(getattr(obj, f.attname))
    return data


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    keys = set(before) | set(after)
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}


def object_type(obj: models.Model | type[models.Model]) -> str:
    return obj._meta.label_lower


def audit_log(
    *,
    actor: User | None,
    action: str,
    obj: models.Model,
    changes: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one audit entry; call inside the write's transaction."""
    return AuditEntry.objects.create(
        actor=actor,
        actor_name=(actor.get_username() if actor is not None else "system"),
        action=action,
        object_type=object_type(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        changes=dict(changes or {}),
    )
