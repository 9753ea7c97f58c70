"""Saved views and custom field definitions."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from guanxi.core.audit import audit_log
from guanxi.core.errors import Conflict, Invalid, NotFound
from guanxi.core.models import User
from guanxi.core.permissions import require_perm
from guanxi.customers.models import CustomFieldDef, SavedView

SAVED_VIEW_ENTITIES = ("account", "contact")


@transaction.atomic
def saved_view_create(
    *, actor: User, entity: str, name: str, filters: dict[str, Any], sort: str = ""
) -> SavedView:
    """Save a named filter + sort set for the actor's own use."""
    if entity not in SAVED_VIEW_ENTITIES:
        raise Invalid(fields={"entity": [_("Unknown list.")]})
    name = name.strip()
    if not name:
        raise Invalid(fields={"name": [_("This field is required.")]})
    try:
        with transaction.atomic():
            return SavedView.objects.create(
                user=actor, entity=entity, name=name[:80], filters=filters, sort=sort[:40]
            )
    except IntegrityError as exc:
        raise Conflict(_("You already have a view with this name.")) from exc


@transaction.atomic
def saved_view_delete(*, actor: User, view_id: Any) -> None:
    """Delete one of the actor's own saved views."""
    deleted, _n = SavedView.objects.filter(pk=view_id, user=actor).delete()
    if not deleted:
        raise NotFound()


@transaction.atomic
def custom_field_create(
    *,
    actor: User,
    entity: str,
    key: str,
    label_zh: str,
    label_en: str,
    type: str = "text",
    required: bool = False,
    choices: list[str] | None = None,
) -> CustomFieldDef:
    """Define a custom field on accounts or contacts (administrators)."""
    require_perm(actor, "customers.customfield", "create")
    defn = CustomFieldDef(
        entity=entity,
        key=key,
        label_zh=label_zh,
        label_en=label_en,
        type=type,
        required=required,
        choices=list(choices or []),
    )
    from guanxi.core.records import clean_or_invalid

    clean_or_invalid(defn)
    if defn.type == CustomFieldDef.Type.CHOICE and not defn.choices:
        raise Invalid(fields={"choices": [_("A choice field needs choices.")]})
    defn.save()
    audit_log(actor=actor, action="create", obj=defn)
    return defn


CUSTOM_FIELD_EDITABLE = ("label_zh", "label_en", "type", "required", "choices")


@transaction.atomic
def custom_field_update(*, actor: User, defn: CustomFieldDef, **data: Any) -> CustomFieldDef:
    """Change a custom field's labels, type, required flag or choices (administrators).
    The record type and key stay: stored values are keyed by them."""
    require_perm(actor, "customers.customfield", "change")
    before = {name: getattr(defn, name) for name in CUSTOM_FIELD_EDITABLE}
    for name, value in data.items():
        if name in CUSTOM_FIELD_EDITABLE:
            setattr(defn, name, list(value or []) if name == "choices" else value)
    from guanxi.core.records import clean_or_invalid

    clean_or_invalid(defn, exclude=["entity", "key"])
    if defn.type == CustomFieldDef.Type.CHOICE and not defn.choices:
        raise Invalid(fields={"choices": [_("A choice field needs choices.")]})
    defn.save()
    changes = {
        name: [before[name], getattr(defn, name)]
        for name in CUSTOM_FIELD_EDITABLE
        if before[name] != getattr(defn, name)
    }
    audit_log(actor=actor, action="update", obj=defn, changes=changes)
    return defn


@transaction.atomic
def custom_field_delete(*, actor: User, defn: CustomFieldDef) -> None:
    """Remove a custom field definition (stored values stay in the records' JSON)."""
    require_perm(actor, "customers.customfield", "delete")
    audit_log(actor=actor, action="delete", obj=defn)
    defn.delete()
