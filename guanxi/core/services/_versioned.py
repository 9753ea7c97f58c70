"""Optimistic-locking update shared by the platform's own versioned models."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from django.db import models
from django.db.models import F

from guanxi.core.audit import audit_log, diff, snapshot
from guanxi.core.errors import NotFound, PreconditionFailed
from guanxi.core.models import User
from guanxi.core.records import clean_or_invalid

V = TypeVar("V", bound=models.Model)


def versioned_update(
    *, actor: User, obj: V, changes: Mapping[str, Any], expected_version: int | None
) -> V:
    """Write `changes` only if the row is still at `expected_version`; audit the diff."""
    model = type(obj)
    current = model._default_manager.select_for_update().filter(pk=obj.pk).first()
    if current is None:
        raise NotFound()
    if expected_version is not None and expected_version != current.version:  # type: ignore[attr-defined]
        raise PreconditionFailed()
    before = snapshot(current)
    for name, value in changes.items():
        setattr(current, name, value)
    clean_or_invalid(current, exclude=["password"])
    current.version = F("version") + 1  # type: ignore[attr-defined]
    current.save()
    current.refresh_from_db()
    changed = diff(before, snapshot(current))
    if changed:
        audit_log(actor=actor, action="update", obj=current, changes=changed)
    return current
