"""Shared write helpers: normalising personal fields, custom field validation, bulk audit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from guanxi.core.errors import Invalid
from guanxi.core.models import AuditEntry, User
from guanxi.customers.models import CustomFieldDef
from guanxi.customers.normalize import (
    BadValue,
    name_keys,
    normalize_email,
    normalize_phone,
    reversed_digits,
)


def normalize_personal(data: dict[str, Any], errors: dict[str, list[str]]) -> None:
    """Normalise e-mail and phones in place, collecting per-field messages."""
    if "email" in data:
        try:
            data["email"] = normalize_email(str(data["email"] or ""))
        except BadValue:
            errors.setdefault("email", []).append(_("Enter a valid e-mail address."))
    for field in ("mobile", "phone"):
        if field in data:
            try:
                data[field] = normalize_phone(str(data[field] or ""))
            except BadValue:
                errors.setdefault(field, []).append(_("Enter a valid phone number."))
    for field in ("name", "name_en", "wechat", "title"):
        if field in data and isinstance(data[field], str):
            data[field] = data[field].strip()


def fill_search_keys(obj: Any) -> None:
    """Recompute the normalised search columns from the record's current values."""
    name, pinyin, initials = name_keys(obj.name)
    if obj.name_en:
        en = name_keys(obj.name_en)[0]
        # The English name is searchable too; keep it after the pinyin.
        pinyin = f"{pinyin} {en}"[:400] if en and en != pinyin else pinyin
    obj.search_name = name
    obj.search_pinyin = pinyin
    obj.search_initials = initials
    obj.email_key = obj.email
    obj.phone_rev = reversed_digits(obj.mobile)
    obj.phone2_rev = reversed_digits(obj.phone)


SEARCH_FIELDS = (
    "search_name",
    "search_pinyin",
    "search_initials",
    "email_key",
    "phone_rev",
    "phone2_rev",
)


def _coerce(defn: CustomFieldDef, value: Any) -> Any:
    if defn.type == CustomFieldDef.Type.NUMBER:
        try:
            return str(Decimal(str(value)))
        except (InvalidOperation, ValueError) as exc:
            raise BadValue(_("Enter a number.")) from exc
    if defn.type == CustomFieldDef.Type.DATE:
        try:
            return dt.date.fromisoformat(str(value)).isoformat()
        except ValueError as exc:
            raise BadValue(_("Enter a date as YYYY-MM-DD.")) from exc
    if defn.type == CustomFieldDef.Type.BOOL:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"1", "true", "yes", "y", "是", "对"}:
            return True
        if text in {"0", "false", "no", "n", "否", "不"}:
            return False
        raise BadValue(_("Enter yes or no."))
    if defn.type == CustomFieldDef.Type.CHOICE:
        if str(value) not in [str(c) for c in defn.choices]:
            raise BadValue(
                _("Choose one of: %(choices)s") % {"choices": ", ".join(map(str, defn.choices))}
            )
        return str(value)
    return str(value)


def clean_custom(
    entity: str,
    values: Mapping[str, Any] | None,
    *,
    defs: list[CustomFieldDef] | None = None,
    partial: bool = False,
) -> dict[str, Any]:
    """Validate custom field values against the admin's definitions; per-field errors."""
    defs = defs if defs is not None else list(CustomFieldDef.objects.filter(entity=entity))
    by_key = {d.key: d for d in defs}
    values = dict(values or {})
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for key in sorted(set(values) - set(by_key)):
        errors[f"custom.{key}"] = [_("Unknown custom field.")]
    for key, defn in by_key.items():
        raw = values.get(key)
        if raw in (None, ""):
            if defn.required and not (partial and key not in values):
                errors[f"custom.{key}"] = [_("This field is required.")]
            continue
        try:
            cleaned[key] = _coerce(defn, raw)
        except BadValue as exc:
            errors[f"custom.{key}"] = [str(exc)]
    if errors:
        raise Invalid(fields=errors)
    return cleaned


def audit_summary(
    *, actor: User | None, action: str, model: type[models.Model], changes: Mapping[str, Any]
) -> AuditEntry:
    """One audit entry standing for a bulk write (imports, score uploads, exports)."""
    return AuditEntry.objects.create(
        actor=actor,
        actor_name=actor.get_username() if actor is not None else "system",
        action=action,
        object_type=model._meta.label_lower,
        object_id="*",
        object_repr=str(model._meta.verbose_name_plural)[:255],
        changes=dict(changes),
    )
